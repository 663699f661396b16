// @chapter 13
// corio's side of `make bench` for chapter 13's HTTP: workloads G (a
// keep-alive server under wrk: requests per second and the server's CPU
// microseconds per request), GS and GP (the same responder written on
// chapter 12's streams and on a bare Protocol: what each layer costs), H
// (client fan-out: 1000 GETs, 100 in flight, against a server answering
// after 50 ms, beside blocking GETs one after another) and GM (memory per
// idle keep-alive connection) of docs/benchmarks.md, one per process.
// Usage: corio_bench_http WORKLOAD. The output format is the one described
// at the top of tests/bench/run.sh; tests/bench/asyncio_bench.py does the
// same work in CPython asyncio. `corio_bench_http serve` is H's server (and
// asyncio's): it prints "port N" and serves test_routes() until its standard
// input closes.
#include <corio/corio.hpp>
#include <corio/tasks/fd_wait.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

extern char** environ;

namespace {

// This program, as it was started (argv[0]): H starts its server with it.
std::string self_path;

double now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

[[noreturn]] void fail(const char* workload, const std::string& what) {
  std::fprintf(stderr, "corio_bench_http: CHECK FAILED: %s: %s\n", workload, what.c_str());
  std::exit(1);
}

// This process's CPU time so far, user + system, in seconds: the utime and
// stime of /proc/self/stat, read through getrusage for microseconds instead
// of clock ticks.
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Another process's CPU time so far, user + system, in seconds: utime and
// stime of /proc/PID/stat (fields 14 and 15, in clock ticks).
double process_cpu_seconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::size_t at = text.rfind(')');
  if (at == std::string::npos) return 0;
  std::istringstream fields(text.substr(at + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i >= 14) ticks += std::atof(field.c_str());
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Resident set now: the second field of /proc/self/statm, in pages.
long resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

// Reads fd to end of file without blocking the loop, then closes it.
corio::Coro<std::string> read_all(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    co_await corio::readable(fd);
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  co_return out;
}

// A child process running argv with its standard output (and error) on a
// non-blocking pipe this process reads; its standard input is a pipe too,
// so that closing in_fd tells the child to stop.
struct Child {
  pid_t pid = -1;
  int out_fd = -1;
  int in_fd = -1;
};

Child spawn(const char* workload, const std::vector<std::string>& args) {
  int out[2], in[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(in, O_CLOEXEC) != 0) fail(workload, "pipe2");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, out[1], 2);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  Child child;
  int rc = posix_spawnp(&child.pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  ::close(in[0]);
  if (rc != 0) fail(workload, "cannot start " + args[0] + ": " + std::strerror(rc));
  ::fcntl(out[0], F_SETFL, O_NONBLOCK);
  child.out_fd = out[0];
  child.in_fd = in[1];
  return child;
}

int wait_child(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// --- G, GS, GP: a keep-alive server under wrk ----------------------------------

constexpr int kWrkConnections = 100;
constexpr int kWrkSeconds = 3;
constexpr int kWarmupSeconds = 1;
constexpr std::string_view kHello = "Hello, World!";
constexpr std::string_view kResponse =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";

struct Load {
  double requests = 0;
  double seconds = 0;
  double cpu = 0;  // this process's CPU seconds while wrk ran
};

// The number after `key` in wrk's report ("N requests in 3.00s").
double number_before(const std::string& report, const std::string& key) {
  std::size_t at = report.find(key);
  if (at == std::string::npos) return -1;
  std::size_t start = report.rfind('\n', at);
  start = start == std::string::npos ? 0 : start + 1;
  return std::atof(report.c_str() + start);
}

// wrk -t1 -c100 -dNs against the server on this loop; the loop keeps
// serving while it waits for wrk's report on a pipe.
corio::Coro<Load> run_wrk(const char* workload, int port, int seconds) {
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  double cpu0 = cpu_seconds();
  Child wrk = spawn(workload,
                    {"wrk", "-t1", "-c" + std::to_string(kWrkConnections), "-d" + std::to_string(seconds) + "s", url});
  ::close(wrk.in_fd);
  std::string report = co_await read_all(wrk.out_fd);
  double cpu1 = cpu_seconds();
  int rc = wait_child(wrk.pid);
  if (rc != 0) fail(workload, "wrk exited with " + std::to_string(rc) + ": " + report);
  if (report.find("Non-2xx") != std::string::npos || report.find("Socket errors") != std::string::npos) {
    fail(workload, "wrk saw errors: " + report);
  }
  Load load;
  load.requests = number_before(report, " requests in ");
  std::size_t in = report.find(" requests in ");
  load.seconds = in == std::string::npos ? -1 : std::atof(report.c_str() + in + std::strlen(" requests in "));
  load.cpu = cpu1 - cpu0;
  if (load.requests <= 0 || load.seconds <= 0) fail(workload, "cannot read wrk's report: " + report);
  co_return load;
}

// One request by hand before the load: the response must be the one the
// workload names (status 200, the 13-byte body), on a connection kept open.
corio::Coro<void> check_response(const char* workload, int port) {
  auto [reader, writer] = co_await corio::open_connection("127.0.0.1", port);
  for (int i = 0; i < 2; ++i) {
    writer.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    co_await writer.drain();
    std::string head = co_await reader.readuntil("\r\n\r\n");
    if (head.rfind("HTTP/1.1 200 OK\r\n", 0) != 0) fail(workload, "the response starts " + head);
    if (head.find("Content-Length: 13\r\n") == std::string::npos) fail(workload, "no Content-Length: 13 in " + head);
    std::string body = co_await reader.readexactly(kHello.size());
    if (body != kHello) fail(workload, "the body is " + body);
  }
  writer.close();
  co_await writer.wait_closed();
}

// Checks the server, warms it up, then measures; prints the result line.
corio::Coro<void> measure_server(const char* workload, int port) {
  co_await check_response(workload, port);
  co_await run_wrk(workload, port, kWarmupSeconds);
  Load load = co_await run_wrk(workload, port, kWrkSeconds);
  std::printf("%s req_per_s=%g cpu_per_req_us=%g requests=%.0f cpu_ms=%g\n", workload, load.requests / load.seconds,
              load.cpu / load.requests * 1e6, load.requests, load.cpu * 1e3);
}

// --- G's floor: the same load on a bare epoll server ------------------------------

// The least CPU a server can spend per request on this machine: no runtime,
// no parsing beyond finding each head's end, the fixed response. One thread,
// level-triggered epoll: accept4, recv, one send per read answering every
// head it completed. The pipe of wrk's report is in the same epoll set, so
// the server stops when wrk ends. Blocks the calling thread (the loop has
// nothing else to do then); returns the load as run_wrk does.
Load floor_load(int seconds) {
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener, 1024) != 0 || ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    fail("G", std::string("the floor's listening socket: ") + std::strerror(errno));
  }
  int ep = ::epoll_create1(EPOLL_CLOEXEC);
  auto watch = [ep](int fd) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  };
  watch(listener);
  std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/";
  double cpu0 = cpu_seconds();
  Child wrk =
      spawn("G", {"wrk", "-t1", "-c" + std::to_string(kWrkConnections), "-d" + std::to_string(seconds) + "s", url});
  ::close(wrk.in_fd);
  watch(wrk.out_fd);
  // Per fd: -1 for none of the connections, else how many bytes of
  // "\r\n\r\n" the connection's last read ended on.
  std::vector<int> matched;
  std::string report;
  std::string answers;
  char buf[16384];
  epoll_event events[128];
  for (bool running = true; running;) {
    int n = ::epoll_wait(ep, events, 128, -1);
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == listener) {
        for (int c; (c = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0;) {
          ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          if (static_cast<std::size_t>(c) >= matched.size()) matched.resize(c + 1, -1);
          matched[c] = 0;
          watch(c);
        }
      } else if (fd == wrk.out_fd) {
        ssize_t r = ::read(fd, buf, sizeof buf);
        if (r > 0) report.append(buf, static_cast<std::size_t>(r));
        if (r == 0) running = false;
      } else {
        ssize_t r = ::recv(fd, buf, sizeof buf, 0);
        if (r <= 0) {
          if (r < 0 && errno == EAGAIN) continue;
          ::close(fd);  // leaves the epoll set with it
          matched[fd] = -1;
          continue;
        }
        int heads = 0;
        int m = matched[fd];
        for (ssize_t k = 0; k < r; ++k) {
          char want = (m % 2 == 0) ? '\r' : '\n';
          if (buf[k] == want) {
            if (++m == 4) {
              ++heads;
              m = 0;
            }
          } else {
            m = buf[k] == '\r' ? 1 : 0;
          }
        }
        matched[fd] = m;
        answers.clear();
        for (int h = 0; h < heads; ++h) answers.append(kResponse);
        if (!answers.empty()) ::send(fd, answers.data(), answers.size(), MSG_NOSIGNAL);
      }
    }
  }
  double cpu1 = cpu_seconds();
  for (std::size_t fd = 0; fd < matched.size(); ++fd) {
    if (matched[fd] >= 0) ::close(static_cast<int>(fd));
  }
  ::close(wrk.out_fd);
  ::close(ep);
  ::close(listener);
  int rc = wait_child(wrk.pid);
  if (rc != 0) fail("G", "wrk (the floor's load) exited with " + std::to_string(rc) + ": " + report);
  if (report.find("Non-2xx") != std::string::npos || report.find("Socket errors") != std::string::npos) {
    fail("G", "wrk saw errors from the floor: " + report);
  }
  Load load;
  load.requests = number_before(report, " requests in ");
  std::size_t in = report.find(" requests in ");
  load.seconds = in == std::string::npos ? -1 : std::atof(report.c_str() + in + std::strlen(" requests in "));
  load.cpu = cpu1 - cpu0;
  if (load.requests <= 0 || load.seconds <= 0) fail("G", "cannot read wrk's report on the floor: " + report);
  return load;
}

