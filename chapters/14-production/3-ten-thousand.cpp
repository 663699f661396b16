// C03 ten thousand simultaneous TCP connections to one corio server, each doing ten request/response round trips
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <corio/corio.hpp>
#include <corio/net/socket.hpp>

constexpr int kRounds = 10;        // round trips per connection
constexpr int kConnecting = 1000;  // connections being opened at once, below the listen backlog
constexpr int kSpareFds = 256;     // fds a process needs besides its connections

// The resident set now (/proc/self/statm), and the peak (VmHWM in /proc/self/status), in bytes.
long resident_bytes() {
  long pages = 0, resident = 0;
  std::ifstream("/proc/self/statm") >> pages >> resident;
  return resident * ::sysconf(_SC_PAGESIZE);
}
long peak_bytes() {
  std::ifstream status("/proc/self/status");
  for (std::string key; status >> key;)
    if (key == "VmHWM:") {
      long kib = 0;
      status >> kib;
      return kib * 1024;
    }
  return 0;
}
double mib(long bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

// Each process holds one end of every connection: raise the soft limit on open files to what that needs, and the
// hard limit too when the process may (root may; others stop at the hard limit).
bool raise_file_limit(int connections) {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  rlim_t wanted = static_cast<rlim_t>(connections + kSpareFds);
  std::printf("RLIMIT_NOFILE: soft %llu, hard %llu; each process needs %llu", (unsigned long long)limit.rlim_cur,
              (unsigned long long)limit.rlim_max, (unsigned long long)wanted);
  if (limit.rlim_cur >= wanted) {
    std::printf(", enough as it is\n");
    return true;
  }
  rlimit raised{wanted, std::max(limit.rlim_max, wanted)};
  if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
    std::printf(", raised to %llu\n", (unsigned long long)wanted);
    return true;
  }
  if (limit.rlim_max >= wanted) {
    raised = {wanted, limit.rlim_max};
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      std::printf(", soft limit raised to %llu\n", (unsigned long long)wanted);
      return true;
    }
  }
  std::printf(
      "\nthe limit on open files is too low for %d connections and this process may not raise it: run as "
      "root, raise the hard limit (ulimit -Hn, /etc/security/limits.conf), or ask for fewer connections\n",
      connections);
  return false;
}

// A connection from the clients to 127.0.0.1 takes a port from the ephemeral range, unique per source address: when
// half the range (the other half left to the rest of the machine) is too few, the clients spread over 127.0.0.2,
// 127.0.0.3 ..., all of them loopback.
int source_addresses(int connections) {
  int low = 32768, high = 60999;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> low >> high;
  int per_source = (high - low + 1) / 2;
  int sources = (connections + per_source - 1) / per_source;
  std::printf(
      "ephemeral ports %d-%d: the clients take at most %d per source address, so %d source address%s "
      "(127.0.0.1%s)\n",
      low, high, per_source, sources, sources == 1 ? "" : "es",
      sources == 1 ? "" : ("-127.0.0." + std::to_string(sources)).c_str());
  return sources;
}

// The clients' side, in the child process: every connection does one round trip, waits until all are open, then does
// the other nine and closes.
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
    // Bound to a source address before connecting; the port is left to connect(), which picks one unique for the
    // whole address pair (IP_BIND_ADDRESS_NO_PORT), not one unique on the machine as bind() would.
    int on = 1;
    ::setsockopt(sock.fd(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof on);
    sock.bind(corio::SocketAddress::ip("127.0.0." + std::to_string(1 + i % c.sources), 0));
    {
      auto permit = co_await c.connecting.hold();
      co_await corio::sock_connect(sock, c.server);
      co_await round_trip(sock);  // answered: the server has accepted it
    }
    c.round_trips += 1;
    if (++c.open == c.connections) c.all_open.set();
    co_await c.all_open.wait();
    for (int r = 1; r < kRounds; ++r) {
      co_await round_trip(sock);
      c.round_trips += 1;
    }
  } catch (const std::exception& e) {
    if (c.failed++ == 0) std::fprintf(stderr, "client %d: %s\n", i, e.what());
    if (++c.open == c.connections) c.all_open.set();
  }
}

