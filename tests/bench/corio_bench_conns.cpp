// @chapter 14
// corio's side of `make bench` for chapter 14's scale: workload K (many
// simultaneous connections) and KS (the soak) of docs/benchmarks.md, one per
// process. Usage: corio_bench_conns WORKLOAD. The output format is the one
// described at the top of tests/bench/run.sh; tests/bench/asyncio_bench.py
// does K in CPython asyncio.
//
// K: 50,000 connections (fewer when the limit on open files cannot be raised
// that far: a note says so) from a child process to a server made by
// start_server (chapter 12), each doing one round trip, waiting until all are
// open, then nine more; the program 14-production/3-ten-thousand at the
// bench's size and -O2. The server's process is measured: peak RSS, and its
// resident set with every connection open minus before, per connection.
// KS: tests/support/soak.hpp's soak at 1,000,000 requests on the real clock.
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <corio/corio.hpp>
#include <corio/net/socket.hpp>

#include "../support/soak.hpp"

namespace {

constexpr int kWanted = 50000;
constexpr int kRounds = 10;
constexpr int kConnecting = 1000;
constexpr int kSpareFds = 256;

long resident_bytes() {
  long pages = 0, resident = 0;
  std::ifstream("/proc/self/statm") >> pages >> resident;
  return resident * ::sysconf(_SC_PAGESIZE);
}

long peak_kib() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// As many connections as the limit on open files allows, up to kWanted.
int connections_allowed() {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  rlim_t wanted = kWanted + kSpareFds;
  rlimit raised{wanted, std::max(limit.rlim_max, wanted)};
  if (limit.rlim_cur >= wanted || ::setrlimit(RLIMIT_NOFILE, &raised) == 0) return kWanted;
  raised = {limit.rlim_max, limit.rlim_max};
  ::setrlimit(RLIMIT_NOFILE, &raised);
  int n = static_cast<int>(limit.rlim_max) - kSpareFds;
  std::printf("# K: RLIMIT_NOFILE's hard limit is %llu here and may not be raised, so K ran %d connections of %d\n",
              static_cast<unsigned long long>(limit.rlim_max), n, kWanted);
  return n;
}

int sources_for(int connections) {
  int low = 32768, high = 60999;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> low >> high;
  int per_source = (high - low + 1) / 2;
  return (connections + per_source - 1) / per_source;
}

struct Clients {
  Clients(int n, int s, corio::SocketAddress to) : connections(n), sources(s), server(to) {}
  int connections;
  int sources;
  corio::SocketAddress server;
  corio::Semaphore connecting{kConnecting};
  corio::Event all_open;
  int open = 0;
  long round_trips = 0;
  int failed = 0;
};

corio::Coro<> round_trip(corio::Socket& sock) {
  co_await corio::sock_sendall(sock, "ping\n");
  std::string reply;
  while (reply.size() < 5) {
    std::string part = co_await corio::sock_recv(sock, 5 - reply.size());
    if (part.empty()) throw corio::ConnectionError("the server closed the connection before answering");
    reply += part;
  }
  if (reply != "pong\n") throw corio::RuntimeError("the server answered '" + reply + "'");
}

corio::Coro<> client(Clients& c, int i) {
  try {
    corio::Socket sock = corio::Socket::tcp();
    int on = 1;
    ::setsockopt(sock.fd(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof on);
    sock.bind(corio::SocketAddress::ip("127.0.0." + std::to_string(1 + i % c.sources), 0));
    {
      auto permit = co_await c.connecting.hold();
      co_await corio::sock_connect(sock, c.server);
      co_await round_trip(sock);
    }
    c.round_trips += 1;
    if (++c.open == c.connections) c.all_open.set();
    co_await c.all_open.wait();
    for (int r = 1; r < kRounds; ++r) {
      co_await round_trip(sock);
      c.round_trips += 1;
    }
  } catch (const std::exception& e) {
    if (c.failed++ == 0) std::fprintf(stderr, "K: client %d: %s\n", i, e.what());
    if (++c.open == c.connections) c.all_open.set();
  }
}

corio::Coro<> all_clients(Clients& c) {
  std::vector<corio::Task<>> tasks;
  tasks.reserve(static_cast<std::size_t>(c.connections));
  for (int i = 0; i < c.connections; ++i) tasks.push_back(corio::create_task(client(c, i)));
  for (corio::Task<>& t : tasks) co_await t;
}

int run_clients(int connections, int port_fd, int result_fd) {
  int port = 0;
  if (::read(port_fd, &port, sizeof port) != sizeof port) return 1;
  Clients c(connections, sources_for(connections), corio::SocketAddress::ip("127.0.0.1", port));
  auto began = std::chrono::steady_clock::now();
  corio::run(all_clients(c), {.poller = corio::PollerKind::Epoll, .clock = corio::ClockKind::Real});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  char line[200];
  int n = std::snprintf(line, sizeof line, "%.6f %ld %d\n", seconds, c.round_trips, c.failed);
  return ::write(result_fd, line, static_cast<std::size_t>(n)) == n && c.failed == 0 ? 0 : 1;
}

struct Served {
  explicit Served(int n) : connections(n) {}
  int connections;
  int open = 0;
  int peak_open = 0;
  int finished = 0;
  long answered = 0;
  long rss_at_peak = 0;
  corio::Event all_finished;
};

corio::Coro<> answer(Served& s, corio::StreamReader reader, corio::StreamWriter writer) {
  s.peak_open = std::max(s.peak_open, ++s.open);
  if (s.open == s.connections) s.rss_at_peak = resident_bytes();
  for (;;) {
    std::string line = co_await reader.readline();
    if (line.empty()) break;
    writer.write("pong\n");
    co_await writer.drain();
    ++s.answered;
  }
  writer.close();
  --s.open;
  if (++s.finished == s.connections) s.all_finished.set();
}

corio::Coro<> serve(Served& s, int port_fd) {
  corio::Server server = co_await corio::start_server(
      [&s](corio::StreamReader r, corio::StreamWriter w) { return answer(s, std::move(r), std::move(w)); }, "127.0.0.1",
      0, {.backlog = 4096});
  int port = server.port();
  if (::write(port_fd, &port, sizeof port) != sizeof port) throw corio::RuntimeError("K: cannot tell the clients");
  co_await s.all_finished.wait();
  server.close();
  co_await server.wait_closed();
}

int bench_k() {
  int connections = connections_allowed();
  int to_child[2], from_child[2];
  if (::pipe(to_child) != 0 || ::pipe(from_child) != 0) return 1;
  std::fflush(stdout);
  pid_t child = ::fork();
  if (child == 0) {
    ::close(to_child[1]);
    ::close(from_child[0]);
    ::_exit(run_clients(connections, to_child[0], from_child[1]));
  }
  ::close(to_child[0]);
  ::close(from_child[1]);
  long baseline = resident_bytes();
  Served s(connections);
  corio::run(serve(s, to_child[1]), {.poller = corio::PollerKind::Epoll, .clock = corio::ClockKind::Real});
  int status = 0;
  ::waitpid(child, &status, 0);
  double seconds = 0;
  long round_trips = 0;
  int failed = 0;
  char line[200] = {};
  if (::read(from_child[0], line, sizeof line - 1) <= 0 ||
      std::sscanf(line, "%lf %ld %d", &seconds, &round_trips, &failed) != 3) {
    std::fprintf(stderr, "K: the clients' process ended without a report (status %d)\n", status);
    return 1;
  }
  if (failed != 0 || s.peak_open != connections || round_trips != long(connections) * kRounds ||
      s.answered != round_trips) {
    std::fprintf(stderr, "K: %d failed, %d open at once of %d, %ld round trips, %ld answered\n", failed, s.peak_open,
                 connections, round_trips, s.answered);
    return 1;
  }
  std::printf("K connections=%d time_ms=%.6g peak_rss_kib=%ld bytes_per_conn=%ld\n", connections, seconds * 1e3,
              peak_kib(), (s.rss_at_peak - baseline) / connections);
  return 0;
}

int bench_ks() {
  corio_soak::Options options;
  options.requests = 1000000;
  options.clients = 200;
  options.seed = 14;
  corio_soak::Report r = corio_soak::run(options);
  std::printf("# KS: %s\n", r.summary().c_str());
  if (!r.ok()) {
    std::fprintf(stderr, "KS: %s\n", r.problem().c_str());
    return 1;
  }
  std::printf("KS requests=%ld time_ms=%.6g req_per_s=%.6g rss_growth_kib=%ld fd_growth=%ld\n", r.answered,
              r.seconds * 1e3, static_cast<double>(r.answered - r.warm_up) / r.seconds, r.rss_growth / 1024,
              r.fd_growth);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "K") == 0) return bench_k();
  if (argc == 2 && std::strcmp(argv[1], "KS") == 0) return bench_ks();
  std::fprintf(stderr, "usage: corio_bench_conns WORKLOAD (K or KS)\n");
  return 2;
}