// G: corio's HTTP server, test_routes()'s GET / (the workload's response);
// then, in the same process, the floor under the same load.
corio::Coro<void> bench_g() {
  corio::http::Server server = co_await corio::http::Server::start(corio::http::test_routes(), "127.0.0.1", 0);
  co_await check_response("G", server.port());
  co_await run_wrk("G", server.port(), kWarmupSeconds);
  Load load = co_await run_wrk("G", server.port(), kWrkSeconds);
  server.close();
  co_await server.wait_closed();
  floor_load(kWarmupSeconds);
  Load floor = floor_load(kWrkSeconds);
  std::printf("G req_per_s=%g cpu_per_req_us=%g floor_req_per_s=%g floor_cpu_per_req_us=%g requests=%.0f cpu_ms=%g\n",
              load.requests / load.seconds, load.cpu / load.requests * 1e6, floor.requests / floor.seconds,
              floor.cpu / floor.requests * 1e6, load.requests, load.cpu * 1e3);
  std::printf(
      "# G's floor: a bare epoll server in C++ (no runtime, the fixed response) under the same wrk load in "
      "the same process; cpu_per_req_us - floor_cpu_per_req_us is what corio's server adds\n");
}

// GS: the responder on chapter 12's streams: readuntil the end of a head,
// one write, drain.
corio::Coro<void> stream_responder(corio::StreamReader reader, corio::StreamWriter writer) {
  try {
    for (;;) {
      co_await reader.readuntil("\r\n\r\n");
      writer.write(kResponse);
      co_await writer.drain();
    }
  } catch (const corio::IncompleteReadError&) {
  } catch (const corio::ConnectionError&) {
  }
  writer.close();
}

