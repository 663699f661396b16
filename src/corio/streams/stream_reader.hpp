// @chapter 12
// asyncio.StreamReader: the bytes a connection received and not yet read,
// and one coroutine at a time waiting for more. feed_data()/feed_eof() are
// how the transport (or a test) gives it bytes; read(), readline(),
// readuntil() and readexactly() take them, with asyncio's rules on what
// stays in the buffer when they fail. A StreamReader is a handle: copies
// share one buffer, as Python references share one object.
#pragma once

#include <cstddef>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include <corio/tasks/coro.hpp>

namespace corio {

class Transport;

namespace detail {
struct ReaderState;
}  // namespace detail

class StreamReader {
 public:
  static constexpr std::size_t kDefaultLimit = 64 * 1024;  // asyncio's _DEFAULT_LIMIT

  // ValueError when limit is 0 ("Limit cannot be <= 0").
  explicit StreamReader(std::size_t limit = kDefaultLimit);

  // Up to n bytes, waiting for at least one unless at EOF ("" then); n < 0
  // reads to EOF; n == 0 returns "" at once.
  Coro<std::string> read(std::ptrdiff_t n = -1) const;
  // A line ending in "\n" (kept); at EOF, what is left ("" when nothing).
  // Past the limit: ValueError, and the line (up to and with its "\n" when
  // the buffer holds it, else the whole buffer) is dropped.
  Coro<std::string> readline() const;
  // Bytes up to and with sep. IncompleteReadError (with what was left, now
  // consumed) at EOF first; LimitOverrunError past the limit, the data left
  // in the buffer. ValueError for an empty sep.
  Coro<std::string> readuntil(std::string sep = "\n") const;
  // Exactly n bytes; IncompleteReadError with the partial bytes (consumed)
  // when EOF comes first.
  Coro<std::string> readexactly(std::size_t n) const;

  // EOF was fed and the buffer is empty.
  bool at_eof() const;
  void feed_data(std::string_view data) const;
  void feed_eof() const;
  // Every read from now on throws error (a waiting one at once).
  void set_exception(std::exception_ptr error) const;
  std::exception_ptr exception() const;

  std::size_t limit() const;
  // Bytes received and not yet read (asyncio's len(reader._buffer)).
  std::size_t buffered() const;
  // The transport whose reading it pauses above 2 * limit (and resumes at
  // or below limit); set by the stream protocol, cleared at connection_lost.
  void set_transport(Transport* transport) const;

 private:
  std::shared_ptr<detail::ReaderState> s_;
};

}  // namespace corio
