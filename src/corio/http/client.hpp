// @chapter 13
// An HTTP/1.1 client in the manner of httpx's AsyncClient: one Client is
// reused for many requests, and keeps a pool of keep-alive connections per
// host:port so that a second request to a server skips the TCP handshake.
//
//   corio::http::Client client;
//   corio::http::Response r = co_await client.get("http://127.0.0.1:8080/");
//   r.raise_for_status();
//
// Every wait is bounded by one of four timeouts (httpx's): connecting,
// each read, each write, and waiting for a free connection when the pool
// is at max_connections. Each raises its own TimeoutError subclass, whose
// message names the timeout, the request and the seconds. Plain HTTP only:
// an https:// URL is InvalidURL before anything is sent.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include <corio/http/message.hpp>
#include <corio/http/parser.hpp>
#include <corio/tasks/coro.hpp>

namespace corio::http {

namespace detail {
class Pool;
}  // namespace detail

// Seconds; 0 or less: no limit. httpx's defaults.
struct Timeouts {
  double connect = 5.0;  // resolving the host and the TCP handshake (ConnectTimeout)
  double read = 5.0;     // each wait for bytes of the response (ReadTimeout)
  double write = 5.0;    // sending the request (WriteTimeout)
  double pool = 5.0;     // waiting for a free connection at max_connections (PoolTimeout)
};

struct PoolLimits {
  std::size_t max_connections = 100;  // open at once, over every host; at least 1
  std::size_t max_keepalive = 20;     // idle connections kept for reuse; 0: close each after its response
};

struct ClientOptions {
  Timeouts timeouts;
  PoolLimits limits;
  ParserLimits parser;  // for the responses
  Headers headers;      // sent with every request (a request's own headers of the same name win)
};

// A handle, as httpx.AsyncClient is one object: copies share the pool.
// Requests may run concurrently from many tasks of the loop's thread.
class Client {
 public:
  // ValueError when limits.max_connections is 0.
  explicit Client(ClientOptions options = {});

  // Sends method url (http://host[:port]/path?query) with body and headers
  // (beside Host, Accept, User-Agent, the client's headers and, with a
  // body, Content-Length) and returns the whole response, whatever its
  // status (raise_for_status() turns 4xx/5xx into HttpStatusError).
  // InvalidURL, ConnectTimeout, ReadTimeout, WriteTimeout, PoolTimeout,
  // RemoteProtocolError (the server closed or reset the connection before
  // a whole response, or sent a malformed one), the connect call's OSError
  // (ConnectionRefusedError, AddressResolutionError), RuntimeError after
  // aclose(). Cancelled, it closes the connection it was using.
  Coro<Response> request(std::string method, std::string url, std::string body = {}, Headers headers = {});
  Coro<Response> get(std::string url, Headers headers = {});
  Coro<Response> post(std::string url, std::string body, Headers headers = {});

  // Closes every idle connection; those in use close when their request
  // ends, and requests from now on raise RuntimeError.
  Coro<void> aclose();

  std::size_t connections_opened() const;  // TCP connections made so far
  std::size_t connections_idle() const;    // kept alive in the pool now

 private:
  std::shared_ptr<detail::Pool> pool_;
};

// A blocking GET on plain POSIX sockets with the same parser, sending
// "Connection: close": the synchronous client of the chapter's baselines
// (what requests.get does without a session). timeout bounds the connect
// and each read and write (ConnectTimeout, ReadTimeout, WriteTimeout).
Response blocking_get(std::string url, double timeout = 30.0);

}  // namespace corio::http
