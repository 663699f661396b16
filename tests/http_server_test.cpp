// @chapter 13
// corio::http::Server on 127.0.0.1, asked by a raw client made of chapter
// 12's socket calls (the bytes on the wire are the point), on the virtual
// clock: the header and idle timeouts close a connection after exactly their
// time, /delay answers after exactly its delay, graceful close finishes the
// request in flight. Keep-alive reuse, pipelining in order, every parse
// error's status on the wire, 404/405/HEAD, resets, stalls, and no fd left
// open after any of it.
#include <catch2/catch.hpp>

#include <sys/socket.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <corio/corio.hpp>

#include "support/corio_test.hpp"
#include "support/peer.hpp"
#include "support/streams_test.hpp"

using corio::Coro;
using corio::http::Request;
using corio::http::Response;
using corio::http::Router;
using corio::http::Server;
using corio::http::ServerOptions;
using corio_test::run;

namespace {

double now() { return corio::get_running_loop().time(); }

// One client connection, read with the response parser.
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

Coro<void> send(Wire& w, std::string text) { co_await corio::sock_sendall(w.sock, text); }

// The next whole response; throws when the server closes first.
Coro<Response> response(Wire& w, bool head = false) {
  if (head) w.parser.expect_head_response();
  for (;;) {
    if (!w.buffer.empty()) {
      w.buffer.erase(0, w.parser.feed(w.buffer));
      if (w.parser.done()) co_return w.parser.take_response();
    }
    std::string data = co_await corio::sock_recv(w.sock, 65536);
    if (data.empty()) {
      if (w.parser.feed_eof()) co_return w.parser.take_response();
      throw std::runtime_error("the server closed the connection before a whole response");
    }
    w.buffer += data;
  }
}

// Every byte up to the server's end of file.
Coro<std::string> rest(Wire& w) {
  std::string all = std::exchange(w.buffer, {});
  for (;;) {
    std::string data = co_await corio::sock_recv(w.sock, 65536);
    if (data.empty()) co_return all;
    all += data;
  }
}

std::string get(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: test\r\n" + extra + "\r\n";
}

}  // namespace

TEST_CASE("a keep-alive connection carries several requests, each answered with its Content-Length", "[ch13][http]") {
  int fds = corio_test::open_fd_count();
  run([]() -> Coro<void> {
    Server server = co_await Server::start(corio::http::test_routes(), "127.0.0.1", 0);
    Wire w = co_await connect(server.port());
    co_await send(w, get("/"));
    Response first = co_await response(w);
    CHECK(first.status == 200);
    CHECK(first.body == "Hello, World!");
    CHECK(first.headers.get("Content-Length") == "13");
    CHECK(first.headers.get("Content-Type") == "text/plain");
    CHECK_FALSE(first.headers.contains("Connection"));
    co_await send(w, get("/json/weather"));
    Response second = co_await response(w);
    CHECK(second.body == R"({"name": "weather", "status": "ok"})");
    CHECK(second.headers.get("Content-Type") == "application/json");
    CHECK(server.connections() == 1);
    CHECK(server.requests_served() == 2);
    w.sock.close();
    server.close();
    co_await server.wait_closed();
    CHECK(server.connections() == 0);
  });
  CHECK(corio_test::open_fd_count() == fds);
}

TEST_CASE("pipelined requests are answered in order, a slow one holding back the ones behind it", "[ch13][http]") {
  run([]() -> Coro<void> {
    Server server = co_await Server::start(corio::http::test_routes(), "127.0.0.1", 0);
    Wire w = co_await connect(server.port());
    double t0 = now();
    co_await send(w, get("/delay/300") + get("/") + get("/status/404") + get("/bytes/5"));
    std::vector<std::string> bodies;
    std::vector<double> times;
    for (int i = 0; i < 4; ++i) {
      Response r = co_await response(w);
      bodies.push_back(r.body);
      times.push_back(now() - t0);
    }
    CHECK(bodies == std::vector<std::string>{"delayed 300 ms", "Hello, World!", "status 404", "xxxxx"});
    CHECK(times == std::vector<double>{0.3, 0.3, 0.3, 0.3});
    CHECK(server.requests_served() == 4);
    server.close();
    co_await server.wait_closed();
  });
}

