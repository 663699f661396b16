// @chapter 14
// The soak, shared by tests/soak_test.cpp (its short form, in make test) and
// tests/bench/corio_bench_conns.cpp (its long form, workload KS): chapter
// 13's http::Server on 127.0.0.1 and many clients on the same loop doing
// keep-alive requests, with disconnects, resets (SO_LINGER 0) and stalled
// clients mixed in at random. Each client draws from a generator of its own,
// seeded from the soak's seed and its number, so a seed gives the same mix
// of actions whatever the order the loop runs the clients in.
//
// What it checks: every request a client waits for is answered fully and
// with its own number (a request answered wrongly, cut short or not at all
// is lost); and, after a warm-up that lets the runtime's pools and vectors
// reach their size, that the process's open fds and heap in use come back
// to what they were once every client is gone and the server has closed
// every connection.
#pragma once

#include <malloc.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <corio/corio.hpp>
#include <corio/http/server.hpp>
#include <corio/net/socket.hpp>

#include "asan.hpp"

#if CORIO_TEST_ASAN
// The sanitizers' runtime has it; GCC 12 ships no header declaring it
// (sanitizer/allocator_interface.h is clang's only).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

namespace corio_soak {

struct Options {
  long requests = 20000;       // requests answered in all, warm-up included
  long warm_up = 2000;         // of which the first, before the baseline
  int clients = 50;            // client tasks at once
  unsigned seed = 1;           // the mix of actions
  double stall_timeout = 0.2;  // the server's header and idle timeouts, in seconds
  corio::ClockKind clock = corio::ClockKind::Real;
};

struct Report {
  long answered = 0;     // requests answered fully, with their own number
  long warm_up = 0;      // of which before the baseline
  long lost = 0;         // requests waited for and not answered so
  long connections = 0;  // opened by the clients
  long disconnects = 0;  // a client closed its connection with a request unanswered or half sent
  long resets = 0;       // the same with SO_LINGER 0: an RST
  long stalls = 0;       // a client sent half a request and stopped, until the server closed it
  long served = 0;       // the server's count of requests answered
  long fd_baseline = 0, fd_after = 0;
  long heap_baseline = 0, heap_after = 0;
  long rss_baseline = 0, rss_after = 0, rss_peak = 0;
  long rss_growth = 0, fd_growth = 0;
  double seconds = 0;  // after the warm-up
  std::string first_loss;

