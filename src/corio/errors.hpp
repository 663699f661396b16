// @chapter 01
// The errors corio throws, in one place, as asyncio's exceptions.py: named
// after asyncio's, so a reader can hold the guide and the code side by side.
// Each arrives with the chapter that first throws it. (ExceptionGroup, which
// is Python's built-in and not asyncio's, lives with TaskGroup.)
#pragma once

#include <cstddef>  // @since 12
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

// An operating-system call failed: Python's OSError, with the errno it
// carries (code(); 0 when the error did not come from the kernel). It comes
// here, before any system call throws it, because Python's TimeoutError is
// one: a socket's ETIMEDOUT and asyncio's own timeouts raise the same class.
// Chapter 12's socket coroutines throw it, or the subclass Python's
// OSError(errno, ...) would pick for the errno (throw_os_error chooses).
class OSError : public std::runtime_error {
 public:
  explicit OSError(const std::string& message, int code = 0) : std::runtime_error(message), code_(code) {}
  int code() const noexcept { return code_; }

 private:
  int code_;
};

// A timeout expired (asyncio.TimeoutError, which is Python's TimeoutError).
// An ordinary error: code that catches std::exception sees it.
class TimeoutError : public OSError {
 public:
  using OSError::OSError;
};
// @end

// @since 12
// Python's ConnectionError and its four subclasses, chosen by errno:
// EPIPE/ESHUTDOWN, ECONNABORTED, ECONNREFUSED, ECONNRESET.
class ConnectionError : public OSError {
 public:
  using OSError::OSError;
};
class BrokenPipeError : public ConnectionError {
 public:
  using ConnectionError::ConnectionError;
};
class ConnectionAbortedError : public ConnectionError {
 public:
  using ConnectionError::ConnectionError;
};
class ConnectionRefusedError : public ConnectionError {
 public:
  using ConnectionError::ConnectionError;
};
class ConnectionResetError : public ConnectionError {
 public:
  using ConnectionError::ConnectionError;
};

// A name that did not resolve (Python's socket.gaierror): code() is the
// getaddrinfo() error (EAI_NONAME, ...), not an errno.
class AddressResolutionError : public OSError {
 public:
  using OSError::OSError;
};

// Throws the OSError subclass Python would raise for err, with the message
// "<what>: [Errno N] <strerror>" (ETIMEDOUT gives TimeoutError, as Python's
// does). Defined in net/socket.cpp.
[[noreturn]] void throw_os_error(int err, const std::string& what);

// The stream ended before readexactly() or readuntil() had what it asked
// for (asyncio.IncompleteReadError): partial() holds the bytes that came,
// expected() how many were wanted (npos for readuntil, Python's None).
class IncompleteReadError : public std::runtime_error {
 public:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  IncompleteReadError(std::string partial, std::size_t expected)
      : std::runtime_error(std::to_string(partial.size()) + " bytes read on a total of " +
                           (expected == npos ? std::string("undefined") : std::to_string(expected)) +
                           " expected bytes"),
        partial_(std::move(partial)),
        expected_(expected) {}
  const std::string& partial() const noexcept { return partial_; }
  std::size_t expected() const noexcept { return expected_; }

 private:
  std::string partial_;
  std::size_t expected_;
};

// readline()/readuntil() met the reader's buffer limit before the separator
// (asyncio.LimitOverrunError): consumed() is how many bytes to skip.
class LimitOverrunError : public std::runtime_error {
 public:
  LimitOverrunError(const std::string& message, std::size_t consumed)
      : std::runtime_error(message), consumed_(consumed) {}
  std::size_t consumed() const noexcept { return consumed_; }

 private:
  std::size_t consumed_;
};
// @end

// @since 13
// A malformed or oversized HTTP message (h11.RemoteProtocolError's job on
// the server side). status(): what a server answers: 400 malformed, 413 body
// too large, 431 header block too large or a line too long, 501 unsupported
// Transfer-Encoding, 505 not HTTP/1.0 or HTTP/1.1.
class HttpParseError : public std::runtime_error {
 public:
  HttpParseError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
  int status() const noexcept { return status_; }

 private:
  int status_;
};

// raise_for_status() on a 4xx/5xx response (httpx.HTTPStatusError).
class HttpStatusError : public std::runtime_error {
 public:
  HttpStatusError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
  int status() const noexcept { return status_; }

 private:
  int status_;
};

// A URL the client cannot use: not http://, no host, a bad port
// (httpx.InvalidURL).
class InvalidURL : public ValueError {
 public:
  using ValueError::ValueError;
};

// The HTTP client's timeouts, httpx's names. All are TimeoutErrors, so
// catching corio::TimeoutError catches every one; the message names the
// timeout, the URL and the limit in seconds.
class ConnectTimeout : public TimeoutError {
 public:
  using TimeoutError::TimeoutError;
};
class ReadTimeout : public TimeoutError {
 public:
  using TimeoutError::TimeoutError;
};
class WriteTimeout : public TimeoutError {
 public:
  using TimeoutError::TimeoutError;
};
class PoolTimeout : public TimeoutError {
 public:
  using TimeoutError::TimeoutError;
};

// The peer closed or reset the connection before a whole response
// (httpx.RemoteProtocolError): a ConnectionError.
class RemoteProtocolError : public ConnectionError {
 public:
  using ConnectionError::ConnectionError;
};
// @end

// @since 14
// Ctrl-C ended run()'s main coroutine (Python's
// KeyboardInterrupt): the first SIGINT cancelled it and nothing took the
// cancellation back. Like CancelledError, not a std::exception: a
// `catch (const std::exception&)` must not turn a Ctrl-C into an error
// logged and carried on from.
class KeyboardInterrupt {
 public:
  const char* what() const noexcept { return "KeyboardInterrupt"; }
};
// @end

}  // namespace corio
