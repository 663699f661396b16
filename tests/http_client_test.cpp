// @chapter 13
// corio::http::Client against scripted servers on 127.0.0.1, in the same
// loop, on the virtual clock: each timeout fires at exactly its limit, and
// the pool is counted from the server's side (connections accepted, open at
// once). A scripted server reads each request with corio's own parser and
// answers with the raw bytes a test writes, so it can also misbehave: close
// while idle, close instead of answering, reset in the middle of a body,
// never answer.
#include <sys/socket.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include <corio/corio.hpp>

#include "support/corio_test.hpp"
#include "support/peer.hpp"
#include "support/streams_test.hpp"

namespace {

using corio::Coro;
using corio::Socket;
using corio::SocketAddress;
using corio::http::Client;
using corio::http::ClientOptions;
using corio::http::Request;
using corio::http::Response;

// What a scripted server does with one request: writes its answer (or
// not) on the socket and says whether the connection stays open.
// conn: the connection's number (0 for the first accepted), index: the
// request's number on it.
using Answer = std::function<Coro<bool>(Socket& socket, const Request& request, int conn, int index)>;

struct ServerState {
  Socket listener;
  Answer answer;
  int accepted = 0;
  int open = 0;
  int peak = 0;  // most connections open at once
  int requests = 0;
  std::vector<std::string> targets;  // every request's target, in order
  std::vector<corio::Task<void>> tasks;
};

Coro<void> serve_connection(std::shared_ptr<ServerState> s, Socket socket, int conn) {
  ++s->open;
  s->peak = std::max(s->peak, s->open);
  corio::http::Parser parser(corio::http::Parser::Kind::request);
  std::string pending;
  int index = 0;
  for (bool open = true; open;) {
    while (!parser.done()) {
      if (pending.empty()) {
        pending = co_await corio::sock_recv(socket, 65536);
        if (pending.empty()) {
          open = false;
          break;
        }
      }
      pending.erase(0, parser.feed(pending));
    }
    if (!open) break;
    Request request = parser.take_request();
    ++s->requests;
    s->targets.push_back(request.target);
    open = co_await s->answer(socket, request, conn, index++);
  }
  socket.close();
  --s->open;
}

Coro<void> accept_loop(std::shared_ptr<ServerState> s) {
  for (;;) {
    auto [socket, peer] = co_await corio::sock_accept(s->listener);
    int conn = s->accepted++;
    s->tasks.push_back(corio::create_task(serve_connection(s, std::move(socket), conn)));
  }
}

// A scripted server on 127.0.0.1 (port chosen by the system). stop()
// cancels its tasks and waits for them, closing every socket.
class ScriptedServer {
 public:
  explicit ScriptedServer(Answer answer, int backlog = 100) : s_(std::make_shared<ServerState>()) {
    s_->answer = std::move(answer);
    s_->listener = Socket::tcp();
    s_->listener.bind(SocketAddress::ip("127.0.0.1", 0));
    s_->listener.listen(backlog);
    accept_ = corio::create_task(accept_loop(s_));
  }
  std::string url(const std::string& target = "/") const {
    return "http://127.0.0.1:" + std::to_string(s_->listener.local_address().port()) + target;
  }
  const ServerState& state() const { return *s_; }
  Coro<void> stop() {
    accept_.cancel();
    for (corio::Task<void>& t : s_->tasks) t.cancel();
    co_await corio::gather(corio::return_exceptions, accept_);
    for (corio::Task<void>& t : s_->tasks) co_await corio::gather(corio::return_exceptions, t);
    s_->tasks.clear();
    s_->listener.close();
  }