corio::Coro<> all_clients(Clients& c) {
  std::vector<corio::Task<>> tasks;
  tasks.reserve(static_cast<std::size_t>(c.connections));
  for (int i = 0; i < c.connections; ++i) tasks.push_back(corio::create_task(client(c, i)));
  for (corio::Task<>& t : tasks) co_await t;
}

// The child: reads the server's port, runs every client on one loop, writes back what it measured.
int run_clients(int connections, int sources, int port_fd, int result_fd) {
  int port = 0;
  if (::read(port_fd, &port, sizeof port) != sizeof port) return 1;
  Clients c(connections, sources, corio::SocketAddress::ip("127.0.0.1", port));
  auto began = std::chrono::steady_clock::now();
  corio::run(all_clients(c), {.poller = corio::PollerKind::Epoll, .clock = corio::ClockKind::Real});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  char line[200];
  int n = std::snprintf(line, sizeof line, "%.3f %ld %d %ld\n", seconds, c.round_trips, c.failed, peak_bytes());
  return ::write(result_fd, line, static_cast<std::size_t>(n)) == n && c.failed == 0 ? 0 : 1;
}

// The server's side, in the parent: chapter 12's start_server, a task per connection answering "pong" to each
// "ping" until the client closes.
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
  if (::write(port_fd, &port, sizeof port) != sizeof port) throw corio::RuntimeError("cannot tell the clients");
  co_await s.all_finished.wait();
  server.close();
  co_await server.wait_closed();
}

int main(int argc, char** argv) {
  int connections = argc > 1 ? std::atoi(argv[1]) : 10000;
  if (!raise_file_limit(connections)) return 2;
  int sources = source_addresses(connections);
  std::printf(
      "server: chapter 12's start_server on epoll (select cannot watch an fd above 1023); "
      "clients: a child process, one loop\n");
  std::fflush(stdout);

  int to_child[2], from_child[2];
  if (::pipe(to_child) != 0 || ::pipe(from_child) != 0) return 1;
  // Forked before either side makes a loop or a thread: the child starts from a clean process.
  pid_t child = ::fork();
  if (child == 0) {
    ::close(to_child[1]);
    ::close(from_child[0]);
    ::_exit(run_clients(connections, sources, to_child[0], from_child[1]));
  }
  ::close(to_child[0]);
  ::close(from_child[1]);

  long baseline = resident_bytes();
  Served s(connections);
  corio::run(serve(s, to_child[1]), {.poller = corio::PollerKind::Epoll, .clock = corio::ClockKind::Real});
  int status = 0;
  ::waitpid(child, &status, 0);
  double seconds = 0;
  long round_trips = 0, client_peak = 0;
  int failed = 0;
  char line[200] = {};
  if (::read(from_child[0], line, sizeof line - 1) <= 0 ||
      std::sscanf(line, "%lf %ld %d %ld", &seconds, &round_trips, &failed, &client_peak) != 4) {
    std::printf("the clients' process ended without a report (status %d)\n", status);
    return 1;
  }
  std::printf("%d connections open at once (the server counted %d), %d failed\n", connections, s.peak_open, failed);
  std::printf("%ld round trips (%d per connection) in %.2f s, the server answered %ld\n", round_trips, kRounds, seconds,
              s.answered);
  std::printf("server: peak RSS %.1f MiB, %ld bytes per connection (resident set with all open, minus before)\n",
              mib(peak_bytes()), (s.rss_at_peak - baseline) / connections);
  std::printf("clients: peak RSS %.1f MiB\n", mib(client_peak));
  bool ok = failed == 0 && s.peak_open == connections && round_trips == long(connections) * kRounds &&
            s.answered == round_trips && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return ok ? 0 : 1;
}
