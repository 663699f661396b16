// @chapter 14
// corio's side of `make bench` for chapter 14's one loop per core: workload
// GC, G's server (test_routes() on 127.0.0.1, GET /) and G's load (wrk -t1
// -c100, 3 s after a 1-second warm-up), served by 1 and then by 2 loops,
// each on a thread of its own with an http::Server on the same port
// (SO_REUSEPORT, LoopThreads). Figures: requests/s as wrk counts them, and
// the server's CPU time per request (the whole process's user + system
// time while wrk ran; the main thread only waits for wrk). One process.
// Usage: corio_bench_cores GC. The output format is the one described at the
// top of tests/bench/run.sh; asyncio has no such workload.
#include <corio/corio.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <latch>
#include <string>
#include <vector>

extern char** environ;

namespace {

constexpr int kWrkConnections = 100;
constexpr int kWrkSeconds = 3;
constexpr int kWarmupSeconds = 1;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "corio_bench_cores: CHECK FAILED: GC: %s\n", what.c_str());
  std::exit(1);
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct Load {
  double requests = 0;
  double seconds = 0;
  double cpu = 0;  // this process's CPU seconds while wrk ran
};

// wrk -t1 -c100 -dNs, this thread blocked on its report (the loops serve on their own threads).
Load run_wrk(int port, int seconds) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) fail("pipe2");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, out[1], 2);
  std::vector<std::string> args = {"wrk", "-t1", "-c" + std::to_string(kWrkConnections),
                                   "-d" + std::to_string(seconds) + "s",
                                   "http://127.0.0.1:" + std::to_string(port) + "/"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  double cpu0 = cpu_seconds();
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, "wrk", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (rc != 0) fail(std::string("cannot start wrk: ") + std::strerror(rc));
  std::string report;
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    report.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  double cpu1 = cpu_seconds();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) fail("wrk failed: " + report);
  if (report.find("Non-2xx") != std::string::npos || report.find("Socket errors") != std::string::npos) {
    fail("wrk saw errors: " + report);
  }
  std::size_t in = report.find(" requests in ");
  if (in == std::string::npos) fail("cannot read wrk's report: " + report);
  std::size_t start = report.rfind('\n', in);
  start = start == std::string::npos ? 0 : start + 1;
  Load load;
  load.requests = std::atof(report.c_str() + start);
  load.seconds = std::atof(report.c_str() + in + std::strlen(" requests in "));
  load.cpu = cpu1 - cpu0;
  if (load.requests <= 0 || load.seconds <= 0) fail("cannot read wrk's report: " + report);
  return load;
}

struct Measured {
  Load load;
  std::vector<std::size_t> served;  // per loop, over the warm-up and the measured run
};

// n loops, each serving test_routes() on the same port; wrk loads them.
Measured measure(int n) {
  std::promise<int> port_promise;
  std::shared_future<int> port_future = port_promise.get_future().share();
  std::latch listening(n);
  std::vector<std::size_t> served(static_cast<std::size_t>(n));
  auto body = [&](int index) -> corio::Coro<> {
    return [](int i, std::promise<int>& promise, std::shared_future<int> port_of_first, std::latch& ready,
              std::size_t& count) -> corio::Coro<> {
      int port = 0;
      // Named first: GCC 12 destroys a lambda with captures twice when it is made inside a co_await.
      auto wait_for_port = [port_of_first] { return port_of_first.get(); };
      if (i > 0) port = co_await corio::to_thread(wait_for_port);
      corio::http::ServerOptions options;
      options.reuse_port = true;
      corio::http::Server server =
          co_await corio::http::Server::start(corio::http::test_routes(), "127.0.0.1", port, options);
      if (i == 0) promise.set_value(server.port());
      ready.count_down();
      try {
        co_await server.serve_forever();
      } catch (const corio::CancelledError&) {
        count = server.requests_served();
        throw;
      }
    }(index, port_promise, port_future, listening, served[static_cast<std::size_t>(index)]);
  };
  corio::LoopThreads loops(n, body, {.clock = corio::ClockKind::Real});
  listening.wait();
  int port = port_future.get();
  run_wrk(port, kWarmupSeconds);
  Measured m;
  m.load = run_wrk(port, kWrkSeconds);
  loops.stop();
  loops.join();
  m.served = served;
  for (std::size_t i = 0; i < served.size(); ++i) {
    if (served[i] == 0) fail(std::to_string(n) + " loops: loop " + std::to_string(i) + " served nothing");
  }
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  if (argc != 2 || std::strcmp(argv[1], "GC") != 0) {
    std::fprintf(stderr, "usage: corio_bench_cores GC\n");
    return 2;
  }
  Measured one = measure(1);
  Measured two = measure(2);
  std::size_t total = two.served[0] + two.served[1];
  std::printf(
      "# GC: loops2_loop0_pct is the share of the requests loop 0 served with 2 loops (wrk's 100 connections, "
      "spread by the kernel's SO_REUSEPORT hash)\n");
  std::printf(
      "GC loops1_req_per_s=%g loops1_cpu_per_req_us=%g loops2_req_per_s=%g loops2_cpu_per_req_us=%g "
      "loops2_loop0_pct=%.0f\n",
      one.load.requests / one.load.seconds, one.load.cpu / one.load.requests * 1e6,
      two.load.requests / two.load.seconds, two.load.cpu / two.load.requests * 1e6,
      100.0 * static_cast<double>(two.served[0]) / static_cast<double>(total));
}