TEST_CASE("/delay/<ms> answers after exactly that many milliseconds of the loop's clock", "[ch13][http]") {
  run([]() -> Coro<void> {
    Server server = co_await Server::start(corio::http::test_routes(), "127.0.0.1", 0);
    Wire w = co_await connect(server.port());
    double t0 = now();
    co_await send(w, get("/delay/1250"));
    Response r = co_await response(w);
    CHECK(now() - t0 == 1.25);
    CHECK(r.body == "delayed 1250 ms");
    co_await send(w, get("/delay/soon"));
    Response bad = co_await response(w);
    CHECK(bad.status == 400);
    CHECK(bad.body == "Bad Request: /delay/soon: the delay in milliseconds must be a whole number from 0 to 3600000\n");
    server.close();
    co_await server.wait_closed();
  });
}

TEST_CASE("a client that sends half a request and stalls gets 408 and is closed after exactly the header timeout",
          "[ch13][http]") {
  int fds = corio_test::open_fd_count();
  run([]() -> Coro<void> {
    ServerOptions options;
    options.header_timeout = 2.5;
    Server server = co_await Server::start(corio::http::test_routes(), "127.0.0.1", 0, options);
    // The first request's head has the time from the connection's start.
    double t0 = now();
    Wire first = co_await connect(server.port());
    co_await corio::sleep(1);
    co_await send(first, "GET / HTTP/1.1\r\nHo");
    co_await corio::sleep(1);
    co_await send(first, "st: x\r\n");  // more bytes of the same head do not restart its time
    std::string answer = co_await rest(first);
    CHECK(now() - t0 == 2.5);
    CHECK(answer.starts_with("HTTP/1.1 408 Request Timeout\r\n"));
    CHECK(answer.find("\r\nConnection: close\r\n") != std::string::npos);
    // A later request's head has it from its first byte.
    Wire kept = co_await connect(server.port());
    co_await send(kept, get("/"));
    co_await response(kept);
    co_await corio::sleep(2);
    double t1 = now();
    co_await send(kept, "GET / HTTP/1.1\r\n");
    std::string later = co_await rest(kept);
    CHECK(now() - t1 == 2.5);
    CHECK(later.starts_with("HTTP/1.1 408 Request Timeout\r\n"));
    CHECK(server.connections() == 0);
    CHECK(server.requests_served() == 1);
    server.close();
    co_await server.wait_closed();
  });
  CHECK(corio_test::open_fd_count() == fds);
}

TEST_CASE("a connection that sends nothing gets 408 after the header timeout counted from its start", "[ch13][http]") {
  run([]() -> Coro<void> {
    ServerOptions options;
    options.header_timeout = 3;
    Server server = co_await Server::start(corio::http::test_routes(), "127.0.0.1", 0, options);
    double t0 = now();
    Wire w = co_await connect(server.port());
    std::string answer = co_await rest(w);
    CHECK(now() - t0 == 3);
    CHECK(answer.starts_with("HTTP/1.1 408 "));
    server.close();
    co_await server.wait_closed();
  });
}

TEST_CASE("an idle keep-alive connection is closed, without an answer, after exactly the idle timeout",
          "[ch13][http]") {
  run([]() -> Coro<void> {
    ServerOptions options;
    options.header_timeout = 1;
    options.idle_timeout = 7;
    Server server = co_await Server::start(corio::http::test_routes(), "127.0.0.1", 0, options);
    Wire w = co_await connect(server.port());
    co_await send(w, get("/delay/1500"));  // the handler's time counts against neither timeout
    co_await response(w);
    double t0 = now();
    std::string answer = co_await rest(w);
    CHECK(now() - t0 == 7);
    CHECK(answer.empty());
    CHECK(server.connections() == 0);
    server.close();
    co_await server.wait_closed();
  });
}

