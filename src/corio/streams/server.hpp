// @chapter 12
// asyncio's Server and the calls that connect or listen: create_server()
// and create_connection() with a protocol factory (the transport layer),
// and start_server()/open_connection() for streams, built on them as
// asyncio builds them. Host names resolve on the executor (getaddrinfo).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <corio/streams/stream_reader.hpp>
#include <corio/streams/stream_writer.hpp>
#include <corio/streams/transport.hpp>
#include <corio/tasks/coro.hpp>

namespace corio {

namespace detail {
struct ServerState;
}  // namespace detail

struct ServerOptions {
  int backlog = 100;                                // listen()'s, and accepts per readiness
  bool reuse_address = true;                        // SO_REUSEADDR (asyncio's default on POSIX)
  std::size_t limit = StreamReader::kDefaultLimit;  // each connection's StreamReader limit
  bool start_serving = true;                        // accept at once, or from start_serving()
};

struct StreamOptions {
  std::size_t limit = StreamReader::kDefaultLimit;
};

// What start_server runs, as a task, for each connection.
using ClientConnected = std::function<Coro<void>(StreamReader, StreamWriter)>;

// asyncio.Server: the listening sockets. A handle; copies share them.
class Server {
 public:
  explicit Server(std::shared_ptr<detail::ServerState> state) : s_(std::move(state)) {}

  // Stops listening and closes the sockets; connections already accepted
  // stay open.
  void close() const;
  // Until close() and every connection accepted has ended.
  Coro<void> wait_closed() const;
  // Starts accepting (if not yet) and waits until cancelled, then closes
  // the server and waits for it. RuntimeError if already being awaited, or
  // closed.
  Coro<void> serve_forever() const;
  Coro<void> start_serving() const;
  bool is_serving() const;
  Loop& get_loop() const;

  // The listening sockets' fds (empty once closed) and bound addresses.
  std::vector<int> sockets() const;
  std::vector<SocketAddress> addresses() const;
  // The first socket's port (port 0 asks the system to pick one).
  int port() const;

 private:
  std::shared_ptr<detail::ServerState> s_;
};

// host "" listens on every interface (IPv4 and IPv6); a host that resolves
// to several addresses listens on each.
Coro<Server> create_server(ProtocolFactory factory, std::string host, int port, ServerOptions options = {});
Coro<Server> create_unix_server(ProtocolFactory factory, std::string path, ServerOptions options = {});
// Tries each address host resolves to, in order, until one connects.
Coro<std::pair<std::shared_ptr<Transport>, std::shared_ptr<Protocol>>> create_connection(ProtocolFactory factory,
                                                                                         std::string host, int port);
Coro<std::pair<std::shared_ptr<Transport>, std::shared_ptr<Protocol>>> create_unix_connection(ProtocolFactory factory,
                                                                                              std::string path);

// Streams. A handler that throws is reported to the loop's exception
// handler ("Unhandled exception in client_connected_cb") and its
// connection closed.
Coro<std::pair<StreamReader, StreamWriter>> open_connection(std::string host, int port, StreamOptions options = {});
Coro<std::pair<StreamReader, StreamWriter>> open_unix_connection(std::string path, StreamOptions options = {});
Coro<Server> start_server(ClientConnected handler, std::string host, int port, ServerOptions options = {});
Coro<Server> start_unix_server(ClientConnected handler, std::string path, ServerOptions options = {});

}  // namespace corio
