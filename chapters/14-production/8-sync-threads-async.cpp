// C02 E14 the same 1000 waits on I/O one at a time, with a thread each, with a pool of threads, and with corio
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <future>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <corio/corio.hpp>

constexpr int kRequests = 1000;
constexpr int kSample = 20;  // requests the one-at-a-time way really makes: all 1000 would take 50 s
constexpr int kPoolThreads = 100;
const std::string kPath = "/delay/50";

// A thousand sockets at once is too close to select()'s FD_SETSIZE (1024), so both loops here use epoll, whatever
// CORIO_POLLER says, and the real clock: they wait on other processes and threads.
const corio::LoopOptions kLoopOptions = {.poller = corio::PollerKind::Epoll, .clock = corio::ClockKind::Real};

// The test server on a thread of its own, as in chapter 13's 5-thousand-calls; its backlog holds a thousand
// connections arriving at once.
class ServerThread {
 public:
  ServerThread() : thread_([this] { corio::run(serve(), kLoopOptions); }) { port_ = started_.get_future().get(); }
  ~ServerThread() {
    remote_.call_soon_threadsafe([stop = stop_] { stop->set(); });
    thread_.join();
  }
  int port() const { return port_; }

 private:
  corio::Coro<> serve() {
    corio::Event stop;
    corio::http::ServerOptions options;
    options.backlog = 2 * kRequests;
    corio::http::Server server =
        co_await corio::http::Server::start(corio::http::test_routes(), "127.0.0.1", 0, options);
    stop_ = &stop;
    remote_ = corio::get_running_loop().remote();
    started_.set_value(server.port());
    co_await stop.wait();
    server.close();
    co_await server.wait_closed();
  }
  std::promise<int> started_;
  corio::Event* stop_ = nullptr;
  corio::RemoteLoop remote_;
  int port_ = 0;
  std::thread thread_;
};

// What one way of doing the job reports: its time, the requests answered 200, the threads that made them.
struct Outcome {
  double seconds = 0;
  int answered = 0;
  int threads = 0;
};

bool get_ok(const std::string& url) {
  try {
    return corio::http::blocking_get(url).status == 200;
  } catch (const std::exception&) {
    return false;
  }
}

double seconds_since(std::chrono::steady_clock::time_point began) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
}

// One at a time on the main thread, as synchronous code does; only kSample of them.
Outcome sequential(const std::string& url) {
  auto began = std::chrono::steady_clock::now();
  Outcome out;
  for (int i = 0; i < kSample; ++i) out.answered += get_ok(url);
  return {seconds_since(began), out.answered, 1};
}

// A thread for each request, all started at once, then joined.
Outcome thread_per_request(const std::string& url) {
  auto began = std::chrono::steady_clock::now();
  std::atomic<int> answered = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < kRequests; ++i) threads.emplace_back([&] { answered += get_ok(url); });
  for (std::thread& t : threads) t.join();
  return {seconds_since(began), answered, kRequests};
}

// A fixed pool of threads, each taking the next request until none is left.
Outcome thread_pool(const std::string& url) {
  auto began = std::chrono::steady_clock::now();
  std::atomic<int> next = 0, answered = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < kPoolThreads; ++i) {
    threads.emplace_back([&] {
      while (next++ < kRequests) answered += get_ok(url);
    });
  }
  for (std::thread& t : threads) t.join();
  return {seconds_since(began), answered, kPoolThreads};
}

// The threads this process has now (Threads: in /proc/self/status).
int process_threads() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::atoi(line.c_str() + 8);
  }
  return -1;
}

corio::Coro<bool> call(corio::http::Client& client, std::string url) {
  corio::http::Response response = co_await client.get(url);
  co_return response.status == 200;
}

// Every request at once on one loop: a thousand waits, one thread.
corio::Coro<Outcome> with_corio(std::string url) {
  corio::http::ClientOptions options;
  options.limits = {.max_connections = kRequests, .max_keepalive = kRequests};
  corio::http::Client client(options);
  auto began = std::chrono::steady_clock::now();
  std::vector<corio::Coro<bool>> calls;
  for (int i = 0; i < kRequests; ++i) calls.push_back(call(client, url));
  Outcome out;
  for (bool ok : co_await corio::gather(std::move(calls))) out.answered += ok;
  out.seconds = seconds_since(began);
  out.threads = process_threads();  // the loop's, and any its executor started (none: the host is an address)
  co_await client.aclose();
  co_return out;
}

// `8-sync-threads-async job WAY URL`: one way of doing the job, in a process of its own so that its peak RSS is its
// own; prints "seconds answered threads".
int job(const std::string& way, const std::string& url) {
  Outcome out;
  if (way == "sequential") out = sequential(url);
  if (way == "thread-per-request") out = thread_per_request(url);
  if (way == "thread-pool") out = thread_pool(url);
  if (way == "corio") out = corio::run(with_corio(url), kLoopOptions);
  std::printf("%.6f %d %d\n", out.seconds, out.answered, out.threads);
  return 0;
}

struct Measured {
  Outcome outcome;
  double peak_rss_mib = 0;  // the child process's, from wait4
};

// Runs `job WAY URL` in a child process and reads its line and its peak resident set.
Measured run_job(const char* way, const std::string& url) {
  int out[2];
  if (::pipe(out) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::close(out[1]);
    ::execl("/proc/self/exe", "8-sync-threads-async", "job", way, url.c_str(), static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  ::close(out[1]);
  std::string line;
  char buf[256];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) line.append(buf, static_cast<std::size_t>(n));
  ::close(out[0]);
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  Measured m;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
      std::sscanf(line.c_str(), "%lf %d %d", &m.outcome.seconds, &m.outcome.answered, &m.outcome.threads) != 3) {
    std::fprintf(stderr, "the job '%s' failed: %s\n", way, line.c_str());
    std::exit(1);
  }
  m.peak_rss_mib = static_cast<double>(usage.ru_maxrss) / 1024;
  return m;
}

void print_row(const char* name, const Measured& m, int asked, const char* note = "") {
  std::printf("%-24s %7.2f s%-2s %6.1f MiB %8d %6d of %d\n", name, m.outcome.seconds, note, m.peak_rss_mib,
              m.outcome.threads, m.outcome.answered, asked);
}

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "job") == 0) return job(argv[2], argv[3]);

  ServerThread server;
  std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + kPath;
  std::printf("%d GETs of %s, a server answering each after 50 ms; each way in a process of its own\n", kRequests,
              kPath.c_str());
  Measured one_at_a_time = run_job("sequential", url);
  Measured per_request = run_job("thread-per-request", url);
  Measured pool = run_job("thread-pool", url);
  Measured async = run_job("corio", url);
  double extrapolated = one_at_a_time.outcome.seconds / kSample * kRequests;

  std::printf("%-24s %9s %10s %8s %16s\n", "way", "time", "peak RSS", "threads", "answered 200");
  Measured shown = one_at_a_time;
  shown.outcome.seconds = extrapolated;
  print_row("one at a time", shown, kSample, " *");
  print_row("a thread per request", per_request, kRequests);
  print_row("a pool of 100 threads", pool, kRequests);
  print_row("corio, one loop", async, kRequests);
  std::printf("* only %d were made, in %.2f s; the time shown is theirs times %d, an extrapolation\n", kSample,
              one_at_a_time.outcome.seconds, kRequests / kSample);
}