TEST_CASE("graceful close: idle connections close at once, the request in flight is answered, then all is closed",
          "[ch13][http]") {
  int fds = corio_test::open_fd_count();
  run([]() -> Coro<void> {
    Server server = co_await Server::start(corio::http::test_routes(), "127.0.0.1", 0);
    int port = server.port();
    Wire busy = co_await connect(port);
    Wire idle = co_await connect(port);
    co_await send(idle, get("/"));
    co_await response(idle);
    double t0 = now();
    co_await send(busy, get("/delay/2000"));
    co_await corio::sleep(0.5);
    CHECK(server.connections() == 2);
    server.close();
    // No one new gets in.
    corio::Socket late = corio::Socket::tcp(AF_INET);
    bool refused = co_await corio_test::throws<corio::ConnectionRefusedError>(
        corio::sock_connect(late, corio::SocketAddress::ip("127.0.0.1", port)));
    CHECK(refused);
    std::string idle_rest = co_await rest(idle);
    CHECK(idle_rest.empty());
    CHECK(now() - t0 == 0.5);
    auto closed = corio::create_task(server.wait_closed());
    Response answer = co_await response(busy);
    CHECK(now() - t0 == 2);
    CHECK(answer.body == "delayed 2000 ms");
    CHECK(answer.headers.get("Connection") == "close");
    std::string busy_rest = co_await rest(busy);
    CHECK(busy_rest.empty());
    co_await closed;
    CHECK(now() - t0 == 2);
    CHECK(server.connections() == 0);
  });
  CHECK(corio_test::open_fd_count() == fds);
}

