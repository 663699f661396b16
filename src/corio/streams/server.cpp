// @chapter 12
#include <corio/streams/server.hpp>

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <utility>

#include <corio/errors.hpp>
#include <corio/loop/loop.hpp>
#include <corio/net/address.hpp>
#include <corio/net/resolve.hpp>
#include <corio/net/socket.hpp>
#include <corio/streams/detail/server_state.hpp>
#include <corio/streams/detail/stream_protocol.hpp>
#include <corio/tasks/future.hpp>
#include <corio/tasks/sleep.hpp>

namespace corio {

namespace detail {

// asyncio's ACCEPT_RETRY_DELAY: after accept() ran out of descriptors or
// memory, a listening socket rests this long before accepting again.
constexpr double kAcceptRetryDelay = 1.0;

struct ServerState {
  ServerState(Loop& l, ProtocolFactory f, int b) : loop(&l), factory(std::move(f)), backlog(b) {}

  Loop* loop;
  ProtocolFactory factory;
  int backlog;
  std::vector<Socket> sockets;          // listening; empty once closed
  std::string unix_path;                // a Unix server's path, removed at close
  dev_t unix_dev = 0;                   // and the file its bind made there: another
  ino_t unix_ino = 0;                   // server's socket at that path since is left alone
  std::vector<TimerHandle> retries;     // accepts resting after EMFILE
  std::vector<Future<void>> waiters;    // wait_closed()
  std::optional<Future<void>> forever;  // serve_forever()'s
  std::size_t active = 0;               // connections accepted and not yet lost
  bool closed = false;
  bool serving = false;
  bool woken = false;  // closed with no connection left: wait_closed() returns at once
};

namespace {

std::exception_ptr os_error(int err, const std::string& what) {
  try {
    throw_os_error(err, what);
  } catch (...) {
    return std::current_exception();
  }
}

void wake_closed(ServerState& s) {
  if (s.woken) return;
  s.woken = true;
  for (Future<void>& w : std::exchange(s.waiters, {})) {
    if (!w.done()) w.set_result();
  }
}

void accept_ready(const std::shared_ptr<ServerState>& state, int fd);

void watch(const std::shared_ptr<ServerState>& state, int fd) {
  state->loop->add_reader(fd, [state, fd] { accept_ready(state, fd); });
}

// asyncio's _accept_connection: up to backlog connections per readiness.
void accept_ready(const std::shared_ptr<ServerState>& state, int fd) {
  ServerState& s = *state;
  for (int i = 0; i < s.backlog; ++i) {
    int conn = ::accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (conn < 0) {
      int err = errno;
      if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR || err == ECONNABORTED) return;
      if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        // Out of descriptors: stop accepting for a while (the pending
        // connections wait in the kernel's queue) rather than spin on a
        // socket that stays readable.
        ExceptionContext context("socket.accept() out of system resource", os_error(err, "accept"));
        s.loop->call_exception_handler(context);
        s.loop->remove_reader(fd);
        std::erase_if(s.retries, [&s](const TimerHandle& h) { return h.cancelled() || h.when() <= s.loop->time(); });
        s.retries.push_back(s.loop->call_later(kAcceptRetryDelay, [state, fd] {
          if (state->serving) watch(state, fd);
        }));
        return;
      }
      std::rethrow_exception(os_error(err, "accept"));
    }
    std::shared_ptr<Protocol> protocol;
    try {
      protocol = s.factory();
    } catch (...) {
      ::close(conn);
      throw;
    }
    ++s.active;
    std::shared_ptr<Transport> transport;
    try {
      transport = std::make_shared<Transport>(*s.loop, conn, std::move(protocol), state);
    } catch (...) {
      --s.active;
      throw;
    }
    transport->start();
  }
}

void start(const std::shared_ptr<ServerState>& state) {
  if (state->serving || state->closed) return;
  state->serving = true;
  for (Socket& sock : state->sockets) watch(state, sock.fd());
}

Coro<void> wait_closed(std::shared_ptr<ServerState> s) {
  if (s->woken) co_return;
  Future<void> waiter;
  s->waiters.push_back(waiter);
  auto leave = [&] { std::erase_if(s->waiters, [&](const Future<void>& w) { return w.state() == waiter.state(); }); };
  try {
    co_await waiter;
  } catch (...) {
    leave();
    throw;
  }
  leave();
}

Coro<void> serve_forever(std::shared_ptr<ServerState> s) {
  if (s->forever) throw RuntimeError("server is already being awaited on serve_forever()");
  if (s->closed) throw RuntimeError("server is closed (Server::serve_forever after close())");
  start(s);
  Future<void> forever;
  s->forever = forever;
  std::exception_ptr cancelled;
  try {
    co_await forever;
  } catch (const CancelledError&) {
    cancelled = std::current_exception();
  }
  s->forever.reset();
  Server(s).close();
  co_await wait_closed(s);
  if (cancelled) std::rethrow_exception(cancelled);
}

// Binds and listens, or closes the socket and throws asyncio's message.
void bind_and_listen(Socket& sock, const SocketAddress& address, int backlog) {
  try {
    sock.bind(address);
  } catch (const OSError& e) {
    throw_os_error(e.code(), "error while attempting to bind on address " + address.to_string());
  }
  sock.listen(backlog);
}

std::shared_ptr<ServerState> new_state(ProtocolFactory factory, const ServerOptions& options) {
  if (!factory) throw InvalidArgument("create_server: the protocol factory is empty");
  return std::make_shared<ServerState>(get_running_loop(), std::move(factory), options.backlog);
}

Coro<std::pair<std::shared_ptr<Transport>, std::shared_ptr<Protocol>>> connected(Socket sock, ProtocolFactory factory) {
  std::shared_ptr<Protocol> protocol = factory();
  std::shared_ptr<Transport> transport = Transport::make(std::move(sock), protocol);
  // connection_made is queued first: let it run before the caller goes on.
  // Cancelled here, the caller will never hold the transport: it closes.
  try {
    co_await sleep(0);
  } catch (...) {
    transport->close();
    throw;
  }
  co_return std::make_pair(transport, protocol);
}

ProtocolFactory stream_factory(ClientConnected handler, std::size_t limit) {
  if (!handler) throw InvalidArgument("start_server: the handler is empty");
  auto shared = std::make_shared<const ClientConnected>(std::move(handler));
  return [shared, limit] { return std::make_shared<StreamProtocol>(StreamReader(limit), shared); };
}

}  // namespace

