// @chapter 05
// corio's side of `make bench`: workloads A, AG (from chapter 06), B1, B2 and C of
// docs/benchmarks.md, one per process (tests/bench/run.sh starts a fresh
// process for every run). Usage: corio_bench WORKLOAD.
//
// Each workload runs twice in its process: a cold pass (the first, which
// pays for first-touched pages) and a warm pass (the same work again). Each
// pass times itself from just before the first task is created to just after
// the last result is awaited and checks its result; the program prints one
// line, `WORKLOAD key=value ...`, the format described at the top of run.sh;
// lines starting with "# " are notes. Exit status: 0 right, 1 wrong, 2 usage.
// tests/bench/asyncio_bench.py does the same work in CPython asyncio; F and
// the synchronisation workloads are in corio_bench_sync.cpp.
#include <corio/corio.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "timer_delays.hpp"
#include "warm_memory.hpp"

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

// Peak resident set of the process; ru_maxrss is in KiB on Linux.
long peak_rss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// The result line of a rate workload: `W cold_U_per_s=.. warm_U_per_s=.. cold_ms=.. warm_ms=..`, where `count`
// units were done in each pass and `cold`, `warm` are the passes' seconds.
void print_rates(const char* workload, const char* unit, long long count, double cold, double warm) {
  std::printf("%s cold_%s_per_s=%g warm_%s_per_s=%g cold_ms=%g warm_ms=%g\n", workload, unit, count / cold, unit,
              count / warm, cold * 1e3, warm * 1e3);
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
  print_rates("A", "tasks", kSpawnTasks, cold, warm);
}

// @since 06
// --- AG. spawn, then one gather ------------------------------------------------

// One pass of A, awaited as asyncio's is: one gather() of the vector of
// every task.
corio::Coro<double> spawn_gather_pass() {
  double t0 = now();
  std::vector<corio::Task<int>> tasks;
  tasks.reserve(kSpawnTasks);
  for (int i = 0; i < kSpawnTasks; ++i) tasks.push_back(corio::create_task(ret(i)));
  std::vector<int> results = co_await corio::gather(std::move(tasks));
  long long sum = 0;
  for (int r : results) sum += r;
  double t1 = now();
  check("AG", "the sum", sum, 1LL * kSpawnTasks * (kSpawnTasks - 1) / 2);
  co_return t1 - t0;
}

corio::Coro<void> bench_ag() {
  double cold = co_await spawn_gather_pass();
  double warm = co_await spawn_gather_pass();
  print_rates("AG", "tasks", kSpawnTasks, cold, warm);
}
// @end

// --- B1, B2. yield -------------------------------------------------------------

corio::Coro<int> yielder(int n) {
  for (int i = 0; i < n; ++i) co_await corio::sleep(0);
  co_return n;
}

constexpr int kLoneYields = 1'000'000;

corio::Coro<double> lone_yield_pass() {
  double t0 = now();
  int done = co_await corio::create_task(yielder(kLoneYields));
  double t1 = now();
  check("B1", "the yield count", done, kLoneYields);
  co_return t1 - t0;
}

corio::Coro<void> bench_b1() {
  double cold = co_await lone_yield_pass();
  double warm = co_await lone_yield_pass();
  print_rates("B1", "yields", kLoneYields, cold, warm);
}

constexpr int kYieldTasks = 1000, kYieldsEach = 1000;

corio::Coro<double> many_yield_pass() {
  double t0 = now();
  std::vector<corio::Task<int>> tasks;
  tasks.reserve(kYieldTasks);
  for (int i = 0; i < kYieldTasks; ++i) tasks.push_back(corio::create_task(yielder(kYieldsEach)));
  long long total = 0;
  for (auto& t : tasks) total += co_await t;
  double t1 = now();
  check("B2", "the yield count", total, 1LL * kYieldTasks * kYieldsEach);
  co_return t1 - t0;
}

corio::Coro<void> bench_b2() {
  double cold = co_await many_yield_pass();
  double warm = co_await many_yield_pass();
  print_rates("B2", "yields", 1LL * kYieldTasks * kYieldsEach, cold, warm);
}

// --- C. timers -----------------------------------------------------------------

constexpr int kTimerTasks = 100'000;
constexpr int kIdealMs = 100;

corio::Coro<int> sleeper(int i, int ms) {
  co_await corio::sleep(ms / 1000.0);
  co_return i;
}

// One pass over the precomputed delays; returns its wall time in ms.
corio::Coro<double> timer_pass(const std::vector<int>& delays) {
  double t0 = now();
  std::vector<corio::Task<int>> tasks;
  tasks.reserve(kTimerTasks);
  for (int i = 0; i < kTimerTasks; ++i) tasks.push_back(corio::create_task(sleeper(i, delays[i])));
  long long sum = 0;
  for (auto& t : tasks) sum += co_await t;
  double t1 = now();
  check("C", "the sum of results", sum, 1LL * kTimerTasks * (kTimerTasks - 1) / 2);
  co_return (t1 - t0) * 1e3;
}

corio::Coro<void> bench_c() {
  std::vector<int> delays = timer_delays(kTimerTasks);
  const int first[] = {94, 16, 99, 7, 60};
  for (int i = 0; i < 5; ++i) check("C", "a first delay", delays[i], first[i]);
  int longest = 0;
  for (int d : delays) longest = d > longest ? d : longest;
  check("C", "the longest delay", longest, kIdealMs);

  double cold_ms = co_await timer_pass(delays);
  double warm_ms = co_await timer_pass(delays);
  // ru_maxrss is the whole process's peak, so there is one figure for both passes.
  std::printf("C cold_over_ms=%g warm_over_ms=%g peak_rss_kib=%ld cold_wall_ms=%g warm_wall_ms=%g\n",
              cold_ms - kIdealMs, warm_ms - kIdealMs, peak_rss_kib(), cold_ms, warm_ms);
}

struct Workload {
  const char* name;
  corio::Coro<void> (*run)();
};

constexpr Workload kWorkloads[] = {
    {"A", bench_a},
    {"B1", bench_b1},
    {"B2", bench_b2},
    {"C", bench_c},
};

}  // namespace

int main(int argc, char** argv) {
  keep_freed_memory();  // every workload here has a warm pass
  // @since 06
  if (argc == 2 && std::strcmp(argv[1], "AG") == 0) {
    corio::run(bench_ag());
    return 0;
  }
  // @end
  for (const Workload& w : kWorkloads) {
    if (argc == 2 && std::strcmp(argv[1], w.name) == 0) {
      std::printf(
          "# A, B2, C: corio_bench is a chapter-05 program: it awaits its tasks one by one in creation order "
          "(gather arrives in chapter 06); asyncio uses gather\n");
      corio::run(w.run());
      return 0;
    }
  }
  std::fprintf(stderr, "usage: corio_bench WORKLOAD (A, B1, B2 or C; AG from chapter 06 on)\n");
  return 2;
}