TEST_CASE("every parse error is answered with its status and Connection: close, then the connection closes",
          "[ch13][http]") {
  struct Case {
    std::string request;
    int status;
  };
  const std::vector<Case> cases = {
      {"GET / HTTP/1.1\r\nHost x\r\n\r\n", 400},                                                // no colon
      {"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400},                                              // space before ':'
      {"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400},                                    // obs-fold
      {"POST /echo HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400},  // smuggling
      {"POST /echo HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400},
      {"GET / HTTP/1.1\rHost: x\r\n\r\n", 400},  // bare CR
      {"POST /echo HTTP/1.1\r\nContent-Length: 100\r\n\r\n", 413},
      {"GET /" + std::string(300, 'a') + " HTTP/1.1\r\n\r\n", 431},
      {"GET / HTTP/1.1\r\nX: " + std::string(150, 'b') + "\r\nY: " + std::string(150, 'c') + "\r\n\r\n", 431},
      {"GET / HTTP/2.0\r\n\r\n", 505},
      {"POST /echo HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
  };
  int fds = corio_test::open_fd_count();
  std::vector<int> statuses;
  std::vector<int> closes;
  run([&]() -> Coro<void> {
    ServerOptions options;
    options.limits.max_line = 256;
    options.limits.max_header_bytes = 256;
    options.limits.max_body = 10;
    Server server = co_await Server::start(corio::http::test_routes(), "127.0.0.1", 0, options);
    for (const Case& c : cases) {
      Wire w = co_await connect(server.port());
      co_await send(w, c.request);
      std::string raw = co_await rest(w);  // to the server's end of file
      corio::http::Parser parser(corio::http::Parser::Kind::response);
      parser.feed(raw);
      Response r = parser.take_response();
      statuses.push_back(r.status);
      closes.push_back(r.headers.get("Connection") == "close" ? r.status : 0);
    }
    CHECK(server.requests_served() == 0);
    server.close();
    co_await server.wait_closed();
  });
  std::vector<int> expected;
  for (const Case& c : cases) expected.push_back(c.status);
  CHECK(statuses == expected);
  CHECK(closes == expected);
  CHECK(corio_test::open_fd_count() == fds);
}

TEST_CASE("no route is a 404, another method's route a 405 with Allow, and HEAD is a GET without its body",
          "[ch13][http]") {
  run([]() -> Coro<void> {
    Server server = co_await Server::start(corio::http::test_routes(), "127.0.0.1", 0);
    Wire w = co_await connect(server.port());
    co_await send(w, get("/nowhere"));
    Response missing = co_await response(w);
    CHECK(missing.status == 404);
    CHECK(missing.body == "Not Found: no route for GET /nowhere\n");
    co_await send(w, "DELETE /?x=1 HTTP/1.1\r\n\r\n");
    Response wrong = co_await response(w);
    CHECK(wrong.status == 405);
    CHECK(wrong.headers.get("Allow") == "GET, HEAD");
    co_await send(w, get("/echo"));
    Response post_only = co_await response(w);
    CHECK(post_only.status == 405);
    CHECK(post_only.headers.get("Allow") == "POST");
    co_await send(w, "HEAD /bytes/100 HTTP/1.1\r\n\r\n");
    Response head = co_await response(w, true);
    CHECK(head.status == 200);
    CHECK(head.headers.get("Content-Length") == "100");
    CHECK(head.body.empty());
    // Nothing of a body followed the head: the next answer parses.
    co_await send(w, "POST /echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
    Response echoed = co_await response(w);
    CHECK(echoed.body == "hello");
    CHECK(server.connections() == 1);
    server.close();
    co_await server.wait_closed();
  });
}

TEST_CASE("a router picks an exact path over a prefix, the longest prefix, and HEAD's own route over GET's",
          "[ch13][http]") {
  auto answer = [](std::string text) {
    return [text](Request) -> Coro<Response> { co_return Response::text(200, text); };
  };
  Router router;
  router.get("/a/*", answer("a/*"))
      .get("/a/b/*", answer("a/b/*"))
      .get("/a/b/c", answer("a/b/c"))
      .route("HEAD", "/h", answer("head"))
      .get("/h", answer("get"));
  CHECK_THROWS_WITH(router.get("users", answer("x")), Catch::Matchers::Contains("a path starts with '/'"));
  std::vector<std::string> bodies;
  run([&]() -> Coro<void> {
    for (std::string target : {"/a/x", "/a/b/x", "/a/b/c", "/a/", "/a/b/c/d"}) {
      Request r;
      r.target = target;
      Response answered = co_await router.dispatch(r);
      bodies.push_back(answered.body);
    }
    Request head;
    head.method = "HEAD";
    head.target = "/h";
    Response head_answer = co_await router.dispatch(head);
    bodies.push_back(head_answer.body);
    Request bare;
    bare.target = "/a";
    Response bare_answer = co_await router.dispatch(bare);
    bodies.push_back(std::to_string(bare_answer.status));
  });
  CHECK(bodies == std::vector<std::string>{"a/*", "a/b/*", "a/b/c", "a/*", "a/b/*", "head", "404"});
}

TEST_CASE("HTTP/1.0 closes after the answer unless it asks for keep-alive, and Connection: close is honoured",
          "[ch13][http]") {
  run([]() -> Coro<void> {
    Server server = co_await Server::start(corio::http::test_routes(), "127.0.0.1", 0);
    Wire old = co_await connect(server.port());
    co_await send(old, "GET / HTTP/1.0\r\n\r\n");
    std::string raw = co_await rest(old);
    CHECK(raw.starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK(raw.find("\r\nConnection: close\r\n") != std::string::npos);
    CHECK(raw.ends_with("\r\n\r\nHello, World!"));
    Wire kept = co_await connect(server.port());
    co_await send(kept, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    Response r = co_await response(kept);
    CHECK(r.headers.get("Connection") == "keep-alive");
    co_await send(kept, get("/", "Connection: close\r\n"));
    Response last = co_await response(kept);
    CHECK(last.headers.get("Connection") == "close");
    std::string kept_rest = co_await rest(kept);
    CHECK(kept_rest.empty());
    server.close();
    co_await server.wait_closed();
  });
}

TEST_CASE("/chunked/<n> goes in 1 KiB chunks, /echo returns the body it got chunked", "[ch13][http]") {
  run([]() -> Coro<void> {
    Server server = co_await Server::start(corio::http::test_routes(), "127.0.0.1", 0);
    Wire w = co_await connect(server.port());
    co_await send(w, get("/chunked/2500", "Connection: close\r\n"));
    std::string raw = co_await rest(w);
    std::size_t body = raw.find("\r\n\r\n") + 4;
    CHECK(raw.substr(0, body).find("\r\nTransfer-Encoding: chunked\r\n") != std::string::npos);
    CHECK(raw.substr(body) == "400\r\n" + std::string(1024, 'x') + "\r\n400\r\n" + std::string(1024, 'x') +
                                  "\r\n1c4\r\n" + std::string(452, 'x') + "\r\n0\r\n\r\n");
    Wire up = co_await connect(server.port());
    co_await send(up,
                  "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Type: text/x\r\n\r\n"
                  "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    Response r = co_await response(up);
    CHECK(r.body == "hello world");
    CHECK(r.headers.get("Content-Type") == "text/x");
    server.close();
    co_await server.wait_closed();
  });
}

TEST_CASE("/reset resets the connection, /status/<code> answers that status", "[ch13][http]") {
  int fds = corio_test::open_fd_count();
  run([]() -> Coro<void> {
    Server server = co_await Server::start(corio::http::test_routes(), "127.0.0.1", 0);
    Wire w = co_await connect(server.port());
    co_await send(w, get("/status/503"));
    Response r = co_await response(w);
    CHECK(r.status == 503);
    CHECK(r.reason == "Service Unavailable");
    CHECK(r.body == "status 503");
    co_await send(w, get("/reset"));
    bool reset = co_await corio_test::throws<corio::ConnectionResetError>(corio::sock_recv(w.sock, 100));
    CHECK(reset);
    CHECK(server.requests_served() == 1);
    server.close();
    co_await server.wait_closed();
  });
  CHECK(corio_test::open_fd_count() == fds);
}

TEST_CASE("a client that leaves during /stall cancels its handler and its connection closes", "[ch13][http]") {
  int fds = corio_test::open_fd_count();
  run([]() -> Coro<void> {
    Server server = co_await Server::start(corio::http::test_routes(), "127.0.0.1", 0);
    Wire w = co_await connect(server.port());
    co_await send(w, get("/stall"));
    co_await corio::sleep(30);
    CHECK(server.connections() == 1);
    w.sock.close();
    co_await corio::sleep(0.001);
    CHECK(server.connections() == 0);
    CHECK(server.requests_served() == 0);
    server.close();
    co_await server.wait_closed();
  });
  CHECK(corio_test::open_fd_count() == fds);
}

TEST_CASE("a handler that throws gets a 500 and its error goes to the loop's exception handler", "[ch13][http]") {
  corio_test::Diagnostics diagnostics;
  run([]() -> Coro<void> {
    Router router;
    router.get("/boom", [](Request) -> Coro<Response> {
      throw std::logic_error("boom");
      co_return Response{};
    });
    Server server = co_await Server::start(std::move(router), "127.0.0.1", 0);
    Wire w = co_await connect(server.port());
    co_await send(w, get("/boom"));
    Response r = co_await response(w);
    CHECK(r.status == 500);
    co_await send(w, get("/boom"));  // the connection goes on
    Response again = co_await response(w);
    CHECK(again.status == 500);
    server.close();
    co_await server.wait_closed();
  });
  CHECK(diagnostics.any_contains("Unhandled exception in an HTTP handler"));
  CHECK(diagnostics.any_contains("boom"));
}

TEST_CASE("a handler's error of any type, or a response that cannot be serialized, gets a 500 and is reported",
          "[ch13][http]") {
  corio_test::Diagnostics diagnostics;
  int fds = corio_test::open_fd_count();
  run([]() -> Coro<void> {
    Router router;
    router.get("/int", [](Request) -> Coro<Response> {
      throw 42;  // not a std::exception
      co_return Response{};
    });
    router.get("/header", [](Request) -> Coro<Response> {
      Response r = Response::text(200, "ok\n");
      r.headers.add("X-Echo", "a\r\nSet-Cookie: injected");  // CR LF in a value: refused by serialize
      co_return r;
    });
    Server server = co_await Server::start(std::move(router), "127.0.0.1", 0);
    Wire w = co_await connect(server.port());
    co_await send(w, get("/int"));
    Response r = co_await response(w);
    CHECK(r.status == 500);
    co_await send(w, get("/header"));
    Response bad = co_await response(w);
    CHECK(bad.status == 500);
    CHECK(bad.headers.get("Connection") == "close");
    CHECK_FALSE(bad.headers.contains("Set-Cookie"));
    CHECK(co_await rest(w) == "");  // then the server closes the connection
    CHECK(server.connections() == 0);
    server.close();
    co_await corio::wait_for(server.wait_closed(), 1.0);
  });
  CHECK(diagnostics.any_contains("Unhandled exception in an HTTP handler"));
  CHECK(diagnostics.any_contains("could not be serialized"));
  CHECK(corio_test::open_fd_count() == fds);
}

// @since 14
TEST_CASE("close_clients() closes a connection at any point after its accept, even before its task has run",
          "[ch14][http]") {
  int fds = corio_test::open_fd_count();
  run([]() -> Coro<void> {
    for (int yields = 0; yields < 4; ++yields) {
      Server server = co_await Server::start(corio::http::test_routes(), "127.0.0.1", 0);
      Wire w = co_await connect(server.port());
      while (server.connections() == 0) co_await corio::sleep(0);
      for (int i = 0; i < yields; ++i) co_await corio::sleep(0);
      server.close();
      server.close_clients();
      co_await corio::wait_for(server.wait_closed(), 1.0);  // TimeoutError if a connection stayed open
      CHECK(server.connections() == 0);
      CHECK(co_await rest(w) == "");
    }
  });
  CHECK(corio_test::open_fd_count() == fds);
}
// @end

TEST_CASE("a client that pipelines requests and then resets gets none of the rest answered", "[ch13][http]") {
  corio_test::Diagnostics diagnostics;
  run([]() -> Coro<void> {
    Server server = co_await Server::start(corio::http::test_routes(), "127.0.0.1", 0);
    Wire w = co_await connect(server.port());
    std::string many;
    for (int i = 0; i < 200; ++i) many += get("/bytes/100000");
    co_await send(w, many);
    linger reset_on_close{1, 0};
    ::setsockopt(w.sock.fd(), SOL_SOCKET, SO_LINGER, &reset_on_close, sizeof reset_on_close);
    w.sock.close();  // the server reads the requests, then finds the reset when it writes the first answer
    co_await corio::sleep(0.01);
    CHECK(server.requests_served() <= 1);
    CHECK(server.connections() == 0);
    server.close();
    co_await corio::wait_for(server.wait_closed(), 1.0);
  });
}

// @since 14
TEST_CASE("abort_clients() closes a connection whose client stopped reading, which close_clients() cannot flush",
          "[ch14][http]") {
  int fds = corio_test::open_fd_count();
  run([]() -> Coro<void> {
    Server server = co_await Server::start(corio::http::test_routes(), "127.0.0.1", 0);
    Wire w = co_await connect(server.port());
    int small = 4096;
    ::setsockopt(w.sock.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    co_await send(w, get("/bytes/8000000"));  // and never read
    co_await corio::sleep(0.1);
    server.close();
    server.close_clients();
    bool stuck = co_await corio_test::throws<corio::TimeoutError>(corio::wait_for(server.wait_closed(), 1.0));
    CHECK(stuck);  // the answer waits to be flushed to a client that reads nothing
    CHECK(server.connections() == 1);
    server.abort_clients();
    co_await corio::wait_for(server.wait_closed(), 1.0);
    CHECK(server.connections() == 0);
  });
  CHECK(corio_test::open_fd_count() == fds);
}
// @end

TEST_CASE("http::Server::start refuses a port outside 0-65535, for a name as for a number", "[ch13][http]") {
  run([]() -> Coro<void> {
    for (std::string host : {"127.0.0.1", "localhost"}) {
      std::string error = co_await corio_test::error_message(Server::start(Router(), host, 70000));
      CHECK(error == "http::Server::start: port 70000 is outside 0-65535");
    }
  });
}

TEST_CASE("serve_forever serves until cancelled, then closes and waits for its connections", "[ch13][http]") {
  run([]() -> Coro<void> {
    Server server = co_await Server::start(corio::http::test_routes(), "127.0.0.1", 0);
    auto forever = corio::create_task(server.serve_forever());
    Wire w = co_await connect(server.port());
    co_await send(w, get("/delay/100"));
    co_await corio::sleep(0.05);
    forever.cancel();
    Response r = co_await response(w);
    CHECK(r.headers.get("Connection") == "close");
    bool cancelled = co_await corio_test::throws<corio::CancelledError>(forever);
    CHECK(cancelled);
    CHECK(server.connections() == 0);
  });
}

TEST_CASE("a port in use is refused with the address named, unless every server on it sets reuse_port",
          "[ch13][http]") {
  int fds = corio_test::open_fd_count();
  run([]() -> Coro<void> {
    ServerOptions shared;
    shared.reuse_port = true;
    Server first = co_await Server::start(corio::http::test_routes(), "127.0.0.1", 0, shared);
    int port = first.port();
    std::string refused =
        co_await corio_test::error_message(Server::start(corio::http::test_routes(), "127.0.0.1", port));
    CHECK(refused.starts_with("error while attempting to bind on address 127.0.0.1:" + std::to_string(port)));
    Server second = co_await Server::start(corio::http::test_routes(), "127.0.0.1", port, shared);
    CHECK(second.port() == port);
    first.close();
    second.close();
    co_await first.wait_closed();
    co_await second.wait_closed();
  });
  CHECK(corio_test::open_fd_count() == fds);
}