void server_detach(ServerState& server) {
  --server.active;
  if (server.active == 0 && server.closed) wake_closed(server);
}

}  // namespace detail

void Server::close() const {
  detail::ServerState& s = *s_;
  if (s.closed) return;
  s.closed = true;
  s.serving = false;
  for (Socket& sock : s.sockets) s.loop->remove_reader(sock.fd());
  s.sockets.clear();
  for (TimerHandle& h : s.retries) h.cancel();
  s.retries.clear();
  // Only the file this server made: a server started at the same path
  // since (whose start removed ours) keeps its own, as 3.13's
  // cleanup_socket checks the inode.
  struct stat st {};
  if (!s.unix_path.empty() && ::stat(s.unix_path.c_str(), &st) == 0 && st.st_dev == s.unix_dev &&
      st.st_ino == s.unix_ino) {
    ::unlink(s.unix_path.c_str());
  }
  if (s.forever && !s.forever->done()) s.forever->cancel();
  if (s.active == 0) detail::wake_closed(s);
}

Coro<void> Server::wait_closed() const { return detail::wait_closed(s_); }
Coro<void> Server::serve_forever() const { return detail::serve_forever(s_); }
Coro<void> Server::start_serving() const {
  detail::start(s_);
  return [](std::shared_ptr<detail::ServerState>) -> Coro<void> { co_await sleep(0); }(s_);
}
bool Server::is_serving() const { return s_->serving; }
Loop& Server::get_loop() const { return *s_->loop; }

std::vector<int> Server::sockets() const {
  std::vector<int> fds;
  for (const Socket& sock : s_->sockets) fds.push_back(sock.fd());
  return fds;
}

std::vector<SocketAddress> Server::addresses() const {
  std::vector<SocketAddress> out;
  for (const Socket& sock : s_->sockets) out.push_back(sock.local_address());
  return out;
}

int Server::port() const {
  if (s_->sockets.empty()) throw RuntimeError("Server::port(): the server is closed, it has no socket");
  return s_->sockets.front().local_address().port();
}

