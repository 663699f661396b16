// @chapter 13
#include <corio/http/client.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <exception>
#include <optional>
#include <span>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#include <corio/cancellation/timeout.hpp>
#include <corio/errors.hpp>
#include <corio/http/detail/eof.hpp>
#include <corio/http/detail/pool.hpp>
#include <corio/net/address.hpp>
#include <corio/net/resolve.hpp>
#include <corio/net/socket.hpp>

namespace corio::http {

namespace {

using detail::Pool;
using detail::PooledConnection;

constexpr std::size_t kReadChunk = 16 * 1024;

// What the error messages say about the request: "GET http://host/path".
struct Call {
  std::string method;
  std::string url;
  std::string line() const { return method + " " + url; }
};

std::string seconds_text(double s) {
  std::ostringstream out;
  out << s;
  return out.str();
}

// The message of each timeout: which one, its seconds, what was waited
// for, the request, and the field that sets it.
std::string timeout_message(const char* name, double seconds, const std::string& waiting_for, const Call& call) {
  return std::string(name) + " timeout (" + seconds_text(seconds) + " s) passed while " + waiting_for + " for " +
         call.line() + "; Timeouts::" + name + " sets it";
}

// body under a limit of seconds (none when <= 0): its result, or Error
// with the message above once the limit passed. A TimeoutError that is
// not this limit's (a socket's ETIMEDOUT) passes through as it is.
template <class Error, class T>
Coro<T> within(double seconds, const char* name, std::string waiting_for, const Call& call, Coro<T> body) {
  if (seconds <= 0) co_return co_await std::move(body);
  Timeout deadline = timeout(seconds);
  try {
    co_return co_await deadline.run(std::move(body));
  } catch (const TimeoutError&) {
    if (!deadline.expired()) throw;
  }
  throw Error(timeout_message(name, seconds, waiting_for, call));
}

// Later fields replace every earlier field of their name.
void merge(Headers& into, const Headers& from) {
  for (const auto& field : from.fields()) into.remove(field.first);
  for (const auto& field : from.fields()) into.add(field.first, field.second);
}

std::optional<SocketAddress> numeric_address(const std::string& host, int port) {
  in6_addr buf;
  if (::inet_pton(AF_INET, host.c_str(), &buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), &buf) == 1) {
    return SocketAddress::ip(host, port);
  }
  return std::nullopt;
}

// A numeric host connects at once; a name resolves on the executor first
// (getaddrinfo blocks), and each of its addresses is tried in turn.
Coro<std::unique_ptr<PooledConnection>> connect(const Url& url, std::string key, const Call& call) {
  std::vector<SocketAddress> addresses;
  if (std::optional<SocketAddress> a = numeric_address(url.host, url.port)) {
    addresses.push_back(*a);
  } else {
    for (const AddrInfo& info : co_await getaddrinfo(url.host, std::to_string(url.port))) {
      addresses.push_back(info.address);
    }
  }
  std::exception_ptr failure;
  for (const SocketAddress& address : addresses) {
    auto c = std::make_unique<PooledConnection>();
    c->socket = Socket::tcp(address.family());
    try {
      co_await sock_connect(c->socket, address);
      int on = 1;
      ::setsockopt(c->socket.fd(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
      c->key = std::move(key);
      co_return c;
    } catch (const ConnectionRefusedError& e) {
      failure = std::make_exception_ptr(ConnectionRefusedError(call.line() + ": " + e.what(), e.code()));
    } catch (const OSError&) {
      failure = std::current_exception();
    }
  }
  if (!failure) failure = std::make_exception_ptr(OSError(call.line() + ": getaddrinfo gave no address for " + key));
  std::rethrow_exception(failure);
}

// One request and its response on connection c. received: some bytes of
// the response came; reusable: the connection may carry another exchange.
Coro<Response> exchange(PooledConnection& c, const std::string& wire, const Call& call, const ClientOptions& options,
                        bool& received, bool& reusable) {
  const Timeouts& t = options.timeouts;
  co_await within<WriteTimeout>(t.write, "write", "sending the request", call, sock_sendall(c.socket, wire));
  Parser parser(Parser::Kind::response, options.parser);
  if (call.method == "HEAD") parser.expect_head_response();
  if (!c.buffer) c.buffer = std::make_unique_for_overwrite<char[]>(kReadChunk);
  for (;;) {
    std::size_t n = co_await within<ReadTimeout>(t.read, "read", "waiting for the response", call,
                                                 sock_recv_into(c.socket, std::span<char>(c.buffer.get(), kReadChunk)));
    if (n == 0) {
      if (!parser.started())
        throw RemoteProtocolError("Server disconnected without sending a response: " + call.line());
      if (std::optional<std::string> why = detail::cut_short_at_eof(parser))
        throw RemoteProtocolError("Server disconnected in the middle of the response to " + call.line() + *why);
      reusable = false;  // read to the close
      co_return parser.take_response();
    }
    received = true;
    std::string_view data(c.buffer.get(), n);
    while (!data.empty()) {
      std::size_t used = 0;
      try {
        used = parser.feed(data);
      } catch (const HttpParseError& e) {
        throw RemoteProtocolError("malformed response to " + call.line() + ": " + e.what());
      }
      data.remove_prefix(used);
      if (!parser.done()) break;
      Response response = parser.take_response();
      if (response.status >= 100 && response.status < 200 && response.status != 101) continue;  // the real one follows
      // Bytes past the response were never asked for: the connection is
      // out of step, so it closes.
      reusable = response.keep_alive() && data.empty();
      co_return response;
    }
  }
}

// The request's exchange, on a pooled connection or a new one. A pooled
// connection that fails before any byte of the response came was most
// likely closed by the server while idle (its keep-alive timeout raced
// the request): the request goes again, once, on a new connection.
Coro<Response> send(std::shared_ptr<Pool> pool, Call call, Url url, std::string wire, bool keep_alive) {
  const Timeouts& t = pool->options().timeouts;
  std::string waiting = "waiting for a free connection (all " + std::to_string(pool->options().limits.max_connections) +
                        " of PoolLimits::max_connections in use)";
  detail::Lease lease = co_await within<PoolTimeout>(t.pool, "pool", waiting, call, detail::lease(pool));
  if (pool->closed()) throw RuntimeError("Cannot send a request, as the client has been closed: " + call.line());
  std::string key = url.host + ":" + std::to_string(url.port);
  bool fresh_only = false;
  for (;;) {
    if (!fresh_only) lease.connection = pool->take_idle(key);
    if (!lease.connection) {
      pool->make_room();
      lease.connection =
          co_await within<ConnectTimeout>(t.connect, "connect", "connecting to " + key, call, connect(url, key, call));
      pool->count_opened();
    }
    bool reused = lease.connection->reused;
    bool received = false;
    bool reusable = false;
    std::optional<Response> response;
    std::exception_ptr failure;
    try {
      response = co_await exchange(*lease.connection, wire, call, pool->options(), received, reusable);
    } catch (const RemoteProtocolError&) {
      failure = std::current_exception();
    } catch (const ConnectionError& e) {
      failure = std::make_exception_ptr(
          RemoteProtocolError("Server " + std::string(dynamic_cast<const BrokenPipeError*>(&e) ? "closed" : "reset") +
                                  " the connection before a whole response to " + call.line() + " (" + e.what() + ")",
                              e.code()));
    }
    if (response) {
      if (reusable && keep_alive) {
        lease.put_back();
      }
      response->url = std::move(call.url);
      co_return std::move(*response);
    }
    lease.connection.reset();
    if (!reused || received || fresh_only) std::rethrow_exception(failure);
    fresh_only = true;
  }
}

// The request's head and body, built before anything is sent: an invalid
// URL fails here, before any connection.
Coro<Response> request_on(std::shared_ptr<Pool> pool, std::string method, std::string url, std::string body,
                          Headers headers) {
  if (pool->closed()) throw RuntimeError("Cannot send a request, as the client has been closed: " + method + " " + url);
  Url parsed = Url::parse(url);
  Request request;
  request.method = std::move(method);
  request.target = parsed.target;
  request.headers.add("Host", parsed.authority());
  request.headers.add("Accept", "*/*");
  request.headers.add("User-Agent", "corio-http");
  merge(request.headers, pool->options().headers);
  merge(request.headers, headers);
  bool sends_body = !body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
  if (sends_body && !request.headers.contains("Content-Length") && !request.headers.contains("Transfer-Encoding")) {
    request.headers.set("Content-Length", std::to_string(body.size()));
  }
  request.body = std::move(body);
  Call call{request.method, std::move(url)};
  co_return co_await send(std::move(pool), std::move(call), std::move(parsed), serialize(request),
                          request.keep_alive());
}

}  // namespace

Client::Client(ClientOptions options) : pool_(std::make_shared<Pool>(std::move(options))) {}

Coro<Response> Client::request(std::string method, std::string url, std::string body, Headers headers) {
  return request_on(pool_, std::move(method), std::move(url), std::move(body), std::move(headers));
}

Coro<Response> Client::get(std::string url, Headers headers) {
  return request("GET", std::move(url), {}, std::move(headers));
}

Coro<Response> Client::post(std::string url, std::string body, Headers headers) {
  return request("POST", std::move(url), std::move(body), std::move(headers));
}

Coro<void> Client::aclose() {
  pool_->close();
  co_return;
}

std::size_t Client::connections_opened() const { return pool_->opened(); }

std::size_t Client::connections_idle() const { return pool_->idle(); }

}  // namespace corio::http
