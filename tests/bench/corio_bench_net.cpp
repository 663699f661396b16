// @chapter 12
// corio's side of `make bench` for chapter 12's streams: workloads I (echo
// round trips), J (stream throughput, beside a plain blocking read/write
// loop: the limit) and M (memory per connection) of docs/benchmarks.md, one
// per process. Usage: corio_bench_net WORKLOAD. The output format is the one
// described at the top of tests/bench/run.sh; tests/bench/asyncio_bench.py
// does the same work in CPython asyncio. Everything runs on 127.0.0.1, the
// server and the client in one process and one loop, as asyncio's side does.
#include <corio/corio.hpp>
#include <corio/tasks/fd_wait.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

double now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

[[noreturn]] void fail(const char* workload, const std::string& what) {
  std::fprintf(stderr, "corio_bench_net: CHECK FAILED: %s: %s\n", workload, what.c_str());
  std::exit(1);
}

// Resident set now: the second field of /proc/self/statm, in pages.
long resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

// --- I. echo round trips -------------------------------------------------------

constexpr int kRoundTrips = 100'000;
constexpr std::size_t kMessage = 64;

corio::Coro<void> echo(corio::StreamReader reader, corio::StreamWriter writer) {
  for (;;) {
    std::string data = co_await reader.read(65536);
    if (data.empty()) break;
    writer.write(data);
    co_await writer.drain();
  }
  writer.close();
}

// One pass on a fresh connection to an echo server on this loop; seconds.
corio::Coro<double> echo_pass() {
  corio::Server server = co_await corio::start_server(echo, "127.0.0.1", 0);
  auto [reader, writer] = co_await corio::open_connection("127.0.0.1", server.port());
  std::string message(kMessage, '\0');
  for (std::size_t i = 0; i < kMessage; ++i) message[i] = static_cast<char>(i);
  double t0 = now();
  for (int i = 0; i < kRoundTrips; ++i) {
    writer.write(message);
    co_await writer.drain();
    std::string back = co_await reader.readexactly(kMessage);
    if (back != message) fail("I", "the echo differs from what was sent");
  }
  double t1 = now();
  writer.close();
  co_await writer.wait_closed();
  server.close();
  co_await server.wait_closed();
  co_return t1 - t0;
}

double bare_echo_pass();

// The limit runs first, twice; its second pass is the figure, as corio's is.
corio::Coro<void> bench_i() {
  bare_echo_pass();
  double limit = bare_echo_pass();
  double cold = co_await echo_pass();
  double warm = co_await echo_pass();
  std::printf("I cold_rt_per_s=%g warm_rt_per_s=%g cold_ms=%g warm_ms=%g limit_rt_per_s=%g warm_of_limit_pct=%g\n",
              kRoundTrips / cold, kRoundTrips / warm, cold * 1e3, warm * 1e3, kRoundTrips / limit,
              100 * limit / warm);
}

// --- J. stream throughput ------------------------------------------------------

constexpr long long kTotal = 1LL << 30;
constexpr std::size_t kChunk = 64 * 1024;

// The plain blocking halves: write the gigabyte in 64 KiB write()s and
// close; read() until end of file, returning the count.
void blocking_write(int fd) {
  std::string chunk(kChunk, 'x');
  for (long long left = kTotal; left > 0;) {
    ssize_t n = ::write(fd, chunk.data(), chunk.size());
    if (n <= 0) fail("J", std::string("a blocking write: ") + std::strerror(errno));
    left -= n;
  }
  ::close(fd);
}

long long blocking_read(int fd) {
  std::vector<char> buf(1 << 20);
  long long total = 0;
  for (ssize_t n; (n = ::read(fd, buf.data(), buf.size())) > 0;) total += n;
  ::close(fd);
  return total;
}

// A listening socket on 127.0.0.1, its port in *port.
int blocking_listener(const char* workload, int* port) {
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener, 1) != 0 || ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    fail(workload, std::string("a blocking listening socket: ") + std::strerror(errno));
  }
  *port = ntohs(addr.sin_port);
  return listener;
}

int blocking_connect(const char* workload, int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    fail(workload, std::string("a blocking connect: ") + std::strerror(errno));
  }
  return fd;
}

// Both ends of a TCP connection on 127.0.0.1, made with blocking calls.
struct LoopbackPair {
  int client;
  int server;
};

LoopbackPair loopback_pair(const char* workload) {
  int port = 0;
  int listener = blocking_listener(workload, &port);
  int client = blocking_connect(workload, port);
  int server = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  if (server < 0) fail(workload, std::string("a blocking accept: ") + std::strerror(errno));
  ::close(listener);
  return {client, server};
}

