// @chapter 14
// Fault injection on chapter 13's HTTP server: accept() out of descriptors,
// a client that resets its connection in the middle of a response, and a
// handler whose work a timeout cancels. After each the server goes on
// serving (a handler that throws is chapter 13's test: a 500, and the
// connection goes on). On the virtual clock, with real sockets.
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include <corio/corio.hpp>

#include "support/asan.hpp"
#include "support/corio_test.hpp"
#include "support/peer.hpp"
#include "support/streams_test.hpp"

using corio::Coro;
using corio::http::Request;
using corio::http::Response;
using corio::http::Router;
using corio::http::Server;
using corio_test::run;

namespace {

double now() { return corio::get_running_loop().time(); }

struct Wire {
  corio::Socket sock;
  std::string buffer;
  corio::http::Parser parser{corio::http::Parser::Kind::response};
};

Coro<Wire> connect(int port) {
  Wire w;
  w.sock = corio::Socket::tcp(AF_INET);
  co_await corio::sock_connect(w.sock, corio::SocketAddress::ip("127.0.0.1", port));
  co_return w;
}

std::string get(const std::string& target) { return "GET " + target + " HTTP/1.1\r\nHost: test\r\n\r\n"; }

// The next whole response; throws when the server closes first.
Coro<Response> response(Wire& w) {
  for (;;) {
    if (!w.buffer.empty()) {
      w.buffer.erase(0, w.parser.feed(w.buffer));
      if (w.parser.done()) co_return w.parser.take_response();
    }
    std::string data = co_await corio::sock_recv(w.sock, 65536);
    if (data.empty()) throw std::runtime_error("the server closed the connection before a whole response");
    w.buffer += data;
  }
}

// A fresh connection's GET: what a server that still serves answers.
Coro<Response> fresh_get(int port, const std::string& target) {
  Wire w = co_await connect(port);
  co_await corio::sock_sendall(w.sock, get(target));
  co_return co_await response(w);
}

}  // namespace

TEST_CASE("an HTTP server out of descriptors in accept reports it, rests a second, then serves the waiting client",
          "[ch14][http]") {
#if CORIO_TEST_ASAN
  WARN("not run under AddressSanitizer/UBSan: the sanitizer itself needs descriptors");
  return;
#endif
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
  struct Restore {
    rlimit limit;
    ~Restore() { ::setrlimit(RLIMIT_NOFILE, &limit); }
  } restore{saved};
  run([&]() -> Coro<> {
    std::vector<std::string> reported;
    corio::get_running_loop().set_exception_handler(
        [&](corio::Loop&, const corio::ExceptionContext& c) { reported.push_back(c.message); });
    Server server = co_await Server::start(corio::http::test_routes(), "127.0.0.1", 0);
    Wire w;
    w.sock = corio::Socket::tcp(AF_INET);
    // Every descriptor number below the next free one is taken.
    int next = ::dup(0);
    ::close(next);
    rlimit low = saved;
    low.rlim_cur = static_cast<rlim_t>(next);
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
    double start = now();
    co_await corio::sock_connect(w.sock, corio::SocketAddress::ip("127.0.0.1", server.port()));
    co_await corio::sock_sendall(w.sock, get("/"));
    while (reported.empty()) co_await corio::sleep(0);
    CHECK(reported == std::vector<std::string>{"socket.accept() out of system resource (corio::http::Server)"});
    CHECK(server.connections() == 0);
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &saved) == 0);
    Response r = co_await response(w);
    CHECK(now() - start == Approx(1.0).margin(1e-9));  // the rest, then the waiting client is accepted
    CHECK(r.status == 200);
    CHECK(r.body == "Hello, World!");
    CHECK(reported.size() == 1);
    Response again = co_await fresh_get(server.port(), "/");
    CHECK(again.status == 200);
    server.close();
    co_await server.wait_closed();
  });
}

TEST_CASE("a client that resets its connection in the middle of a long response leaves the server serving",
          "[ch14][http]") {
  int fds = corio_test::open_fd_count();
  corio_test::Diagnostics diagnostics;
  run([]() -> Coro<> {
    Server server = co_await Server::start(corio::http::test_routes(), "127.0.0.1", 0);
    Wire w = co_await connect(server.port());
    co_await corio::sock_sendall(w.sock, get("/bytes/50000000"));  // far more than the sockets' buffers hold
    std::string first = co_await corio::sock_recv(w.sock, 65536);
    CHECK(first.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);  // the answer has begun
    CHECK(server.connections() == 1);
    linger reset{1, 0};
    REQUIRE(::setsockopt(w.sock.fd(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset) == 0);
    w.sock.close();  // RST, the rest of the answer undelivered
    for (int i = 0; i < 10000 && server.connections() != 0; ++i) co_await corio::sleep(0.001);
    CHECK(server.connections() == 0);
    Response r = co_await fresh_get(server.port(), "/json/after");
    CHECK(r.status == 200);
    CHECK(r.body.find("after") != std::string::npos);
    server.close();
    co_await server.wait_closed();
  });
  CHECK(corio_test::open_fd_count() == fds);
  CHECK_FALSE(diagnostics.any_contains("Unhandled exception"));  // a reset peer is no handler's error
}

namespace {

// A handler whose slow lookup is bounded by a timeout: the lookup is
// cancelled (its cleanup runs), the handler answers 504, or, with nothing to
// catch the TimeoutError, the server answers 500.
struct Lookup {
  int cancelled = 0;
  Coro<std::string> slow() {
    try {
      co_await corio::sleep(10);
    } catch (const corio::CancelledError&) {
      ++cancelled;
      throw;
    }
    co_return "found";
  }
};

}  // namespace

TEST_CASE("a handler whose work a timeout cancels answers in time, and the connection goes on serving",
          "[ch14][http]") {
  corio_test::Diagnostics diagnostics;
  Lookup lookup;
  run([&]() -> Coro<> {
    Router router;
    router.get("/bounded", [&lookup](Request) -> Coro<Response> {
      try {
        co_return Response::text(200, co_await corio::wait_for(lookup.slow(), 0.5));
      } catch (const corio::TimeoutError&) {
      }
      co_return Response::text(504, "the lookup took too long");
    });
    router.get("/unbounded", [&lookup](Request) -> Coro<Response> {
      co_return Response::text(200, co_await corio::wait_for(lookup.slow(), 0.25));
    });
    router.get("/fast", [](Request) -> Coro<Response> { co_return Response::text(200, "fast"); });
    Server server = co_await Server::start(std::move(router), "127.0.0.1", 0);
    Wire w = co_await connect(server.port());
    double start = now();
    co_await corio::sock_sendall(w.sock, get("/bounded"));
    Response r = co_await response(w);
    CHECK(r.status == 504);
    CHECK(now() - start == Approx(0.5).margin(1e-9));
    co_await corio::sock_sendall(w.sock, get("/unbounded"));
    Response failed = co_await response(w);
    CHECK(failed.status == 500);
    co_await corio::sock_sendall(w.sock, get("/fast"));  // the same connection
    Response fast = co_await response(w);
    CHECK(fast.status == 200);
    CHECK(fast.body == "fast");
    CHECK(server.requests_served() == 3);
    server.close();
    co_await server.wait_closed();
  });
  CHECK(lookup.cancelled == 2);
  CHECK(diagnostics.any_contains("Unhandled exception in an HTTP handler"));
}
