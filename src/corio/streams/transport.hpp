// @chapter 12
// asyncio's transport/protocol layer, for stream sockets: a Transport owns a
// connected non-blocking socket, reads it while reading is not paused and
// hands each chunk to its Protocol's data_received; write() sends at once
// when nothing is buffered and buffers the rest, flushed as the socket
// becomes writable, telling the protocol pause_writing() above the
// high-water mark and resume_writing() at or below the low one. The streams
// (stream_reader.hpp, stream_writer.hpp) are one protocol on top of it, as
// in asyncio.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <corio/net/address.hpp>
#include <corio/net/socket.hpp>

namespace corio {

class Loop;
class Transport;
namespace detail {
struct ServerState;
class OpenTransports;
}  // namespace detail

// asyncio.Protocol: what a transport calls, always from the loop, never
// from inside one of the transport's own calls. connection_made comes first
// (on the iteration after the transport is made), connection_lost last,
// once: with null after a clean close or the peer's EOF, else the error.
class Protocol {
 public:
  virtual ~Protocol() = default;
  virtual void connection_made(Transport& transport) { (void)transport; }
  virtual void data_received(std::string_view data) { (void)data; }
  // The peer shut its side (EOF). Return true to keep the connection open
  // for writing (half-close); false closes the transport.
  virtual bool eof_received() { return false; }
  virtual void connection_lost(std::exception_ptr error) { (void)error; }
  // The write buffer went above the high-water mark / back to the low one.
  virtual void pause_writing() {}
  virtual void resume_writing() {}
};

using ProtocolFactory = std::function<std::shared_ptr<Protocol>()>;

// asyncio's _SelectorSocketTransport. Made by create_connection,
// create_server's accepts or make(); kept alive by the loop until its
// protocol's connection_lost has run, and by every shared_ptr to it.
class Transport : public std::enable_shared_from_this<Transport> {
 public:
  // asyncio's defaults for set_write_buffer_limits().
  static constexpr std::size_t kHighWater = 64 * 1024;
  static constexpr std::size_t kLowWater = kHighWater / 4;

  // Takes over a connected socket (made non-blocking) on the running loop;
  // protocol.connection_made(*this) runs on the next iteration.
  static std::shared_ptr<Transport> make(Socket socket, std::shared_ptr<Protocol> protocol);

  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;
  ~Transport();

  // Sends data, or buffers what the socket does not take at once. Nothing
  // happens after the connection was lost (as asyncio, which only counts
  // such writes); RuntimeError after write_eof().
  void write(std::string_view data);
  void writelines(std::initializer_list<std::string_view> lines);
  template <class Range>
  void writelines(const Range& lines) {
    for (const auto& line : lines) write(std::string_view(line));
  }
  // Shuts the sending side once the buffer is flushed (the peer reads EOF).
  void write_eof();
  bool can_write_eof() const { return true; }
  // Flushes the buffer, then closes; connection_lost(null) follows. abort()
  // drops the buffer and closes now.
  void close();
  void abort();
  bool is_closing() const { return closing_; }

  void pause_reading();
  void resume_reading();
  bool is_reading() const { return !closing_ && !reading_paused_; }

  // nullopt: asyncio's None (high 64 KiB, or 4 * low; low high / 4).
  // ValueError unless high >= low >= 0.
  void set_write_buffer_limits(std::optional<std::size_t> high = std::nullopt,
                               std::optional<std::size_t> low = std::nullopt);
  std::pair<std::size_t, std::size_t> get_write_buffer_limits() const { return {low_water_, high_water_}; }
  std::size_t get_write_buffer_size() const { return buffer_.size() - sent_; }

  // "peername" or "sockname": the socket's addresses; nullopt for any other
  // name, or once the socket is closed.
  std::optional<SocketAddress> get_extra_info(std::string_view name) const;
  // The socket's fd, -1 once closed (asyncio's get_extra_info("socket")).
  int fd() const { return fd_; }
  Loop& get_loop() const { return *loop_; }
  const std::shared_ptr<Protocol>& get_protocol() const { return protocol_; }

  // For make() and the server's accepts (which count their connections
  // in server): use make().
  Transport(Loop& loop, int fd, std::shared_ptr<Protocol> protocol,
            std::shared_ptr<detail::ServerState> server = nullptr);
  // Starts it: connection_made, then reading. Called once, by make().
  void start();

 private:
  friend class detail::OpenTransports;
  // The loop's reference, handed out (to a queued connection_lost) or
  // dropped; either way the transport leaves the loop's list of open ones.
  std::shared_ptr<Transport> let_go();
  // At the loop's close, while still open: reported, and its socket closed.
  void abandon() noexcept;
  void on_readable();
  void on_writable();
  void on_eof();
  void fatal_error(std::exception_ptr error, const char* message);
  void force_close(std::exception_ptr error);
  void connection_lost(std::exception_ptr error);
  void maybe_pause_protocol();
  void maybe_resume_protocol();

  Loop* loop_;
  int fd_;
  std::shared_ptr<Protocol> protocol_;
  std::shared_ptr<Transport> self_;              // the loop's reference, until connection_lost
  std::shared_ptr<detail::ServerState> server_;  // the server that accepted it, if one did
  std::string buffer_;                           // bytes not yet sent start at sent_
  std::size_t sent_ = 0;
  std::size_t high_water_ = kHighWater;
  std::size_t low_water_ = kLowWater;
  unsigned conn_lost_ = 0;  // > 0 once the connection is lost or closing with nothing to flush
  bool closing_ = false;
  bool eof_ = false;  // write_eof() called
  bool reading_paused_ = false;
  bool protocol_paused_ = false;
  bool writing_ = false;  // a writer is registered
};

}  // namespace corio