corio::Coro<void> bench_gs() {
  corio::Server server = co_await corio::start_server(stream_responder, "127.0.0.1", 0);
  co_await measure_server("GS", server.port());
  server.close();
  co_await server.wait_closed();
}

// GP: the responder as a bare Protocol: the bytes received are searched for
// the end of each head, and each head answered with one write.
class Responder : public corio::Protocol {
 public:
  void connection_made(corio::Transport& transport) override { transport_ = &transport; }
  void data_received(std::string_view data) override {
    std::string_view rest = data;
    if (!pending_.empty()) {
      pending_.append(data);
      rest = pending_;
    }
    std::size_t end;
    while ((end = rest.find("\r\n\r\n")) != std::string_view::npos) {
      transport_->write(kResponse);
      rest.remove_prefix(end + 4);
    }
    pending_ = std::string(rest);
  }
  void connection_lost(std::exception_ptr) override { transport_ = nullptr; }

 private:
  corio::Transport* transport_ = nullptr;
  std::string pending_;
};

corio::Coro<void> bench_gp() {
  corio::Server server = co_await corio::create_server([] { return std::make_shared<Responder>(); }, "127.0.0.1", 0);
  co_await measure_server("GP", server.port());
  server.close();
  co_await server.wait_closed();
}

// --- H: client fan-out -----------------------------------------------------------