// I's limit: the same round trips with no runtime at all. One thread, one
// epoll set holding both ends of the connection (non-blocking, TCP_NODELAY,
// as corio's transports are), and per round trip the system calls a loop
// makes: send at the client; epoll_wait; recv and send at the server;
// epoll_wait; recv at the client. What is left of a round trip here is the
// kernel's share, which no runtime can go below. Seconds.
double bare_echo_pass() {
  auto [client, server] = loopback_pair("I");
  int ep = ::epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) fail("I", std::string("epoll_create1: ") + std::strerror(errno));
  int one = 1;
  for (int fd : {client, server}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) != 0 ||
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 ||
        ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
      fail("I", std::string("setting up the bare loop's sockets: ") + std::strerror(errno));
    }
  }
  char message[kMessage];
  for (std::size_t i = 0; i < kMessage; ++i) message[i] = static_cast<char>(i);
  std::vector<char> buf(65536);
  char back[kMessage];
  double t0 = now();
  for (int i = 0; i < kRoundTrips; ++i) {
    if (::send(client, message, kMessage, MSG_NOSIGNAL) != static_cast<ssize_t>(kMessage)) fail("I", "a bare send");
    std::size_t got = 0;
    while (got < kMessage) {
      epoll_event events[2];
      int n = ::epoll_wait(ep, events, 2, -1);
      if (n < 0) fail("I", std::string("epoll_wait: ") + std::strerror(errno));
      for (int k = 0; k < n; ++k) {
        if (events[k].data.fd == server) {
          ssize_t r = ::recv(server, buf.data(), buf.size(), 0);
          if (r <= 0 || ::send(server, buf.data(), static_cast<std::size_t>(r), MSG_NOSIGNAL) != r) {
            fail("I", "the bare server's recv or send");
          }
        } else {
          ssize_t r = ::recv(client, back + got, kMessage - got, 0);
          if (r <= 0) fail("I", "the bare client's recv");
          got += static_cast<std::size_t>(r);
        }
      }
    }
    if (std::memcmp(back, message, kMessage) != 0) fail("I", "the bare echo differs from what was sent");
  }
  double t1 = now();
  ::close(ep);
  ::close(client);
  ::close(server);
  return t1 - t0;
}

// The limit: the same gigabyte through a TCP connection on 127.0.0.1 with
// blocking write() on one thread and blocking read() on another, no loop.
double blocking_pass() {
  auto [client, server] = loopback_pair("J");
  double t0 = now();
  std::thread writer(blocking_write, client);
  long long total = blocking_read(server);
  double t1 = now();
  writer.join();
  if (total != kTotal) fail("J", "the blocking loop read " + std::to_string(total) + " bytes");
  return t1 - t0;
}

// corio's writer alone: a StreamWriter sends the gigabyte to a blocking
// reader on another thread (the limit's two threads, one of them a loop).
corio::Coro<double> send_side_pass() {
  int port = 0;
  int listener = blocking_listener("J", &port);
  long long total = -1;
  double t1 = 0;
  std::thread sink([&] {
    int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    total = blocking_read(fd);
    t1 = now();
  });
  auto [reader, writer] = co_await corio::open_connection("127.0.0.1", port);
  std::string chunk(kChunk, 'x');
  double t0 = now();
  for (long long i = 0; i < kTotal / static_cast<long long>(kChunk); ++i) {
    writer.write(chunk);
    co_await writer.drain();
  }
  writer.close();
  co_await writer.wait_closed();
  sink.join();
  ::close(listener);
  if (total != kTotal) fail("J", "the blocking reader read " + std::to_string(total) + " bytes");
  co_return t1 - t0;
}

// corio's reader alone: a StreamReader reads the gigabyte a blocking writer
// on another thread sends.
corio::Coro<double> receive_side_pass() {
  long long counted = -1;
  double t1 = 0;
  corio::Event done;
  auto sink = [&](corio::StreamReader reader, corio::StreamWriter writer) -> corio::Coro<void> {
    long long total = 0;
    for (;;) {
      std::string data = co_await reader.read(1 << 20);
      if (data.empty()) break;
      total += static_cast<long long>(data.size());
    }
    t1 = now();
    writer.close();
    counted = total;
    done.set();
  };
  corio::Server server = co_await corio::start_server(sink, "127.0.0.1", 0);
  int port = server.port();
  double t0 = now();
  std::thread source([port] { blocking_write(blocking_connect("J", port)); });
  co_await done.wait();
  source.join();
  server.close();
  co_await server.wait_closed();
  if (counted != kTotal) fail("J", "the server counted " + std::to_string(counted) + " bytes");
  co_return t1 - t0;
}

