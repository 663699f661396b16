// @chapter 01
// The errors corio throws, in one place, as asyncio's exceptions.py: named
// after asyncio's, so a reader can hold the guide and the code side by side.
// Each arrives with the chapter that first throws it. (ExceptionGroup, which
// is Python's built-in and not asyncio's, lives with TaskGroup.)
#pragma once

#include <stdexcept>
#include <string>
#include <utility>  // @since 09

namespace corio {

// asyncio raises RuntimeError for a loop used the wrong way: run() inside a
// running loop, a loop driven from another thread, a closed loop.
class RuntimeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad arguments: an fd that is not open, an fd the chosen poller cannot
// watch. Python raises ValueError or OSError; we name it for what it is.
class InvalidArgument : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// @since 03
// A result asked for too early, or set twice (asyncio.InvalidStateError).
class InvalidStateError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};
// @end

// @since 07
// asyncio raises ValueError for a semaphore's bad value or one released too
// many times. It is an InvalidArgument, the name corio gives other
// ValueErrors, so catching either catches it.
class ValueError : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};
// @end

// @since 08
// get_nowait() on a queue with no item free (asyncio.QueueEmpty).
class QueueEmpty : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// put_nowait() on a queue with no free slot (asyncio.QueueFull).
class QueueFull : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// @end

// @since 09
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
// @end

}  // namespace corio
