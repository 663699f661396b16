// @chapter 13
// corio's HTTP client against real servers nobody here wrote, started as
// child processes on 127.0.0.1 (tests/peers/): Python's http.server
// (HTTP/1.1 keep-alive, and one HTTP/1.0 answer read to the close) and an
// asyncio server answering in chunked coding. Every wait is bounded (the
// peer's line, the loop's part under wait_for), and no fd stays open after
// a test. blocking_get, the synchronous baseline, against the same peer.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include <corio/corio.hpp>

#include "support/corio_test.hpp"
#include "support/peer.hpp"

using corio_test::Peer;

namespace {

using corio::Coro;
using corio::http::Client;
using corio::http::Response;

constexpr double kLimit = 30;  // seconds the loop's part of one test may take
const std::vector<int> kChunkedSizes = {0, 1, 999, 1000, 1001, 250000};

struct Seen {
  std::vector<Response> responses;
  std::size_t opened = 0;
  std::size_t idle = 0;
};

Coro<void> talk_to_http_server(std::string base, Seen& seen) {
  Client client;
  for (int i = 0; i < 5; ++i) seen.responses.push_back(co_await client.get(base + "/hello"));
  seen.responses.push_back(co_await client.post(base + "/echo", std::string(100000, 'p')));
  seen.responses.push_back(co_await client.get(base + "/big"));
  seen.responses.push_back(co_await client.get(base + "/http10"));
  seen.responses.push_back(co_await client.get(base + "/missing"));
  seen.opened = client.connections_opened();
  seen.idle = client.connections_idle();
  co_await client.aclose();
}

Coro<void> talk_to_asyncio_server(std::string base, Seen& seen) {
  Client client;
  for (int n : kChunkedSizes) {
    seen.responses.push_back(co_await client.get(base + "/chunked/" + std::to_string(n)));
  }
  seen.responses.push_back(co_await client.get(base + "/count"));
  corio::http::Headers close;
  close.add("Connection", "close");
  seen.responses.push_back(co_await client.get(base + "/count", close));
  seen.opened = client.connections_opened();
  seen.idle = client.connections_idle();
  co_await client.aclose();
}

std::string base_of(Peer& peer) { return "http://127.0.0.1:" + peer.line(); }

}  // namespace

TEST_CASE("corio's client against Python's http.server: keep-alive reuse, a POST, and an HTTP/1.0 answer",
          "[ch13][http][interop]") {
  Peer server(corio_test::python_peer("http_server.py"));
  std::string base = base_of(server);
  int fds_before = corio_test::open_fd_count();
  Seen seen;
  corio::run(corio::wait_for(talk_to_http_server(base, seen), kLimit));
  CHECK(corio_test::open_fd_count() == fds_before);
  REQUIRE(seen.responses.size() == 9);
  for (int i = 0; i < 5; ++i) {
    const Response& r = seen.responses[static_cast<std::size_t>(i)];
    CHECK(r.status == 200);
    CHECK(r.body == "Hello from http.server");
    CHECK(r.url == base + "/hello");
    // One connection carried them all: the server saw one client port.
    CHECK(r.headers.get("X-Client-Port") == seen.responses[0].headers.get("X-Client-Port"));
  }
  CHECK(seen.responses[5].body == std::string(100000, 'p'));
  CHECK(seen.responses[6].body == std::string(1024 * 1024, 'x'));
  CHECK(seen.responses[6].headers.get("X-Client-Port") == seen.responses[0].headers.get("X-Client-Port"));
  // The HTTP/1.0 answer has no length: read to the close, on the same
  // connection, which then is gone; the next request opens a new one.
  CHECK(seen.responses[7].version == 10);
  CHECK(seen.responses[7].body == "read to the close");
  CHECK(seen.responses[7].headers.get("X-Client-Port") == seen.responses[0].headers.get("X-Client-Port"));
  CHECK(seen.responses[8].status == 404);
  CHECK(seen.responses[8].headers.get("X-Client-Port") != seen.responses[0].headers.get("X-Client-Port"));
  CHECK(seen.opened == 2);
  CHECK(seen.idle == 1);
  server.close_stdin();
  CHECK(server.wait() == 0);
}

TEST_CASE("corio's client reads a Python asyncio server's chunked answers on one kept-alive connection",
          "[ch13][http][interop]") {
  Peer server(corio_test::python_peer("http_asyncio_server.py"));
  std::string base = base_of(server);
  int fds_before = corio_test::open_fd_count();
  Seen seen;
  corio::run(corio::wait_for(talk_to_asyncio_server(base, seen), kLimit));
  CHECK(corio_test::open_fd_count() == fds_before);
  REQUIRE(seen.responses.size() == 8);
  for (std::size_t i = 0; i < kChunkedSizes.size(); ++i) {
    CHECK(seen.responses[i].status == 200);
    CHECK(seen.responses[i].body == std::string(static_cast<std::size_t>(kChunkedSizes[i]), 'x'));
    CHECK(seen.responses[i].headers.get("Transfer-Encoding") == "chunked");
  }
  CHECK(seen.responses[6].body == "1");
  CHECK(seen.responses[7].body == "1");
  CHECK(seen.opened == 1);
  CHECK(seen.idle == 0);  // "Connection: close" on the last request: not pooled
  server.close_stdin();
  CHECK(server.wait() == 0);
}

TEST_CASE("blocking_get reads Python http.server's answers, with a length and read to the close",
          "[ch13][http][interop]") {
  Peer server(corio_test::python_peer("http_server.py"));
  std::string base = base_of(server);
  int fds_before = corio_test::open_fd_count();
  Response hello = corio::http::blocking_get(base + "/hello", 10);
  CHECK(hello.status == 200);
  CHECK(hello.body == "Hello from http.server");
  CHECK(hello.url == base + "/hello");
  Response big = corio::http::blocking_get(base + "/big", 10);
  CHECK(big.body.size() == 1024 * 1024);
  Response old = corio::http::blocking_get(base + "/http10", 10);
  CHECK(old.version == 10);
  CHECK(old.body == "read to the close");
  CHECK(corio::http::blocking_get(base + "/missing", 10).status == 404);
  CHECK(corio_test::open_fd_count() == fds_before);
  server.close_stdin();
  CHECK(server.wait() == 0);
}

TEST_CASE("blocking_get gives up with ReadTimeout, naming its limit, on a server that never answers", "[ch13][http]") {
  int fds_before = corio_test::open_fd_count();
  {
    // A listener nobody accepts on: the kernel completes the handshake,
    // and nothing ever answers.
    corio::Socket listener = corio::Socket::tcp();
    listener.bind(corio::SocketAddress::ip("127.0.0.1", 0));
    listener.listen(10);
    std::string url = "http://127.0.0.1:" + std::to_string(listener.local_address().port()) + "/stall";
    CHECK_THROWS_MATCHES(corio::http::blocking_get(url, 0.05), corio::ReadTimeout,
                         Catch::Matchers::Message("read timeout (0.05 s) passed while waiting for the response for "
                                                  "blocking_get(" +
                                                  url + ")"));
    CHECK_THROWS_AS(corio::http::blocking_get("https://127.0.0.1/", 1), corio::InvalidURL);
  }
  CHECK(corio_test::open_fd_count() == fds_before);
}