// One pass: a client writes the gigabyte in 64 KiB writes, each followed by
// drain(), to a server that reads whatever arrives and counts it.
corio::Coro<double> throughput_pass() {
  long long counted = -1;
  corio::Event done;
  auto sink = [&](corio::StreamReader reader, corio::StreamWriter writer) -> corio::Coro<void> {
    long long total = 0;
    for (;;) {
      std::string data = co_await reader.read(1 << 20);
      if (data.empty()) break;
      total += static_cast<long long>(data.size());
    }
    writer.close();
    counted = total;
    done.set();
  };
  corio::Server server = co_await corio::start_server(sink, "127.0.0.1", 0);
  auto [reader, writer] = co_await corio::open_connection("127.0.0.1", server.port());
  std::string chunk(kChunk, 'x');
  double t0 = now();
  for (long long i = 0; i < kTotal / static_cast<long long>(kChunk); ++i) {
    writer.write(chunk);
    co_await writer.drain();
  }
  writer.close();
  co_await done.wait();
  double t1 = now();
  co_await writer.wait_closed();
  server.close();
  co_await server.wait_closed();
  if (counted != kTotal) fail("J", "the server counted " + std::to_string(counted) + " bytes");
  co_return t1 - t0;
}

corio::Coro<void> bench_j() {
  double limit = blocking_pass();
  double cold = co_await throughput_pass();
  double warm = co_await throughput_pass();
  double send = co_await send_side_pass();
  double receive = co_await receive_side_pass();
  double gib = static_cast<double>(kTotal) / (1LL << 30);
  std::printf(
      "J cold_gib_per_s=%g warm_gib_per_s=%g limit_gib_per_s=%g warm_of_limit_pct=%g send_of_limit_pct=%g "
      "recv_of_limit_pct=%g cold_ms=%g warm_ms=%g limit_ms=%g send_ms=%g recv_ms=%g\n",
      gib / cold, gib / warm, gib / limit, 100 * limit / warm, 100 * limit / send, 100 * limit / receive, cold * 1e3,
      warm * 1e3, limit * 1e3, send * 1e3, receive * 1e3);
  std::printf(
      "# J: the limit is a blocking write() loop on one thread and read() on another; corio's warm figure has "
      "both ends on one loop, one thread (as asyncio's); send_ and recv_of_limit_pct put one end on the loop "
      "and the other on a blocking thread\n");
}

// --- M. memory per connection --------------------------------------------------

constexpr int kConnections = 2000;

corio::Coro<void> wait_event(corio::Event& event) { co_await event.wait(); }

// The resident set per open stream connection: the server's StreamReader,
// StreamWriter (with their transport and protocol) and handler task,
// waiting in readline(). The clients are bare sockets (an int each).
corio::Coro<void> bench_m() {
  int waiting = 0;
  corio::Event all_waiting;
  auto handler = [&](corio::StreamReader reader, corio::StreamWriter writer) -> corio::Coro<void> {
    if (++waiting == kConnections) all_waiting.set();
    std::string line = co_await reader.readline();
    writer.write(line);
    co_await writer.drain();
    writer.close();
  };
  corio::Server server =
      co_await corio::start_server(handler, "127.0.0.1", 0, corio::ServerOptions{.backlog = kConnections});
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(server.port()));
  std::vector<int> clients;
  clients.reserve(kConnections);
  long before = resident_bytes();
  // Blocking connects: the kernel completes each handshake into the
  // server's backlog; the loop accepts them all once this coroutine waits.
  for (int i = 0; i < kConnections; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      fail("M", std::string("connect: ") + std::strerror(errno));
    }
    clients.push_back(fd);
  }
  co_await corio::wait_for(wait_event(all_waiting), 30);
  long after = resident_bytes();
  for (int fd : clients) {
    if (::write(fd, "ping\n", 5) != 5) fail("M", "a client's write");
  }
  int answered = 0;
  for (int fd : clients) {
    char buf[16];
    co_await corio::readable(fd);
    if (::read(fd, buf, sizeof buf) == 5 && std::memcmp(buf, "ping\n", 5) == 0) ++answered;
    ::close(fd);
  }
  server.close();
  co_await server.wait_closed();
  if (answered != kConnections) fail("M", std::to_string(answered) + " connections answered");
  std::printf("M bytes_per_conn=%g connections=%d\n", static_cast<double>(after - before) / kConnections, kConnections);
}

struct Workload {
  const char* name;
  corio::Coro<void> (*run)();
};

constexpr Workload kWorkloads[] = {
    {"I", bench_i},
    {"J", bench_j},
    {"M", bench_m},
};

}  // namespace

int main(int argc, char** argv) {
  for (const Workload& w : kWorkloads) {
    if (argc == 2 && std::strcmp(argv[1], w.name) == 0) {
      corio::run(w.run());
      return 0;
    }
  }
  std::fprintf(stderr, "usage: corio_bench_net WORKLOAD (I, J or M)\n");
  return 2;
}
