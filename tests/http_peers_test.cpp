// @chapter 13
// corio's HTTP server asked by real clients nobody here wrote: curl (two
// URLs on one kept-alive connection, a chunked upload, HEAD) and Python's
// http.client (tests/peers/http_client.py: seven requests on one
// connection), started as child processes on 127.0.0.1. Each runs on the
// real clock under a bound: the peer's own (--max-time, --timeout) and the
// loop's wait_for around reading its output. No fd is left open after.
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include <corio/corio.hpp>
#include <corio/tasks/fd_wait.hpp>

#include "support/corio_test.hpp"
#include "support/peer.hpp"

using corio::Coro;
using corio::http::Server;
using corio_test::Peer;

namespace {

constexpr double kLimit = 30;  // seconds the loop waits for one peer's output

// What a peer prints up to the end of its output, read on the loop, so the
// loop goes on serving the peer while it runs.
Coro<std::string> output_of(Peer& peer) {
  std::string text;
  char buf[4096];
  for (;;) {
    co_await corio::readable(peer.stdout_fd());
    ssize_t n = ::read(peer.stdout_fd(), buf, sizeof buf);
    if (n <= 0) co_return text;
    text.append(buf, static_cast<std::size_t>(n));
  }
}

struct Asked {
  std::string output;
  int status = -1;
  std::size_t served = 0;
};

// Serves test_routes() while the program argv(port) runs; what it printed,
// its exit status and how many requests the server answered.
template <class Argv>
Asked ask(Argv argv) {
  Asked asked;
  corio::run([&]() -> Coro<void> {
    Server server = co_await Server::start(corio::http::test_routes(), "127.0.0.1", 0);
    {
      Peer peer(argv(std::to_string(server.port())));
      asked.output = co_await corio::wait_for(output_of(peer), kLimit);
      asked.status = peer.wait();
    }
    asked.served = server.requests_served();
    server.close();
    co_await server.wait_closed();
  }());
  return asked;
}

std::string url(const std::string& port, const std::string& path) { return "http://127.0.0.1:" + port + path; }

}  // namespace

TEST_CASE("curl fetches two URLs over one kept-alive connection to corio's server", "[ch13][http][interop]") {
  int fds = corio_test::open_fd_count();
  Asked asked = ask([](const std::string& port) {
    return std::vector<std::string>{"curl",         "-sS",
                                    "--max-time",   "20",
                                    "-w",           "\\n%{http_code} connects=%{num_connects}\\n",
                                    url(port, "/"), url(port, "/json/curl")};
  });
  CHECK(asked.output ==
        "Hello, World!\n200 connects=1\n"
        "{\"name\": \"curl\", \"status\": \"ok\"}\n200 connects=0\n");
  CHECK(asked.status == 0);
  CHECK(asked.served == 2);
  CHECK(corio_test::open_fd_count() == fds);
}

TEST_CASE("curl uploads a chunked body to /echo and gets it back", "[ch13][http][interop]") {
  Asked asked = ask([](const std::string& port) {
    return std::vector<std::string>{
        "sh", "-c",
        "head -c 300000 /dev/zero | tr '\\0' 'z' | curl -sS --max-time 20 -H 'Transfer-Encoding: chunked' "
        "--data-binary @- " +
            url(port, "/echo") +
            " | wc -c; printf 'hello from curl' | curl -sS --max-time 20 -H "
            "'Transfer-Encoding: chunked' --data-binary @- " +
            url(port, "/echo")};
  });
  CHECK(asked.output == "300000\nhello from curl");
  CHECK(asked.status == 0);
  CHECK(asked.served == 2);
}

TEST_CASE("curl -I gets the head of a GET route without its body", "[ch13][http][interop]") {
  Asked asked = ask([](const std::string& port) {
    return std::vector<std::string>{"curl", "-sS", "--max-time", "20", "-I", url(port, "/bytes/10")};
  });
  CHECK(asked.output.starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(asked.output.find("\r\nContent-Length: 10\r\n") != std::string::npos);
  CHECK(asked.output.ends_with("\r\n\r\n"));
  CHECK(asked.status == 0);
  CHECK(asked.served == 1);
}

TEST_CASE("Python's http.client asks seven requests over one connection and gets every answer right",
          "[ch13][http][interop]") {
  int fds = corio_test::open_fd_count();
  Asked asked = ask([](const std::string& port) { return corio_test::python_peer("http_client.py", {port}); });
  CHECK(asked.output ==
        "200 OK length=13 sha256=dffd6021bb2bd5b0 Content-Length=13\n"
        "200 OK length=34 sha256=303810a406841351 Content-Length=34\n"
        "200 OK length=100000 sha256=cd2df694e424bc79 Content-Length=100000 same=yes\n"
        "200 OK length=0 sha256=e3b0c44298fc1c14 Content-Length=10\n"
        "200 OK length=3000 sha256=e1630f843370f402 Transfer-Encoding=chunked\n"
        "404 Not Found length=10 sha256=25769985548fa920 Content-Length=10\n"
        "200 OK length=13 sha256=dffd6021bb2bd5b0 Content-Length=13\n"
        "connections=1\n");
  CHECK(asked.status == 0);
  CHECK(asked.served == 7);
  CHECK(corio_test::open_fd_count() == fds);
}
