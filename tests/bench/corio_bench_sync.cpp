// @chapter 08
// corio's side of `make bench` for the synchronisation workloads: D (Queue,
// chapter 08) and E (Semaphore, chapter 07) of docs/benchmarks.md, one per
// process. Usage: corio_bench_sync WORKLOAD. Same output format and exit
// status as corio_bench.cpp (see the top of tests/bench/run.sh);
// tests/bench/asyncio_bench.py does the same work in CPython asyncio.
#include <corio/corio.hpp>
#include <corio/queue.hpp>      // chapter 08
#include <corio/semaphore.hpp>  // chapter 07

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

void check(const char* workload, const char* what, long long got, long long want) {
  if (got == want) return;
  std::fprintf(stderr, "corio_bench_sync: CHECK FAILED: %s: %s is %lld, expected %lld\n", workload, what, got, want);
  std::exit(1);
}

// --- D. queue
// ------------------------------------------------------------------

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

corio::Coro<void> bench_d() {
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
  std::printf("D items_per_s=%g ms=%g\n", kItems / (t1 - t0), (t1 - t0) * 1e3);
}

// --- E. semaphore
// --------------------------------------------------------------

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

corio::Coro<void> bench_e() {
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
  std::printf("E acq_per_s=%g peak_holders=%d ms=%g\n", kHolderTasks / (t1 - t0), h.peak, (t1 - t0) * 1e3);
}

struct Workload {
  const char* name;
  corio::Coro<void> (*run)();
};

constexpr Workload kWorkloads[] = {{"D", bench_d}, {"E", bench_e}};

}  // namespace

int main(int argc, char** argv) {
  for (const Workload& w : kWorkloads) {
    if (argc == 2 && std::strcmp(argv[1], w.name) == 0) {
      std::printf("# D, E: corio_bench_sync awaits its tasks one by one in creation order; asyncio uses gather\n");
      corio::run(w.run());
      return 0;
    }
  }
  std::fprintf(stderr, "usage: corio_bench_sync {D,E}\n");
  return 2;
}