Coro<Server> create_server(ProtocolFactory factory, std::string host, int port, ServerOptions options) {
  auto state = detail::new_state(std::move(factory), options);
  std::vector<AddrInfo> infos = co_await detail::ensure_resolved(host, port, AI_PASSIVE, "create_server");
  std::vector<SocketAddress> seen;
  for (const AddrInfo& info : infos) {
    if (std::find(seen.begin(), seen.end(), info.address) != seen.end()) continue;
    seen.push_back(info.address);
    Socket sock = Socket::tcp(info.family);
    if (options.reuse_address) sock.set_reuse_address(true);
    if (info.family == AF_INET6) {
      // Both families listen on one port: this socket takes IPv6 only.
      int one = 1;
      ::setsockopt(sock.fd(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    }
    detail::bind_and_listen(sock, info.address, options.backlog);
    state->sockets.push_back(std::move(sock));
  }
  if (state->sockets.empty()) throw OSError("create_server: getaddrinfo() returned no address for '" + host + "'");
  Server server(state);
  if (options.start_serving) detail::start(state);
  co_return server;
}

Coro<Server> create_unix_server(ProtocolFactory factory, std::string path, ServerOptions options) {
  auto state = detail::new_state(std::move(factory), options);
  // A socket file left by an earlier server is removed, as asyncio does.
  struct stat st {};
  if (!path.empty() && path[0] != '\0' && ::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
    ::unlink(path.c_str());
  }
  Socket sock = Socket::unix_stream();
  detail::bind_and_listen(sock, SocketAddress::unix_path(path), options.backlog);
  state->sockets.push_back(std::move(sock));
  if (!path.empty() && path[0] != '\0' && ::stat(path.c_str(), &st) == 0) {  // not an abstract name: a file
    state->unix_path = path;
    state->unix_dev = st.st_dev;
    state->unix_ino = st.st_ino;
  }
  Server server(state);
  if (options.start_serving) detail::start(state);
  co_return server;
}

Coro<std::pair<std::shared_ptr<Transport>, std::shared_ptr<Protocol>>> create_connection(ProtocolFactory factory,
                                                                                         std::string host, int port) {
  if (!factory) throw InvalidArgument("create_connection: the protocol factory is empty");
  std::vector<AddrInfo> infos = co_await detail::ensure_resolved(host, port, 0, "create_connection");
  if (infos.empty()) throw OSError("getaddrinfo() returned empty list (create_connection to '" + host + "')");
  std::vector<std::exception_ptr> errors;
  std::vector<std::string> messages;
  for (const AddrInfo& info : infos) {
    Socket sock = Socket::tcp(info.family);
    try {
      co_await sock_connect(sock, info.address);
    } catch (const OSError& e) {
      errors.push_back(std::current_exception());
      messages.emplace_back(e.what());
      continue;
    }
    co_return co_await detail::connected(std::move(sock), std::move(factory));
  }
  // asyncio's rule: one error, or all alike, is raised as it is.
  if (std::all_of(messages.begin(), messages.end(), [&](const std::string& m) { return m == messages[0]; })) {
    std::rethrow_exception(errors[0]);
  }
  std::string all;
  for (const std::string& m : messages) all += (all.empty() ? "" : ", ") + m;
  throw OSError("Multiple exceptions: " + all);
}

Coro<std::pair<std::shared_ptr<Transport>, std::shared_ptr<Protocol>>> create_unix_connection(ProtocolFactory factory,
                                                                                              std::string path) {
  if (!factory) throw InvalidArgument("create_unix_connection: the protocol factory is empty");
  Socket sock = Socket::unix_stream();
  co_await sock_connect(sock, SocketAddress::unix_path(path));
  co_return co_await detail::connected(std::move(sock), std::move(factory));
}

namespace {

Coro<std::pair<StreamReader, StreamWriter>> open_stream(
    Coro<std::pair<std::shared_ptr<Transport>, std::shared_ptr<Protocol>>> connecting, StreamReader reader,
    std::shared_ptr<detail::StreamProtocol> protocol) {
  auto [transport, unused] = co_await std::move(connecting);
  co_return std::make_pair(reader, StreamWriter(transport, protocol, reader));
}

}  // namespace

Coro<std::pair<StreamReader, StreamWriter>> open_connection(std::string host, int port, StreamOptions options) {
  StreamReader reader(options.limit);
  auto protocol = std::make_shared<detail::StreamProtocol>(reader, nullptr);
  return open_stream(create_connection([protocol] { return protocol; }, std::move(host), port), reader, protocol);
}

Coro<std::pair<StreamReader, StreamWriter>> open_unix_connection(std::string path, StreamOptions options) {
  StreamReader reader(options.limit);
  auto protocol = std::make_shared<detail::StreamProtocol>(reader, nullptr);
  return open_stream(create_unix_connection([protocol] { return protocol; }, std::move(path)), reader, protocol);
}

Coro<Server> start_server(ClientConnected handler, std::string host, int port, ServerOptions options) {
  return create_server(detail::stream_factory(std::move(handler), options.limit), std::move(host), port, options);
}

Coro<Server> start_unix_server(ClientConnected handler, std::string path, ServerOptions options) {
  return create_unix_server(detail::stream_factory(std::move(handler), options.limit), std::move(path), options);
}

}  // namespace corio
