// @chapter 05
// corio's side of `make bench`: workloads A, B1, B2, C and F of
// docs/benchmarks.md, one per process (tests/bench/run.sh starts a fresh
// process for every run). Usage: corio_bench WORKLOAD.
//
// Each workload times itself from just before the first task is created to
// just after the last result is awaited, checks its result and prints one
// line, `WORKLOAD key=value ...`, the format described at the top of run.sh;
// lines starting with "# " are notes. Exit status: 0 right, 1 wrong, 2 usage.
// tests/bench/asyncio_bench.py does the same work in CPython asyncio.
#include <corio/corio.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

double now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

[[noreturn]] void fail(const char* workload, const char* what, long long got, long long want) {
  std::fprintf(stderr, "corio_bench: CHECK FAILED: %s: %s is %lld, expected %lld\n", workload, what, got, want);
  std::exit(1);
}

void check(const char* workload, const char* what, long long got, long long want) {
  if (got != want) fail(workload, what, got, want);
}

// Resident set now: the second field of /proc/self/statm, in pages.
long long resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  long long size = 0, resident = 0;
  if (!f || std::fscanf(f, "%lld %lld", &size, &resident) != 2) {
    std::fprintf(stderr, "corio_bench: cannot read /proc/self/statm\n");
    std::exit(1);
  }
  std::fclose(f);
  return resident * sysconf(_SC_PAGESIZE);
}

// Peak resident set of the process; ru_maxrss is in KiB on Linux.
long peak_rss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// --- A. spawn ----------------------------------------------------------------

constexpr int kSpawnTasks = 200'000;

corio::Coro<int> ret(int i) { co_return i; }

// One pass: create every task, then await them in creation order (gather
// arrives in chapter 06). Returns the seconds it took.
corio::Coro<double> spawn_pass() {
  double t0 = now();
  std::vector<corio::Task<int>> tasks;
  tasks.reserve(kSpawnTasks);
  for (int i = 0; i < kSpawnTasks; ++i) tasks.push_back(corio::create_task(ret(i)));
  long long sum = 0;
  for (auto& t : tasks) sum += co_await t;
  double t1 = now();
  check("A", "the sum", sum, 1LL * kSpawnTasks * (kSpawnTasks - 1) / 2);
  co_return t1 - t0;
}

corio::Coro<void> bench_a() {
  double cold = co_await spawn_pass();
  double warm = co_await spawn_pass();
  std::printf(
      "# A, B2, C, F: corio_bench is a chapter-05 program: it awaits its tasks one by one in creation order "
      "(gather arrives in chapter 06); asyncio uses gather\n");
  std::printf("A cold_tasks_per_s=%g warm_tasks_per_s=%g cold_ms=%g warm_ms=%g\n", kSpawnTasks / cold,
              kSpawnTasks / warm, cold * 1e3, warm * 1e3);
}

// --- B1, B2. yield -------------------------------------------------------------

corio::Coro<int> yielder(int n) {
  for (int i = 0; i < n; ++i) co_await corio::sleep(0);
  co_return n;
}

corio::Coro<void> bench_b1() {
  constexpr int kYields = 1'000'000;
  double t0 = now();
  int done = co_await corio::create_task(yielder(kYields));
  double t1 = now();
  check("B1", "the yield count", done, kYields);
  std::printf("B1 yields_per_s=%g ms=%g\n", kYields / (t1 - t0), (t1 - t0) * 1e3);
}

corio::Coro<void> bench_b2() {
  constexpr int kTasks = 1000, kYields = 1000;
  double t0 = now();
  std::vector<corio::Task<int>> tasks;
  tasks.reserve(kTasks);
  for (int i = 0; i < kTasks; ++i) tasks.push_back(corio::create_task(yielder(kYields)));
  long long total = 0;
  for (auto& t : tasks) total += co_await t;
  double t1 = now();
  check("B2", "the yield count", total, 1LL * kTasks * kYields);
  std::printf("B2 yields_per_s=%g ms=%g\n", total / (t1 - t0), (t1 - t0) * 1e3);
}

// --- C. timers -----------------------------------------------------------------

constexpr int kTimerTasks = 100'000;
constexpr int kIdealMs = 100;

// d_i = x_{i+1} mod 101, x_0 = 1, x_{i+1} = 48271 x_i mod (2^31 - 1).
std::vector<int> timer_delays() {
  std::vector<int> d(kTimerTasks);
  long long x = 1;
  for (int& di : d) {
    x = 48271 * x % 2147483647;
    di = static_cast<int>(x % 101);
  }
  return d;
}

corio::Coro<int> sleeper(int i, int ms) {
  co_await corio::sleep(ms / 1000.0);
  co_return i;
}

corio::Coro<void> bench_c() {
  std::vector<int> delays = timer_delays();
  const int first[] = {94, 16, 99, 7, 60};
  for (int i = 0; i < 5; ++i) check("C", "a first delay", delays[i], first[i]);
  int longest = 0;
  for (int d : delays) longest = d > longest ? d : longest;
  check("C", "the longest delay", longest, kIdealMs);

  double t0 = now();
  std::vector<corio::Task<int>> tasks;
  tasks.reserve(kTimerTasks);
  for (int i = 0; i < kTimerTasks; ++i) tasks.push_back(corio::create_task(sleeper(i, delays[i])));
  long long sum = 0;
  for (auto& t : tasks) sum += co_await t;
  double t1 = now();
  check("C", "the sum of results", sum, 1LL * kTimerTasks * (kTimerTasks - 1) / 2);
  double wall_ms = (t1 - t0) * 1e3;
  std::printf("C over_ms=%g peak_rss_kib=%ld wall_ms=%g\n", wall_ms - kIdealMs, peak_rss_kib(), wall_ms);
}

// --- F. memory -----------------------------------------------------------------

constexpr int kWaitingTasks = 100'000;

corio::Coro<int> waiter(corio::Future<void>& event) {
  co_await event;
  co_return 1;
}

corio::Coro<void> bench_f() {
  corio::Future<void> event;  // stands in for Event until chapter 07
  long long before = resident_bytes();
  std::vector<corio::Task<int>> tasks;
  tasks.reserve(kWaitingTasks);
  for (int i = 0; i < kWaitingTasks; ++i) tasks.push_back(corio::create_task(waiter(event)));
  co_await corio::sleep(0);  // every task runs up to `co_await event` and suspends
  long long after = resident_bytes();
  event.set_result();
  long long sum = 0;
  for (auto& t : tasks) sum += co_await t;
  check("F", "the number of tasks that returned", sum, kWaitingTasks);
  std::printf("# F: corio has no Event before chapter 07: one Future<void>, set once, stands in for it\n");
  std::printf("F bytes_per_task=%g rss_before_kib=%lld rss_after_kib=%lld\n", double(after - before) / kWaitingTasks,
              before / 1024, after / 1024);
}

struct Workload {
  const char* name;
  corio::Coro<void> (*run)();
};

constexpr Workload kWorkloads[] = {
    {"A", bench_a}, {"B1", bench_b1}, {"B2", bench_b2}, {"C", bench_c}, {"F", bench_f},
};

}  // namespace

int main(int argc, char** argv) {
  for (const Workload& w : kWorkloads) {
    if (argc == 2 && std::strcmp(argv[1], w.name) == 0) {
      corio::run(w.run());
      return 0;
    }
  }
  std::fprintf(stderr, "usage: corio_bench {A,B1,B2,C,F}\n");
  return 2;
}