 private:
  std::shared_ptr<ServerState> s_;
  corio::Task<void> accept_;
};

std::string ok(const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra + "\r\n" + body;
}

// Answers every request with 200 and body "<target>", keep-alive.
Answer echo_target(double delay = 0) {
  return [delay](Socket& socket, const Request& request, int, int) -> Coro<bool> {
    if (delay > 0) co_await corio::sleep(delay);
    co_await corio::sock_sendall(socket, ok(request.target));
    co_return true;
  };
}

// Waits for ever (until the server stops).
Answer never_answer() {
  return [](Socket&, const Request&, int, int) -> Coro<bool> {
    corio::Event never;
    co_await never.wait();
    co_return false;
  };
}

void reset_now(Socket& socket) {
  linger l{1, 0};
  ::setsockopt(socket.fd(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
  socket.close();
}

double now() { return corio::get_running_loop().time(); }

// A listener that never accepts, on 127.0.0.1.
Socket deaf_listener(int backlog) {
  Socket listener = Socket::tcp();
  listener.bind(SocketAddress::ip("127.0.0.1", 0));
  listener.listen(backlog);
  return listener;
}

// Connects to listener until a connect stays in progress: its backlog is
// full, and the kernel drops further SYNs, so a connect to it hangs.
Coro<std::vector<Socket>> fill_backlog(const Socket& listener) {
  std::vector<Socket> fillers;
  for (int i = 0; i < 16; ++i) {
    fillers.push_back(Socket::tcp());
    if (co_await corio_test::throws<corio::TimeoutError>(
            corio::wait_for(corio::sock_connect(fillers.back(), listener.local_address()), 0.5))) {
      break;
    }
  }
  co_return fillers;
}

std::string url_of(const Socket& listener) {
  return "http://127.0.0.1:" + std::to_string(listener.local_address().port()) + "/";
}

}  // namespace

TEST_CASE("a hundred sequential GETs to one server open one connection and reuse it", "[ch13][http]") {
  corio_test::run([]() -> Coro<void> {
    ScriptedServer server(echo_target());
    Client client;
    for (int i = 0; i < 100; ++i) {
      Response r = co_await client.get(server.url("/n/" + std::to_string(i)));
      CHECK(r.status == 200);
      CHECK(r.body == "/n/" + std::to_string(i));
      CHECK(r.url == server.url("/n/" + std::to_string(i)));
    }
    CHECK(client.connections_opened() == 1);
    CHECK(client.connections_idle() == 1);
    CHECK(server.state().accepted == 1);
    CHECK(server.state().requests == 100);
    co_await client.aclose();
    co_await server.stop();
  });
}

TEST_CASE("the client sends Host, its own headers and a request's headers, the request's winning", "[ch13][http]") {
  corio_test::run([]() -> Coro<void> {
    std::vector<Request> seen;
    ScriptedServer server([&seen](Socket& socket, const Request& request, int, int) -> Coro<bool> {
      seen.push_back(request);
      co_await corio::sock_sendall(socket, ok("ok"));
      co_return true;
    });
    ClientOptions options;
    // (add() rather than braces: GCC 12 rejects an initializer_list's
    // array in a coroutine's frame.)
    options.headers.add("X-Client", "everywhere");
    options.headers.add("X-Both", "client");
    Client client(options);
    corio::http::Headers mine;
    mine.add("x-both", "request");
    co_await client.get(server.url("/a?b=c"), mine);
    co_await client.post(server.url("/post"), "payload");
    co_await client.post(server.url("/empty"), "");
    REQUIRE(seen.size() == 3);
    CHECK(seen[0].method == "GET");
    CHECK(seen[0].target == "/a?b=c");
    CHECK(seen[0].headers.get("Host") == server.url("").substr(7));
    CHECK(seen[0].headers.get("X-Client") == "everywhere");
    CHECK(seen[0].headers.get_all("X-Both") == std::vector<std::string>{"request"});
    CHECK(!seen[0].headers.contains("Content-Length"));
    CHECK(seen[1].method == "POST");
    CHECK(seen[1].body == "payload");
    CHECK(seen[1].headers.get("Content-Length") == "7");
    CHECK(seen[2].headers.get("Content-Length") == "0");
    co_await server.stop();
  });
}

TEST_CASE("max_connections caps the connections open at once; the requests beyond wait their turn", "[ch13][http]") {
  corio_test::run([]() -> Coro<void> {
    ScriptedServer server(echo_target(0.1));
    ClientOptions options;
    options.limits.max_connections = 3;
    Client client(options);
    std::vector<Coro<Response>> gets;
    for (int i = 0; i < 10; ++i) gets.push_back(client.get(server.url("/" + std::to_string(i))));
    double start = now();
    std::vector<Response> responses = co_await corio::gather(std::move(gets));
    // Ten requests, three at a time, 0.1 s each: four rounds.
    CHECK(now() - start == Approx(0.4).margin(1e-9));
    for (int i = 0; i < 10; ++i) CHECK(responses[static_cast<std::size_t>(i)].body == "/" + std::to_string(i));
    CHECK(server.state().peak == 3);
    CHECK(server.state().accepted == 3);
    CHECK(client.connections_opened() == 3);
    co_await server.stop();
  });
}

TEST_CASE("past max_keepalive the connections coming back close instead of waiting in the pool", "[ch13][http]") {
  corio_test::run([]() -> Coro<void> {
    ScriptedServer server(echo_target(0.1));
    ClientOptions options;
    options.limits.max_keepalive = 2;
    Client client(options);
    std::vector<Coro<Response>> gets;
    for (int i = 0; i < 5; ++i) gets.push_back(client.get(server.url()));
    co_await corio::gather(std::move(gets));
    CHECK(client.connections_opened() == 5);
    CHECK(client.connections_idle() == 2);
    co_await corio::sleep(0.01);  // the server reads the closes
    CHECK(server.state().open == 2);
    co_await server.stop();
  });
}

TEST_CASE("a read timeout fires at exactly its limit and names the timeout, the request and the seconds",
          "[ch13][http]") {
  corio_test::run([]() -> Coro<void> {
    ScriptedServer server(never_answer());
    ClientOptions options;
    options.timeouts.read = 2.5;
    Client client(options);
    double start = now();
    std::string message = co_await corio_test::error_message(client.get(server.url("/stall")));
    CHECK(now() - start == Approx(2.5).margin(1e-9));
    CHECK(message == "read timeout (2.5 s) passed while waiting for the response for GET " + server.url("/stall") +
                         "; Timeouts::read sets it");
    bool thrown1 = co_await corio_test::throws<corio::ReadTimeout>(client.get(server.url("/stall")));
    CHECK(thrown1);
    CHECK(client.connections_idle() == 0);
    co_await server.stop();
  });
}

TEST_CASE("a read timeout bounds each wait for bytes, not the whole response", "[ch13][http]") {
  corio_test::run([]() -> Coro<void> {
    // Ten bytes of body, one every 0.5 s: 5 s in all, under a 1 s read timeout.
    ScriptedServer server([](Socket& socket, const Request&, int, int) -> Coro<bool> {
      co_await corio::sock_sendall(socket, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
      for (int i = 0; i < 10; ++i) {
        co_await corio::sleep(0.5);
        co_await corio::sock_sendall(socket, "x");
      }
      co_return true;
    });
    ClientOptions options;
    options.timeouts.read = 1;
    Client client(options);
    double start = now();
    Response r = co_await client.get(server.url());
    CHECK(r.body == "xxxxxxxxxx");
    CHECK(now() - start == Approx(5.0).margin(1e-9));
    co_await server.stop();
  });
}

TEST_CASE("a connect timeout fires at exactly its limit when the server's backlog is full", "[ch13][http]") {
  corio_test::run([]() -> Coro<void> {
    Socket listener = deaf_listener(0);
    std::vector<Socket> fillers = co_await fill_backlog(listener);
    ClientOptions options;
    options.timeouts.connect = 1.5;
    Client client(options);
    std::string url = url_of(listener);
    double start = now();
    std::string message = co_await corio_test::error_message(client.get(url));
    CHECK(now() - start == Approx(1.5).margin(1e-9));
    CHECK(message == "connect timeout (1.5 s) passed while connecting to 127.0.0.1:" +
                         std::to_string(listener.local_address().port()) + " for GET " + url +
                         "; Timeouts::connect sets it");
    CHECK(client.connections_opened() == 0);
  });
}

TEST_CASE("a write timeout fires at exactly its limit when the server reads nothing", "[ch13][http]") {
  corio_test::run([]() -> Coro<void> {
    // The kernel accepts the connection into the backlog; nobody reads it,
    // so a body bigger than every buffer on the way stays unsent.
    Socket listener = Socket::tcp();
    listener.bind(SocketAddress::ip("127.0.0.1", 0));
    int small = 4096;
    ::setsockopt(listener.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    listener.listen(10);
    ClientOptions options;
    options.timeouts.write = 3;
    Client client(options);
    std::string url = url_of(listener) + "upload";
    double start = now();
    std::string message = co_await corio_test::error_message(client.post(url, std::string(32 * 1024 * 1024, 'b')));
    CHECK(message ==
          "write timeout (3 s) passed while sending the request for POST " + url + "; Timeouts::write sets it");
    CHECK(now() - start == Approx(3.0).margin(1e-9));
    CHECK(client.connections_idle() == 0);
  });
}

TEST_CASE("a request beyond max_connections waits for a free connection, bounded by the pool timeout", "[ch13][http]") {
  corio_test::run([]() -> Coro<void> {
    ScriptedServer server(never_answer());
    ClientOptions options;
    options.limits.max_connections = 1;
    options.timeouts.read = 10;
    options.timeouts.pool = 4;
    Client client(options);
    corio::Task<Response> first = corio::create_task(client.get(server.url("/stall")));
    co_await corio::sleep(1);
    std::string message = co_await corio_test::error_message(client.get(server.url("/second")));
    CHECK(now() == Approx(5.0).margin(1e-9));
    CHECK(message ==
          "pool timeout (4 s) passed while waiting for a free connection (all 1 of "
          "PoolLimits::max_connections in use) for GET " +
              server.url("/second") + "; Timeouts::pool sets it");
    CHECK(server.state().accepted == 1);
    bool thrown2 = co_await corio_test::throws<corio::ReadTimeout>(std::move(first));
    CHECK(thrown2);
    CHECK(now() == Approx(10.0).margin(1e-9));
    co_await server.stop();
  });
}

TEST_CASE("every client timeout is a corio::TimeoutError", "[ch13][http]") {
  corio_test::run([]() -> Coro<void> {
    ScriptedServer server(never_answer());
    ClientOptions options;
    options.timeouts.read = 1;
    Client client(options);
    bool thrown3 = co_await corio_test::throws<corio::TimeoutError>(client.get(server.url()));
    CHECK(thrown3);
    co_await server.stop();
  });
}

TEST_CASE("chunked and close-delimited bodies arrive whole; a close-delimited connection is not pooled",
          "[ch13][http]") {
  corio_test::run([]() -> Coro<void> {
    ScriptedServer server([](Socket& socket, const Request& request, int, int) -> Coro<bool> {
      if (request.target == "/chunked") {
        co_await corio::sock_sendall(socket, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nHello\r\n");
        co_await corio::sleep(0.1);
        co_await corio::sock_sendall(socket, "8\r\n, World!\r\n0\r\nX-Trailer: yes\r\n\r\n");
        co_return true;
      }
      co_await corio::sock_sendall(socket, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil ");
      co_await corio::sleep(0.1);
      co_await corio::sock_sendall(socket, "the close");
      co_return false;
    });
    Client client;
    Response chunked = co_await client.get(server.url("/chunked"));
    CHECK(chunked.body == "Hello, World!");
    CHECK(client.connections_idle() == 1);
    Response closed = co_await client.get(server.url("/close"));
    CHECK(closed.body == "until the close");
    CHECK(client.connections_idle() == 0);
    Response again = co_await client.get(server.url("/chunked"));
    CHECK(again.body == "Hello, World!");
    CHECK(client.connections_opened() == 2);
    co_await server.stop();
  });
}

TEST_CASE("a response with Connection: close is not pooled; the next request opens a new connection", "[ch13][http]") {
  corio_test::run([]() -> Coro<void> {
    ScriptedServer server([](Socket& socket, const Request&, int, int) -> Coro<bool> {
      co_await corio::sock_sendall(socket, ok("bye", "Connection: close\r\n"));
      co_return false;
    });
    Client client;
    for (int i = 0; i < 3; ++i) {
      Response r4 = co_await client.get(server.url());
      CHECK(r4.body == "bye");
    }
    CHECK(client.connections_idle() == 0);
    CHECK(client.connections_opened() == 3);
    CHECK(server.state().accepted == 3);
    co_await server.stop();
  });
}

TEST_CASE("a pooled connection the server closed while idle is not used again", "[ch13][http]") {
  corio_test::run([]() -> Coro<void> {
    // Keep-alive answers, after which the server closes the connection at
    // once (its idle timeout, in effect, was zero).
    ScriptedServer server([](Socket& socket, const Request& request, int, int) -> Coro<bool> {
      co_await corio::sock_sendall(socket, ok(request.target));
      co_return false;
    });
    Client client;
    Response r5 = co_await client.get(server.url("/1"));
    CHECK(r5.body == "/1");
    co_await corio::sleep(0.01);  // the server closes
    CHECK(client.connections_idle() == 1);
    Response r6 = co_await client.get(server.url("/2"));
    CHECK(r6.body == "/2");
    CHECK(client.connections_opened() == 2);
    CHECK(server.state().targets == std::vector<std::string>{"/1", "/2"});
    co_await server.stop();
  });
}

TEST_CASE("a pooled connection closed by the server without an answer is retried once on a new connection",
          "[ch13][http]") {
  corio_test::run([]() -> Coro<void> {
    // The first connection answers one request, then closes on reading
    // the next (the race of a keep-alive timeout with a new request).
    ScriptedServer server([](Socket& socket, const Request& request, int conn, int index) -> Coro<bool> {
      if (conn == 0 && index == 1) co_return false;
      co_await corio::sock_sendall(socket, ok(request.target));
      co_return true;
    });
    Client client;
    Response r7 = co_await client.get(server.url("/1"));
    CHECK(r7.body == "/1");
    Response r = co_await client.get(server.url("/2"));
    CHECK(r.body == "/2");
    CHECK(client.connections_opened() == 2);
    CHECK(server.state().targets == std::vector<std::string>{"/1", "/2", "/2"});
    co_await server.stop();
  });
}

TEST_CASE("a reset of a pooled connection before any answer is retried too, and only once", "[ch13][http]") {
  corio_test::run([]() -> Coro<void> {
    ScriptedServer server([](Socket& socket, const Request& request, int, int index) -> Coro<bool> {
      if (index == 0 && request.target == "/first") {
        co_await corio::sock_sendall(socket, ok("first"));
        co_return true;
      }
      reset_now(socket);
      co_return false;
    });
    Client client;
    Response r8 = co_await client.get(server.url("/first"));
    CHECK(r8.body == "first");
    std::string message = co_await corio_test::error_message(client.get(server.url("/reset")));
    CHECK_THAT(message, Catch::Matchers::StartsWith("Server reset the connection before a whole response to GET " +
                                                    server.url("/reset")));
    // The pooled connection, then one new one: no third try.
    CHECK(client.connections_opened() == 2);
    CHECK(server.state().targets == std::vector<std::string>{"/first", "/reset", "/reset"});
    co_await server.stop();
  });
}

TEST_CASE("a new connection closed without an answer is a RemoteProtocolError, not retried", "[ch13][http]") {
  corio_test::run([]() -> Coro<void> {
    ScriptedServer server([](Socket&, const Request&, int, int) -> Coro<bool> { co_return false; });
    Client client;
    std::string message = co_await corio_test::error_message(client.get(server.url("/gone")));
    CHECK(message == "Server disconnected without sending a response: GET " + server.url("/gone"));
    bool thrown9 = co_await corio_test::throws<corio::RemoteProtocolError>(client.get(server.url("/gone")));
    CHECK(thrown9);
    CHECK(server.state().accepted == 2);
    co_await server.stop();
  });
}

TEST_CASE("a server that hangs up or resets in the middle of a body is a RemoteProtocolError", "[ch13][http]") {
  corio_test::run([]() -> Coro<void> {
    ScriptedServer server([](Socket& socket, const Request& request, int, int) -> Coro<bool> {
      co_await corio::sock_sendall(socket, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b");
      co_await corio::sleep(0.1);
      if (request.target == "/reset") reset_now(socket);
      co_return false;
    });
    Client client;
    std::string closed = co_await corio_test::error_message(client.get(server.url("/close")));
    CHECK_THAT(closed, Catch::Matchers::StartsWith("Server disconnected in the middle of the response to GET " +
                                                   server.url("/close")));
    std::string reset = co_await corio_test::error_message(client.get(server.url("/reset")));
    CHECK_THAT(reset, Catch::Matchers::StartsWith("Server reset the connection before a whole response to GET " +
                                                  server.url("/reset")));
    bool thrown10 = co_await corio_test::throws<corio::ConnectionError>(client.get(server.url("/reset")));
    CHECK(thrown10);
    CHECK(client.connections_idle() == 0);
    co_await server.stop();
  });
}

TEST_CASE("a request cancelled in the middle of its response closes its connection and frees its place",
          "[ch13][http]") {
  int fds_before = corio_test::open_fd_count();
  corio_test::run([]() -> Coro<void> {
    ScriptedServer server([](Socket& socket, const Request& request, int, int) -> Coro<bool> {
      if (request.target == "/slow") {
        co_await corio::sock_sendall(socket, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf ");
        co_await corio::sock_recv(socket, 1);  // until the client closes
        co_return false;
      }
      co_await corio::sock_sendall(socket, ok("fine"));
      co_return true;
    });
    ClientOptions options;
    options.limits.max_connections = 1;
    options.timeouts.pool = 1;
    Client client(options);
    Response r11 = co_await client.get(server.url("/warm"));
    CHECK(r11.body == "fine");
    corio::Task<Response> slow = corio::create_task(client.get(server.url("/slow")));
    co_await corio::sleep(2);
    slow.cancel();
    std::string message12 = co_await corio_test::error_message(std::move(slow));
    CHECK(message12 == "CancelledError");
    // Half a response came on it: it is closed, not pooled, and the one
    // permit is free again.
    CHECK(client.connections_idle() == 0);
    co_await corio::sleep(0.01);
    CHECK(server.state().open == 0);
    Response r13 = co_await client.get(server.url("/after"));
    CHECK(r13.body == "fine");
    CHECK(client.connections_opened() == 2);
    co_await client.aclose();
    co_await server.stop();
  });
  CHECK(corio_test::open_fd_count() == fds_before);
}

TEST_CASE("a request cancelled while connecting or waiting for the pool leaves no fd behind", "[ch13][http]") {
  int fds_before = corio_test::open_fd_count();
  corio_test::run([]() -> Coro<void> {
    Socket listener = deaf_listener(0);
    std::vector<Socket> fillers = co_await fill_backlog(listener);
    ClientOptions options;
    options.limits.max_connections = 1;
    options.timeouts.connect = 0;
    Client client(options);
    std::string url = url_of(listener);
    corio::Task<Response> connecting = corio::create_task(client.get(url));
    corio::Task<Response> queued = corio::create_task(client.get(url));
    co_await corio::sleep(1);
    queued.cancel();
    connecting.cancel();
    std::string message14 = co_await corio_test::error_message(std::move(queued));
    CHECK(message14 == "CancelledError");
    std::string message15 = co_await corio_test::error_message(std::move(connecting));
    CHECK(message15 == "CancelledError");
    CHECK(client.connections_opened() == 0);
  });
  CHECK(corio_test::open_fd_count() == fds_before);
}

TEST_CASE("an https:// URL is InvalidURL before any connection, saying corio speaks plain HTTP", "[ch13][http]") {
  corio_test::run([]() -> Coro<void> {
    ScriptedServer server(echo_target());
    Client client;
    std::string url = server.url("/");
    url.replace(0, 4, "https");
    bool thrown16 = co_await corio_test::throws<corio::InvalidURL>(client.get(url));
    CHECK(thrown16);
    bool thrown17 = co_await corio_test::throws<corio::ValueError>(client.get("ftp://example.com/"));
    CHECK(thrown17);
    bool thrown18 = co_await corio_test::throws<corio::InvalidURL>(client.get("http:///nohost"));
    CHECK(thrown18);
    co_await corio::sleep(0.01);
    CHECK(server.state().accepted == 0);
    CHECK(client.connections_opened() == 0);
    co_await server.stop();
  });
}

TEST_CASE("aclose closes the idle connections, and a request after it is a RuntimeError", "[ch13][http]") {
  corio_test::run([]() -> Coro<void> {
    ScriptedServer server(echo_target());
    Client client;
    co_await client.get(server.url());
    CHECK(client.connections_idle() == 1);
    co_await client.aclose();
    CHECK(client.connections_idle() == 0);
    co_await corio::sleep(0.01);
    CHECK(server.state().open == 0);
    std::string message = co_await corio_test::error_message(client.get(server.url()));
    CHECK(message == "Cannot send a request, as the client has been closed: GET " + server.url());
    co_await server.stop();
  });
}

TEST_CASE("a refused connection names the request", "[ch13][http]") {
  corio_test::run([]() -> Coro<void> {
    Socket unused = Socket::tcp();
    unused.bind(SocketAddress::ip("127.0.0.1", 0));
    std::string url = "http://127.0.0.1:" + std::to_string(unused.local_address().port()) + "/";
    Client client;
    std::string message = co_await corio_test::error_message(client.get(url));
    CHECK_THAT(message, Catch::Matchers::StartsWith("GET " + url + ": sock_connect to 127.0.0.1:"));
    bool thrown19 = co_await corio_test::throws<corio::ConnectionRefusedError>(client.get(url));
    CHECK(thrown19);
  });
}

TEST_CASE("raise_for_status turns a 4xx answer into HttpStatusError naming the URL", "[ch13][http]") {
  corio_test::run([]() -> Coro<void> {
    ScriptedServer server([](Socket& socket, const Request&, int, int) -> Coro<bool> {
      co_await corio::sock_sendall(socket, "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope");
      co_return true;
    });
    Client client;
    Response r = co_await client.get(server.url("/missing"));
    CHECK(r.status == 404);
    CHECK(r.body == "nope");
    CHECK_THROWS_AS(r.raise_for_status(), corio::HttpStatusError);
    co_await server.stop();
  });
}
