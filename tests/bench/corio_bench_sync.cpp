// @chapter 08
// corio's side of `make bench` for the workloads built on synchronisation
// primitives: D (Queue, chapter 08), E (Semaphore, chapter 07) and F (Event,
// chapter 07) of docs/benchmarks.md, one per process. Usage:
// corio_bench_sync WORKLOAD. Same output format and exit status as
// corio_bench.cpp (see the top of tests/bench/run.sh): D and E run a cold
// pass and a warm pass in the process, F measures memory once.
// tests/bench/asyncio_bench.py does the same work in CPython asyncio.
#include <corio/corio.hpp>
#include <corio/sync/event.hpp>      // chapter 07
#include <corio/queues/queue.hpp>      // chapter 08
#include <corio/sync/semaphore.hpp>  // chapter 07

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "warm_memory.hpp"

namespace {

double now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

void check(const char* workload, const char* what, long long got, long long want) {
  if (got == want) return;
  std::fprintf(stderr, "corio_bench_sync: CHECK FAILED: %s: %s is %lld, expected %lld\n", workload, what, got, want);
  std::exit(1);
}

// Resident set now: the second field of /proc/self/statm, in pages.
long long resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  long long size = 0, resident = 0;
  if (!f || std::fscanf(f, "%lld %lld", &size, &resident) != 2) {
    std::fprintf(stderr, "corio_bench_sync: cannot read /proc/self/statm\n");
    std::exit(1);
  }
  std::fclose(f);
  return resident * sysconf(_SC_PAGESIZE);
}

// --- D. queue ------------------------------------------------------------------

constexpr int kItems = 1'000'000;
constexpr int kConsumers = 4;

corio::Coro<long long> consumer(corio::Queue<int>& q) {
  long long total = 0;
  for (;;) {
    int item = co_await q.get();
    if (item == -1) co_return total;
    total += item;
  }
}

corio::Coro<void> producer(corio::Queue<int>& q) {
  for (int i = 0; i < kItems; ++i) co_await q.put(i);
  for (int i = 0; i < kConsumers; ++i) co_await q.put(-1);
}

// One pass with a fresh queue; returns the seconds it took.
corio::Coro<double> queue_pass() {
  corio::Queue<int> q(100);
  double t0 = now();
  std::vector<corio::Task<long long>> consumers;
  for (int i = 0; i < kConsumers; ++i) consumers.push_back(corio::create_task(consumer(q)));
  corio::Task<void> prod = corio::create_task(producer(q));
  long long total = 0;
  for (auto& c : consumers) total += co_await c;
  co_await prod;
  double t1 = now();
  check("D", "the total", total, 1LL * kItems * (kItems - 1) / 2);
  co_return t1 - t0;
}

corio::Coro<void> bench_d() {
  double cold = co_await queue_pass();
  double warm = co_await queue_pass();
  std::printf("D cold_items_per_s=%g warm_items_per_s=%g cold_ms=%g warm_ms=%g\n", kItems / cold, kItems / warm,
              cold * 1e3, warm * 1e3);
}

// --- E. semaphore --------------------------------------------------------------

constexpr int kHolderTasks = 10'000;
constexpr int kPermits = 10;

struct Holders {
  int now = 0;
  int peak = 0;
};

corio::Coro<int> holder(corio::Semaphore& sem, Holders& h) {
  co_await sem.acquire();
  if (++h.now > h.peak) h.peak = h.now;
  co_await corio::sleep(0);
  --h.now;
  sem.release();
  co_return 1;
}

// One pass with a fresh semaphore; checks the peak holder count and returns the seconds it took.
corio::Coro<double> semaphore_pass() {
  corio::Semaphore sem(kPermits);
  Holders h;
  double t0 = now();
  std::vector<corio::Task<int>> tasks;
  tasks.reserve(kHolderTasks);
  for (int i = 0; i < kHolderTasks; ++i) tasks.push_back(corio::create_task(holder(sem, h)));
  long long acquired = 0;
  for (auto& t : tasks) acquired += co_await t;
  double t1 = now();
  check("E", "the number of acquisitions", acquired, kHolderTasks);
  check("E", "the peak holder count", h.peak, kPermits);
  co_return t1 - t0;
}

corio::Coro<void> bench_e() {
  double cold = co_await semaphore_pass();
  double warm = co_await semaphore_pass();
  // Both passes checked that the peak was exactly kPermits, so one figure says it for both.
  std::printf("E cold_acq_per_s=%g warm_acq_per_s=%g peak_holders=%d cold_ms=%g warm_ms=%g\n", kHolderTasks / cold,
              kHolderTasks / warm, kPermits, cold * 1e3, warm * 1e3);
}

// --- F. memory -----------------------------------------------------------------

constexpr int kWaitingTasks = 100'000;

corio::Coro<int> waiter(corio::Event& event) {
  co_await event.wait();
  co_return 1;
}

corio::Coro<void> bench_f() {
  corio::Event event;
  long long before = resident_bytes();
  double t0 = now();
  std::vector<corio::Task<int>> tasks;
  tasks.reserve(kWaitingTasks);
  for (int i = 0; i < kWaitingTasks; ++i) tasks.push_back(corio::create_task(waiter(event)));
  co_await corio::sleep(0);  // every task runs up to `co_await event.wait()` and suspends
  long long after = resident_bytes();
  long long finished_early = 0;
  for (auto& t : tasks) finished_early += t.done();
  check("F", "the number of tasks done before the event was set", finished_early, 0);
  event.set();
  long long sum = 0;
  for (auto& t : tasks) sum += co_await t;
  double t1 = now();
  check("F", "the number of tasks that returned", sum, kWaitingTasks);
  std::printf("F bytes_per_task=%g rss_before_kib=%lld rss_after_kib=%lld ms=%g\n",
              double(after - before) / kWaitingTasks, before / 1024, after / 1024, (t1 - t0) * 1e3);
}

struct Workload {
  const char* name;
  corio::Coro<void> (*run)();
};

constexpr Workload kWorkloads[] = {{"D", bench_d}, {"E", bench_e}, {"F", bench_f}};

}  // namespace

int main(int argc, char** argv) {
  for (const Workload& w : kWorkloads) {
    if (argc == 2 && std::strcmp(argv[1], w.name) == 0) {
      std::printf("# D, E, F: corio_bench_sync awaits its tasks one by one in creation order; asyncio uses gather\n");
      if (std::strcmp(w.name, "F") != 0) keep_freed_memory();  // F has no warm pass, and measures memory
      corio::run(w.run());
      return 0;
    }
  }
  std::fprintf(stderr, "usage: corio_bench_sync {D,E,F}\n");
  return 2;
}