constexpr int kGets = 1000;
constexpr int kInFlight = 100;
constexpr int kSyncGets = 100;
constexpr std::string_view kDelayed = "delayed 50 ms";

// H's server: this program's `serve` in a child process, so that this
// process's loop runs only the client. Returns its port.
corio::Coro<int> start_delay_server(Child& server) {
  server = spawn("H", {self_path, "serve"});
  std::string line;
  char c;
  while (line.empty() || line.back() != '\n') {
    co_await corio::readable(server.out_fd);
    ssize_t n = ::read(server.out_fd, &c, 1);
    if (n == 0) fail("H", "the server exited before saying its port: " + line);
    if (n == 1) line += c;
  }
  ::close(server.out_fd);
  if (line.rfind("port ", 0) != 0) fail("H", "the server said " + line);
  co_return std::atoi(line.c_str() + 5);
}

corio::Coro<void> one_get(corio::http::Client& client, corio::Semaphore& in_flight, const std::string& url,
                          const corio::http::Headers& headers, int& answered) {
  auto held = co_await in_flight.hold();
  corio::http::Response response = co_await client.get(url, headers);
  if (response.status == 200 && response.body == kDelayed) ++answered;
}

// 1000 GETs of /delay/50, 100 in flight, each on a new connection
// (Connection: close); seconds.
corio::Coro<double> fan_out_pass(int port) {
  corio::http::Client client;
  corio::Semaphore in_flight(kInFlight);
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/delay/50";
  corio::http::Headers close;
  close.add("Connection", "close");
  int answered = 0;
  double t0 = now();
  std::vector<corio::Coro<void>> gets;
  gets.reserve(kGets);
  for (int i = 0; i < kGets; ++i) gets.push_back(one_get(client, in_flight, url, close, answered));
  co_await corio::gather(std::move(gets));
  double t1 = now();
  co_await client.aclose();
  if (answered != kGets) fail("H", std::to_string(answered) + " of " + std::to_string(kGets) + " GETs answered right");
  if (client.connections_opened() != static_cast<std::size_t>(kGets)) {
    fail("H", std::to_string(client.connections_opened()) + " connections opened, not one per GET");
  }
  co_return t1 - t0;
}

corio::Coro<void> bench_h() {
  Child server;
  int port = co_await start_delay_server(server);
  double cold = co_await fan_out_pass(port);
  double cpu0 = cpu_seconds();
  double server_cpu0 = process_cpu_seconds(server.pid);
  double warm = co_await fan_out_pass(port);
  double cpu = cpu_seconds() - cpu0;
  double server_cpu = process_cpu_seconds(server.pid) - server_cpu0;
  // The synchronous baseline: blocking GETs one after another, on this
  // thread (the loop waits meanwhile, and has nothing to do).
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/delay/50";
  double t0 = now();
  for (int i = 0; i < kSyncGets; ++i) {
    corio::http::Response response = corio::http::blocking_get(url);
    if (response.status != 200 || response.body != kDelayed) fail("H", "a blocking GET's answer: " + response.body);
  }
  double sync = (now() - t0) * kGets / kSyncGets;
  ::close(server.in_fd);
  int rc = wait_child(server.pid);
  if (rc != 0) fail("H", "the server exited with " + std::to_string(rc));
  std::printf("H cold_ms=%g warm_ms=%g sync_extrapolated_ms=%g warm_cpu_per_get_us=%g warm_server_cpu_per_get_us=%g\n",
              cold * 1e3, warm * 1e3, sync * 1e3, cpu / kGets * 1e6, server_cpu / kGets * 1e6);
  std::printf("# H: sync_extrapolated_ms is %d blocking GETs one after another, times %d\n", kSyncGets,
              kGets / kSyncGets);
}

// --- GM: memory per idle keep-alive connection --------------------------------

constexpr int kIdleConnections = 2000;

