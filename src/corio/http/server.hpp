// @chapter 13
// A small HTTP/1.1 server on chapter 12's transports: a Router maps a method
// and a path to a handler (a coroutine returning a Response); Server::start
// listens and answers each connection's requests in order, keeping the
// connection alive between them, with a header-read timeout (408, then
// close) and an idle timeout (close) on the loop's clock, and closes
// gracefully: it stops accepting, finishes the requests in flight and
// closes idle connections. test_routes() is the stand-in for the remote
// APIs of the guide's examples (delays, failures, resets, stalls).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <corio/http/message.hpp>
#include <corio/http/parser.hpp>
#include <corio/tasks/coro.hpp>

namespace corio::http {

using Handler = std::function<Coro<Response>(Request)>;

// What a handler throws to reset its connection (RST, no answer): the
// server closes the socket with SO_LINGER 0. Not a std::exception, so a
// handler's catch (const std::exception&) lets it through.
struct AbortConnection {};

class Router {
 public:
  // path: exact ("/users") or a prefix ending in "/*" ("/delay/*" matches
  // "/delay/" and every path below it). An exact route wins over a prefix,
  // a longer prefix over a shorter one. InvalidArgument for an empty
  // handler, or a path not starting with '/'.
  Router& route(std::string method, std::string path, Handler handler);
  Router& get(std::string path, Handler handler) { return route("GET", std::move(path), std::move(handler)); }
  Router& post(std::string path, Handler handler) { return route("POST", std::move(path), std::move(handler)); }
  // 404 when no path matches, 405 (with Allow) when the path matches for
  // other methods only. HEAD is answered by a GET route: its Content-Length
  // kept, its body dropped.
  Coro<Response> dispatch(Request request) const;

 private:
  struct Route {
    std::string method;
    std::string path;  // a prefix keeps its trailing '/', without the '*'
    bool prefix;
    Handler handler;
  };
  const Route* find(std::string_view method, std::string_view path, std::string* allow) const;

  std::vector<Route> routes_;
};

struct ServerOptions {
  // Seconds from a request's first byte (or the connection's start) to its
  // whole head; then 408 and close. <= 0: none.
  double header_timeout = 10.0;
  // Seconds a keep-alive connection may wait for its next request (or a
  // request's body for its next bytes); then close. <= 0: none.
  double idle_timeout = 60.0;
  ParserLimits limits;
  int backlog = 100;
  bool reuse_port = false;  // SO_REUSEPORT (chapter 14's one loop per core)
};

namespace detail {
struct HttpServerCore;
}  // namespace detail

// A listening HTTP server. A handle: copies share it.
class Server {
 public:
  // Listens on host:port (port 0: one the system picks, see port()) and
  // serves router's routes from the next iteration on.
  static Coro<Server> start(Router router, std::string host, int port, ServerOptions options = {});

  int port() const;
  // Stops accepting; idle connections close at once, each request in
  // flight is answered (with "Connection: close") and its connection closed.
  void close();
  // Until close() and every connection is closed.
  Coro<void> wait_closed();
  // @since 14
  // Cancels every handler still running and closes every connection, what
  // was already written flushed first: a request gets its whole answer or
  // none. What a graceful shutdown does once its deadline has passed
  // (asyncio 3.13's Server.close_clients, which knows no handlers).
  void close_clients();
  // Closes every connection now, dropping what it has not sent (asyncio
  // 3.13's Server.abort_clients): for a client that stopped reading, whose
  // answer close_clients() would wait to flush for as long as it reads
  // nothing. Handlers still running are cancelled.
  void abort_clients();
  // @end
  // Serves until cancelled; then closes, waits for wait_closed(), and lets
  // the CancelledError out.
  Coro<void> serve_forever();

  std::size_t connections() const;  // open now
  std::size_t requests_served() const;

 private:
  explicit Server(std::shared_ptr<detail::HttpServerCore> core) : s_(std::move(core)) {}
  std::shared_ptr<detail::HttpServerCore> s_;
};

// The stand-in for the guide's remote APIs (httpbin-like), used by the
// chapter's programs, the tests and the benchmarks:
//   GET /                 "Hello, World!" (13 bytes, text/plain)
//   GET /delay/<ms>       "delayed <ms> ms" after ms milliseconds (the loop's clock)
//   GET /status/<code>    that status, body "status <code>"
//   GET /reset            resets the connection (RST) without answering
//   GET /stall            never answers (until the client gives up)
//   GET /bytes/<n>        n bytes of 'x'; /chunked/<n>: the same, chunked in 1 KiB chunks
//   POST /echo            the request's body back
//   GET /json/<name>      a small JSON object naming <name>
// A malformed number in a path is a 400 naming it.
Router test_routes();

}  // namespace corio::http