  bool ok() const { return lost == 0 && fd_growth == 0 && heap_after - heap_baseline <= kHeapSlack; }
  std::string problem() const {
    if (lost != 0) return std::to_string(lost) + " requests lost; the first: " + first_loss;
    if (fd_growth != 0)
      return "open fds " + std::to_string(fd_baseline) + " before, " + std::to_string(fd_after) + " after";
    return "heap in use " + std::to_string(heap_baseline) + " bytes before, " + std::to_string(heap_after) + " after";
  }
  std::string summary() const {
    char line[512];
    std::snprintf(line, sizeof line,
                  "%ld requests answered (%ld of them in the warm-up; %.2f s after it), %ld lost, on %ld connections, "
                  "%ld disconnects, "
                  "%ld resets, %ld stalled clients; open fds %ld before, %ld after; heap in use %ld KiB before, %ld "
                  "KiB after; RSS %ld KiB before, %ld KiB after, %ld KiB at the peak",
                  answered, warm_up, seconds, lost, connections, disconnects, resets, stalls, fd_baseline, fd_after,
                  heap_baseline / 1024, heap_after / 1024, rss_baseline / 1024, rss_after / 1024, rss_peak / 1024);
    return line;
  }
  // What the runtime may keep after the warm-up: a vector doubling, a pool's block.
  static constexpr long kHeapSlack = 64 * 1024;
};

inline long open_fds() {
  long n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

inline long heap_in_use() {
#if CORIO_TEST_ASAN
  return static_cast<long>(__sanitizer_get_current_allocated_bytes());
#else
  return static_cast<long>(::mallinfo2().uordblks);
#endif
}

inline long resident_bytes() {
  long pages = 0, resident = 0;
  std::ifstream("/proc/self/statm") >> pages >> resident;
  return resident * ::sysconf(_SC_PAGESIZE);
}

inline long peak_resident_bytes() {
  std::ifstream status("/proc/self/status");
  for (std::string key; status >> key;)
    if (key == "VmHWM:") {
      long kib = 0;
      status >> kib;
      return kib * 1024;
    }
  return 0;
}

struct Shared {
  Options options;
  Report report;
  corio::SocketAddress server;
  long next_id = 0;  // each request's number
  long target = 0;   // answered requests this phase stops at
};

// Reads one response to the end of its body (Content-Length); "" when the
// server closed the connection first.
inline corio::Coro<std::string> read_response(corio::Socket& sock, std::string& pending) {
  for (;;) {
    auto head_end = pending.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      auto at = pending.find("Content-Length: ");
      if (at == std::string::npos || at > head_end)
        co_return "no Content-Length in '" + pending.substr(0, head_end) + "'";
      std::size_t length = std::stoul(pending.substr(at + 16));
      std::size_t total = head_end + 4 + length;
      if (pending.size() >= total) {
        std::string response = pending.substr(0, total);
        pending.erase(0, total);
        co_return response;
      }
    }
    std::string more = co_await corio::sock_recv(sock, 4096);
    if (more.empty()) co_return "";
    pending += more;
  }
}

inline void reset_on_close(corio::Socket& sock) {
  linger l{1, 0};
  ::setsockopt(sock.fd(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

inline std::string request_for(long id) { return "GET /r/" + std::to_string(id) + " HTTP/1.1\r\nHost: soak\r\n\r\n"; }

// Until the server closes it (a stalled client's end): reads and drops what comes.
inline corio::Coro<> drain_until_closed(corio::Socket& sock) {
  try {
    for (;;) {
      std::string dropped = co_await corio::sock_recv(sock, 4096);
      if (dropped.empty()) break;
    }
  } catch (const corio::ConnectionError&) {
  }
}

// One client: connections one after another, each with a few keep-alive
// requests, until the phase's target is reached.
inline corio::Coro<> client(Shared& s, int number) {
  std::mt19937 random(s.options.seed * 7919u + static_cast<unsigned>(number));
  while (s.report.answered < s.target) {
    corio::Socket sock = corio::Socket::tcp();
    co_await corio::sock_connect(sock, s.server);
    ++s.report.connections;
    std::string pending;
    int requests = 1 + static_cast<int>(random() % 40);
    for (int r = 0; r < requests && s.report.answered < s.target; ++r) {
      long id = s.next_id++;
      std::string request = request_for(id);
      std::string half = request.substr(0, request.size() / 2);
      // Named, not a conditional expression inside the co_await: g++ 12 destroys a temporary made by a ?: in a
      // co_await's full expression twice.
      unsigned action = random() % 100;
      std::string_view sent_first = action % 2 == 0 ? std::string_view(half) : std::string_view(request);
      if (action < 2) {  // gone with a request unanswered: half sent, or sent and not read
        co_await corio::sock_sendall(sock, sent_first);
        ++s.report.disconnects;
        break;
      }
      if (action < 4) {  // the same, with an RST
        co_await corio::sock_sendall(sock, sent_first);
        reset_on_close(sock);
        ++s.report.resets;
        break;
      }
      if (action < 5) {  // stalled: half a request, then nothing until the server gives up on it
        co_await corio::sock_sendall(sock, half);
        co_await drain_until_closed(sock);
        ++s.report.stalls;
        break;
      }
      std::string expected_body = std::to_string(id);
      std::string response;
      try {
        co_await corio::sock_sendall(sock, request);
        response = co_await read_response(sock, pending);
      } catch (const corio::ConnectionError& e) {
        response = std::string("connection error: ") + e.what();
      }
      bool whole = response.rfind("HTTP/1.1 200 ", 0) == 0 && response.size() >= expected_body.size() &&
                   response.compare(response.size() - expected_body.size(), expected_body.size(), expected_body) == 0;
      if (whole) {
        ++s.report.answered;
      } else {
        if (s.report.lost++ == 0) s.report.first_loss = "request " + std::to_string(id) + " got '" + response + "'";
        break;
      }
    }
    sock.close();
  }
}

inline corio::Coro<> phase(Shared& s, long target) {
  s.target = target;
  std::vector<corio::Task<>> clients;
  for (int i = 0; i < s.options.clients; ++i) clients.push_back(corio::create_task(client(s, i)));
  for (corio::Task<>& c : clients) co_await c;
}

// The server closes a connection when it reads the client's end: a few
// iterations after the last client left, at most a stall timeout.
inline corio::Coro<> until_idle(corio::http::Server& server, double timeout) {
  auto deadline = corio::get_running_loop().time() + 2 * timeout + 1;
  while (server.connections() != 0 && corio::get_running_loop().time() < deadline) co_await corio::sleep(0.001);
}

inline corio::Coro<> soak(Shared& s) {
  corio::http::Router router;
  router.get("/r/*", [](corio::http::Request request) -> corio::Coro<corio::http::Response> {
    std::string id(request.path().substr(3));
    if (id.back() % 4 == 0) co_await corio::sleep(0.001);  // some answers wait: a reset may arrive meanwhile
    co_return corio::http::Response::text(200, id);
  });
  corio::http::ServerOptions options;
  options.header_timeout = s.options.stall_timeout;
  options.idle_timeout = s.options.stall_timeout;
  options.backlog = 1024;
  corio::http::Server server = co_await corio::http::Server::start(std::move(router), "127.0.0.1", 0, options);
  s.server = corio::SocketAddress::ip("127.0.0.1", server.port());

  co_await phase(s, s.options.warm_up);
  co_await until_idle(server, s.options.stall_timeout);
  Report& r = s.report;
  r.warm_up = r.answered;
  r.fd_baseline = open_fds();
  r.heap_baseline = heap_in_use();
  r.rss_baseline = resident_bytes();
  auto began = std::chrono::steady_clock::now();
  co_await phase(s, s.options.requests);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  co_await until_idle(server, s.options.stall_timeout);
  r.fd_after = open_fds();
  r.heap_after = heap_in_use();
  r.rss_after = resident_bytes();
  r.rss_peak = peak_resident_bytes();
  r.fd_growth = r.fd_after - r.fd_baseline;
  r.rss_growth = r.rss_after - r.rss_baseline;
  r.served = static_cast<long>(server.requests_served());
  server.close();
  co_await server.wait_closed();
}

inline Report run(Options options) {
  Shared s;
  s.options = options;
  corio::run(soak(s), {.poller = std::nullopt, .clock = options.clock});
  return s.report;
}

}  // namespace corio_soak