// In the child process GM forks: kIdleConnections connections, one GET / on
// each and its response read; then one byte to ready_fd and close it, and
// the connections held open until release_fd reaches end of file. Blocking
// calls only, then _exit: the child never touches the loop it inherited.
[[noreturn]] void hold_connections(int port, int ready_fd, int release_fd) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  constexpr std::string_view request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  std::vector<int> clients;
  for (int i = 0; i < kIdleConnections; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
      ::_exit(3);
    }
    clients.push_back(fd);
  }
  for (int fd : clients) {
    std::string reply;
    char buf[4096];
    while (reply.size() < kHello.size() || reply.compare(reply.size() - kHello.size(), kHello.size(), kHello) != 0) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) ::_exit(4);
      reply.append(buf, static_cast<std::size_t>(n));
    }
  }
  if (::write(ready_fd, "r", 1) != 1) ::_exit(5);
  ::close(ready_fd);
  char byte;
  while (::read(release_fd, &byte, 1) > 0) {
  }
  ::_exit(0);
}

// The resident set per idle keep-alive connection of corio's HTTP server:
// each connection answered one request and waits for the next (its task,
// transport, buffer and parser). The clients live in another process.
corio::Coro<void> bench_gm() {
  corio::http::ServerOptions options;
  options.backlog = kIdleConnections;
  corio::http::Server server = co_await corio::http::Server::start(corio::http::test_routes(), "127.0.0.1", 0, options);
  int ready[2], release[2];
  if (::pipe2(ready, O_CLOEXEC) != 0 || ::pipe2(release, O_CLOEXEC) != 0) fail("GM", "pipe2");
  std::fflush(nullptr);
  long before = resident_bytes();
  pid_t pid = ::fork();
  if (pid < 0) fail("GM", std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::close(ready[0]);
    ::close(release[1]);
    hold_connections(server.port(), ready[1], release[0]);
  }
  ::close(ready[1]);
  ::close(release[0]);
  ::fcntl(ready[0], F_SETFL, O_NONBLOCK);
  std::string said = co_await read_all(ready[0]);
  std::size_t open = server.connections();
  long after = resident_bytes();
  ::close(release[1]);
  int rc = wait_child(pid);
  server.close();
  co_await server.wait_closed();
  if (said != "r" || rc != 0) fail("GM", "the clients' process failed (exit status " + std::to_string(rc) + ")");
  if (open != kIdleConnections)
    fail("GM", std::to_string(open) + " connections open, not " + std::to_string(kIdleConnections));
  if (server.requests_served() != kIdleConnections)
    fail("GM", std::to_string(server.requests_served()) + " requests served");
  std::printf("GM bytes_per_conn=%g connections=%d\n", static_cast<double>(after - before) / kIdleConnections,
              kIdleConnections);
}

// --- serve: H's server, in a process of its own ---------------------------------

// Serves test_routes() on 127.0.0.1 (a port the system picks, printed as
// "port N") until standard input, a pipe, reaches end of file; with any
// other standard input, until killed.
corio::Coro<void> serve() {
  corio::http::ServerOptions options;
  options.backlog = 1000;
  corio::http::Server server = co_await corio::http::Server::start(corio::http::test_routes(), "127.0.0.1", 0, options);
  std::printf("port %d\n", server.port());
  std::fflush(stdout);
  struct stat in {};
  if (::fstat(0, &in) == 0 && (S_ISFIFO(in.st_mode) || S_ISSOCK(in.st_mode))) {
    ::fcntl(0, F_SETFL, O_NONBLOCK);
    co_await read_all(0);
    server.close();
    co_await server.wait_closed();
  } else {
    co_await server.serve_forever();
  }
}

struct Workload {
  const char* name;
  corio::Coro<void> (*run)();
};

constexpr Workload kWorkloads[] = {
    {"G", bench_g}, {"GS", bench_gs}, {"GP", bench_gp}, {"H", bench_h}, {"GM", bench_gm}, {"serve", serve},
};

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  self_path = argv[0];
  for (const Workload& w : kWorkloads) {
    if (argc == 2 && std::strcmp(argv[1], w.name) == 0) {
      corio::run(w.run());
      return 0;
    }
  }
  std::fprintf(stderr, "usage: corio_bench_http WORKLOAD (G, GS, GP, H or GM) | serve\n");
  return 2;
}
