// @chapter 13
#include <corio/http/server.hpp>

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <corio/errors.hpp>
#include <corio/http/detail/connection.hpp>
#include <corio/loop/loop.hpp>
#include <corio/net/address.hpp>
#include <corio/net/resolve.hpp>
#include <corio/net/socket.hpp>
#include <corio/streams/transport.hpp>
#include <corio/tasks/future.hpp>

namespace corio::http {

// ---------------------------------------------------------------- Router

Router& Router::route(std::string method, std::string path, Handler handler) {
  if (!handler) throw InvalidArgument("Router::route(\"" + method + "\", \"" + path + "\"): the handler is empty");
  if (path.empty() || path[0] != '/') {
    throw InvalidArgument("Router::route(\"" + method + "\", \"" + path +
                          "\"): a path starts with '/' (\"/users\", or \"/users/*\" for every path below /users/)");
  }
  bool prefix = path.size() >= 2 && path.ends_with("/*");
  if (prefix) path.pop_back();
  routes_.push_back(Route{std::move(method), std::move(path), prefix, std::move(handler)});
  return *this;
}

const Router::Route* Router::find(std::string_view method, std::string_view path, std::string* allow) const {
  // The most specific route for the path and the method: an exact path
  // first, then the longest prefix. HEAD falls back to GET.
  const Route* best = nullptr;
  const Route* best_get = nullptr;
  auto rank = [](const Route& r) { return r.prefix ? r.path.size() : std::numeric_limits<std::size_t>::max(); };
  for (const Route& r : routes_) {
    bool matches = r.prefix ? path.starts_with(r.path) : path == r.path;
    if (!matches) continue;
    if (allow != nullptr) {
      auto add = [allow](std::string_view m) {
        std::string_view listed(*allow);
        std::size_t at = 0;
        while (at < listed.size()) {
          std::size_t end = listed.find(", ", at);
          if (listed.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at) == m) return;
          if (end == std::string_view::npos) break;
          at = end + 2;
        }
        if (!allow->empty()) *allow += ", ";
        *allow += m;
      };
      add(r.method);
      if (r.method == "GET") add("HEAD");
    }
    if (r.method == method && (best == nullptr || rank(r) > rank(*best))) best = &r;
    if (method == "HEAD" && r.method == "GET" && (best_get == nullptr || rank(r) > rank(*best_get))) best_get = &r;
  }
  return best != nullptr ? best : best_get;
}

namespace {

// The answers dispatch() does not leave to a handler alone: 404, 405, and
// HEAD answered by a GET route.
Coro<Response> not_routed(Request request, std::string allow) {
  if (allow.empty()) {
    co_return Response::text(404,
                             "Not Found: no route for " + request.method + " " + std::string(request.path()) + "\n");
  }
  Response response = Response::text(405, "Method Not Allowed: " + std::string(request.path()) + " answers " + allow +
                                              ", not " + request.method + "\n");
  response.headers.add("Allow", std::move(allow));
  co_return response;
}

Coro<Response> head_by_get(const Handler& handler, Request request) {
  Response response = co_await handler(std::move(request));
  if (!response.headers.contains("Content-Length") && !response.headers.contains("Transfer-Encoding")) {
    response.headers.add("Content-Length", std::to_string(response.body.size()));
  }
  response.body.clear();
  co_return response;
}

}  // namespace

Coro<Response> Router::dispatch(Request request) const {
  const Route* r = find(request.method, request.path(), nullptr);
  if (r == nullptr) {
    std::string allow;
    find(request.method, request.path(), &allow);
    return not_routed(std::move(request), std::move(allow));
  }
  // The handler's own coroutine, with no frame around it.
  if (request.method != "HEAD" || r->method == "HEAD") return r->handler(std::move(request));
  return head_by_get(r->handler, std::move(request));
}

// ---------------------------------------------------------------- the server's core

