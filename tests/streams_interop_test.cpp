// @chapter 12
// corio's streams against real peers nobody here wrote: an echo client and
// an echo server written with Python's asyncio streams (tests/peers/),
// started as child processes on 127.0.0.1. The same bytes must come back
// both ways: a short message, 10 MiB, and 10 MiB followed by a half-close
// (write_eof), after which the other side still answers. Every wait is
// bounded (a peer's line, its exit, the loop's part under wait_for), and no
// file descriptor is left open after a test. open_connection and
// start_server resolve on the executor's threads ([threads]).
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include <corio/corio.hpp>
#include <corio/tasks/fd_wait.hpp>

#include "support/corio_test.hpp"
#include "support/peer.hpp"

using corio_test::Peer;

namespace {

constexpr std::size_t kTenMiB = 10 * 1024 * 1024;
constexpr double kLimit = 60;  // seconds the loop's part of one exchange may take

// What a peer prints up to the end of its output, read on the loop, so the
// loop goes on serving the peer while it runs.
corio::Coro<std::string> output_of(Peer& peer) {
  std::string text;
  char buf[4096];
  for (;;) {
    co_await corio::readable(peer.stdout_fd());
    ssize_t n = ::read(peer.stdout_fd(), buf, sizeof buf);
    if (n <= 0) co_return text;
    text.append(buf, static_cast<std::size_t>(n));
  }
}

// corio's echo server: every byte back as it comes; at the client's end of
// file, close (the client reads end of file in turn).
corio::Coro<void> echo(corio::StreamReader reader, corio::StreamWriter writer) {
  for (;;) {
    std::string data = co_await reader.read(65536);
    if (data.empty()) break;
    writer.write(data);
    co_await writer.drain();
  }
  writer.close();
  co_await writer.wait_closed();
}

struct Exchange {
  std::size_t size;
  bool half_close;
};

const std::vector<Exchange> kExchanges = {{64, false}, {kTenMiB, false}, {kTenMiB, true}};

std::string client_line(const Exchange& e) {
  return "received=" + std::to_string(e.size) + " sent=" + std::to_string(e.size) +
         " same=yes eof=" + (e.half_close ? "yes" : "no");
}

corio::Coro<void> serve_python_clients(std::vector<std::string>& lines, std::vector<int>& statuses) {
  corio::Server server = co_await corio::start_server(echo, "127.0.0.1", 0);
  for (const Exchange& e : kExchanges) {
    std::vector<std::string> args = {std::to_string(server.port()), "--size", std::to_string(e.size)};
    if (e.half_close) args.push_back("--half-close");
    Peer client(corio_test::python_peer("echo_client.py", args));
    std::string out = co_await corio::wait_for(output_of(client), kLimit);
    lines.push_back(out.substr(0, out.find(" sha256=")));
    statuses.push_back(client.wait());
  }
  server.close();
  co_await server.wait_closed();
}

// corio's client: sends e.size bytes in 64 KiB writes while a second task
// reads the echo, then (half-close) write_eof and read to end of file.
corio::Coro<std::string> exchange_with(int port, Exchange e) {
  auto [reader, writer] = co_await corio::open_connection("127.0.0.1", port);
  std::string payload = corio_test::peer_payload(e.size);
  auto send = [](corio::StreamWriter w, const std::string& data, bool half_close) -> corio::Coro<void> {
    for (std::size_t at = 0; at < data.size(); at += 65536) {
      w.write(std::string_view(data).substr(at, 65536));
      co_await w.drain();
    }
    if (half_close) w.write_eof();
  };
  auto receive = [](corio::StreamReader r, std::size_t size, bool to_eof) -> corio::Coro<std::string> {
    std::string got;
    if (to_eof) co_return co_await r.read();
    while (got.size() < size) {
      std::string part = co_await r.read(static_cast<std::ptrdiff_t>(size - got.size()));
      if (part.empty()) break;
      got += part;
    }
    co_return got;
  };
  auto [sent, got] = co_await corio::gather(send(writer, payload, e.half_close), receive(reader, e.size, e.half_close));
  (void)sent;
  bool eof = reader.at_eof();
  writer.close();
  co_await writer.wait_closed();
  co_return std::string(got == payload ? "same" : "different") + " " + std::to_string(got.size()) + (eof ? " eof" : "");
}

corio::Coro<void> talk_to_python_server(int port, std::vector<std::string>& results) {
  for (const Exchange& e : kExchanges) results.push_back(co_await corio::wait_for(exchange_with(port, e), kLimit));
}

}  // namespace

TEST_CASE("a peer that prints nothing fails the wait for its line within the bound, naming the program",
          "[ch12][interop]") {
  int fds_before = corio_test::open_fd_count();
  pid_t pid = -1;
  {
    Peer silent({"sleep", "30"});
    pid = silent.pid();
    CHECK_THROWS_WITH(silent.line(0.2), Catch::Matchers::StartsWith("sleep 30 printed nothing more for 0.2"));
  }
  // The destructor killed and reaped it: no such process, no fd left open.
  CHECK(::kill(pid, 0) == -1);
  CHECK(errno == ESRCH);
  CHECK(corio_test::open_fd_count() == fds_before);
}

TEST_CASE("corio's echo server sends back what a Python asyncio client sends, 10 MiB and half-closed too",
          "[ch12][streams][interop][threads]") {
  int fds_before = corio_test::open_fd_count();
  std::vector<std::string> lines;
  std::vector<int> statuses;
  corio::run(serve_python_clients(lines, statuses));
  std::vector<std::string> expected;
  for (const Exchange& e : kExchanges) expected.push_back(client_line(e));
  CHECK(lines == expected);
  CHECK(statuses == std::vector<int>{0, 0, 0});
  CHECK(corio_test::open_fd_count() == fds_before);
}

TEST_CASE("corio's client gets back what it sends from a Python asyncio echo server, 10 MiB and half-closed too",
          "[ch12][streams][interop][threads]") {
  Peer server(corio_test::python_peer("echo_server.py"));
  int port = std::stoi(server.line());
  int fds_before = corio_test::open_fd_count();
  std::vector<std::string> results;
  corio::run(talk_to_python_server(port, results));
  CHECK(results == std::vector<std::string>{"same 64", "same 10485760", "same 10485760 eof"});
  CHECK(corio_test::open_fd_count() == fds_before);
  // The server's account of each connection: all it received, echoed, and
  // the end of file it read when the client closed or half-closed.
  for (const Exchange& e : kExchanges) {
    std::string line = server.line();
    CHECK(line.substr(0, line.find(" sha256=")) ==
          "closed received=" + std::to_string(e.size) + " echoed=" + std::to_string(e.size) + " eof=yes");
  }
  server.close_stdin();
  CHECK(server.wait() == 0);
}
