// @chapter 12
// asyncio.StreamWriter: writes go straight to the transport; drain() is
// where a writer waits while the transport's buffer is above its high-water
// mark, and where the connection's error comes out. A StreamWriter is a
// handle: copies share the transport and protocol.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string_view>

#include <corio/streams/stream_reader.hpp>
#include <corio/streams/transport.hpp>
#include <corio/tasks/coro.hpp>

namespace corio {

namespace detail {
class StreamProtocol;
struct WriterCore;
}  // namespace detail

class StreamWriter {
 public:
  StreamWriter(std::shared_ptr<Transport> transport, std::shared_ptr<detail::StreamProtocol> protocol,
               std::optional<StreamReader> reader);

  void write(std::string_view data) const;
  void writelines(std::initializer_list<std::string_view> lines) const;
  template <class Range>
  void writelines(const Range& lines) const {
    transport().writelines(lines);
  }
  // Returns at once while the transport's buffer is at or below its
  // high-water mark, else when it drains to the low one. Throws the
  // reader's error, or ConnectionResetError ("Connection lost") once the
  // connection is gone.
  Coro<void> drain() const;

  bool can_write_eof() const;
  void write_eof() const;
  // Closes the transport (after flushing its buffer). The last copy of a
  // StreamWriter closes it too, as Python's garbage collector would.
  void close() const;
  bool is_closing() const;
  // Until connection_lost: returns, or throws the error the connection
  // ended with.
  Coro<void> wait_closed() const;

  // "peername", "sockname": as Transport::get_extra_info.
  std::optional<SocketAddress> get_extra_info(std::string_view name) const;
  Transport& transport() const;

 private:
  std::shared_ptr<detail::WriterCore> s_;
};

}  // namespace corio