namespace detail {

namespace {

// asyncio's ACCEPT_RETRY_DELAY: after accept() ran out of descriptors, the
// listening socket rests this long before accepting again.
constexpr double kAcceptRetryDelay = 1.0;

std::exception_ptr os_error(int err, const std::string& what) {
  try {
    throw_os_error(err, what);
  } catch (...) {
    return std::current_exception();
  }
}

}  // namespace

HttpServerCore::HttpServerCore(Loop& l, Router r, ServerOptions o)
    : loop(&l), router(std::move(r)), options(std::move(o)) {}

void HttpServerCore::watch() {
  loop->add_reader(listener.fd(), [self = shared_from_this()] { self->accept_ready(); });
}

// Up to backlog connections per readiness, as asyncio's _accept_connection.
void HttpServerCore::accept_ready() {
  for (int i = 0; i < options.backlog && !closed; ++i) {
    int fd = ::accept4(listener.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR || err == ECONNABORTED) return;
      if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        // Out of descriptors: the pending connections wait in the kernel's
        // queue while the socket rests, rather than spin on it.
        ExceptionContext context("socket.accept() out of system resource (corio::http::Server)",
                                 os_error(err, "accept"));
        loop->call_exception_handler(context);
        loop->remove_reader(listener.fd());
        retry = loop->call_later(kAcceptRetryDelay, [self = shared_from_this()] {
          if (!self->closed) self->watch();
        });
        return;
      }
      std::rethrow_exception(os_error(err, "accept"));
    }
    auto connection = std::make_shared<Connection>(shared_from_this());
    attach(*connection);
    Transport::make(Socket::adopt_nonblocking(fd), connection);
  }
}

void HttpServerCore::attach(Connection& c) {
  c.index = connections.size();
  connections.push_back(&c);
}

void HttpServerCore::detach(Connection& c) {
  if (c.index >= connections.size() || connections[c.index] != &c) return;
  connections[c.index] = connections.back();
  connections[c.index]->index = c.index;
  connections.pop_back();
  if (closed && connections.empty()) all_closed.set();
}

void HttpServerCore::close() {
  if (closed) return;
  closed = true;
  if (listener.is_open()) {
    loop->remove_reader(listener.fd());
    listener.close();
  }
  retry.cancel();
  if (forever && !forever->done()) forever->set_result();
  // A connection that closes at once leaves the list: walk a copy.
  std::vector<Connection*> now = connections;
  for (Connection* c : now) c->server_closing();
  if (connections.empty()) all_closed.set();
}

// @since 14
void HttpServerCore::close_clients() {
  for (Connection* c : connections) c->cancel();  // a request: nothing leaves the list yet
}

void HttpServerCore::abort_clients() {
  for (Connection* c : connections) c->abort();  // each leaves the list later, in its connection_lost
}
// @end

}  // namespace detail

// ---------------------------------------------------------------- Server

Coro<Server> Server::start(Router router, std::string host, int port, ServerOptions options) {
  Loop& loop = get_running_loop();
  // A numeric host as it is, a name's first address (getaddrinfo on the executor).
  std::vector<AddrInfo> infos = co_await corio::detail::ensure_resolved(host, port, AI_PASSIVE, "http::Server::start");
  if (infos.empty()) throw OSError("http::Server::start: getaddrinfo() returned no address for '" + host + "'");
  SocketAddress address = infos.front().address;
  auto core = std::make_shared<detail::HttpServerCore>(loop, std::move(router), std::move(options));
  core->listener = Socket::tcp(address.family());
  core->listener.set_reuse_address(true);
  if (core->options.reuse_port) {
    int one = 1;
    if (::setsockopt(core->listener.fd(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
      throw_os_error(errno, "http::Server::start: setsockopt(SO_REUSEPORT)");
    }
  }
  try {
    core->listener.bind(address);
  } catch (const OSError& e) {
    throw_os_error(e.code(),
                   "error while attempting to bind on address " + address.to_string() + " (http::Server::start)");
  }
  core->listener.listen(core->options.backlog);
  core->watch();
  co_return Server(std::move(core));
}

int Server::port() const {
  if (!s_->listener.is_open()) throw RuntimeError("http::Server::port(): the server is closed, it has no socket");
  return s_->listener.local_address().port();
}

void Server::close() { s_->close(); }
void Server::close_clients() { s_->close_clients(); }  // @since 14
void Server::abort_clients() { s_->abort_clients(); }  // @since 14

Coro<void> Server::wait_closed() {
  std::shared_ptr<detail::HttpServerCore> s = s_;
  co_await s->all_closed.wait();
}

Coro<void> Server::serve_forever() {
  std::shared_ptr<detail::HttpServerCore> s = s_;
  if (s->forever) throw RuntimeError("server is already being awaited on serve_forever() (http::Server)");
  if (s->closed) throw RuntimeError("server is closed (http::Server::serve_forever after close())");
  Future<void> forever;
  s->forever = forever;
  std::exception_ptr cancelled;
  try {
    co_await forever;
  } catch (const CancelledError&) {
    cancelled = std::current_exception();
  }
  s->forever.reset();
  s->close();
  co_await s->all_closed.wait();
  if (cancelled) std::rethrow_exception(cancelled);
}

std::size_t Server::connections() const { return s_->connections.size(); }
std::size_t Server::requests_served() const { return s_->requests_served; }

}  // namespace corio::http
