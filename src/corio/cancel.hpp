// @chapter 09
// The two errors of cancellation. CancelledError is what a cancelled task's
// coroutine sees at the await where it waits; TimeoutError is what a
// timeout (wait's, as_completed's, chapter 10's timeout()) gives instead.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>
#include <utility>

namespace corio {

// Thrown into a task at its await point by Task::cancel(). It does NOT
// derive from std::exception, on purpose: cancellation is a request to stop,
// not a failure, and the everyday `catch (const std::exception&)` that logs
// and carries on must not swallow it (Python made the same move in 3.8,
// when CancelledError stopped deriving from Exception). Catch it by name
// when there is something to tidy up, and rethrow it.
class CancelledError {
 public:
  CancelledError() = default;
  explicit CancelledError(std::string message) : message_(std::move(message)) {}

  // The message given to cancel(), or "" (asyncio's args).
  const std::string& message() const noexcept { return message_; }
  const char* what() const noexcept { return message_.empty() ? "CancelledError" : message_.c_str(); }

 private:
  std::string message_;
};

// A timeout expired (asyncio.TimeoutError, which is Python's TimeoutError).
// An ordinary error: code that catches std::exception sees it.
class TimeoutError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
// True when error holds a CancelledError.
bool is_cancellation(const std::exception_ptr& error);
}  // namespace detail

}  // namespace corio
