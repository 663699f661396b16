// E14 C05 CPU-bound work: coroutines gain nothing, a pool of threads does
#include <time.h>

#include <chrono>
#include <cstdio>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include <corio/corio.hpp>

constexpr long kBelow = 1200000;
constexpr int kChunks = 8;

long count_primes(long from, long below) {
  long count = 0;
  for (long n = from < 2 ? 2 : from; n < below; ++n) {
    bool prime = true;
    for (long d = 2; d * d <= n && prime; ++d) prime = n % d != 0;
    count += prime;
  }
  return count;
}

long chunk_start(int i) { return kBelow / kChunks * i; }
long chunk_end(int i) { return i == kChunks - 1 ? kBelow : chunk_start(i + 1); }

std::thread::id loop_thread;
std::set<std::thread::id> chunk_threads;  // touched on the loop's thread only

// Wall time passes for everyone; CPU time counts what this process's threads ran, all of them.
struct Times {
  double wall;
  double cpu;
};

Times now() {
  timespec cpu{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
  return {std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(),
          static_cast<double>(cpu.tv_sec) + static_cast<double>(cpu.tv_nsec) / 1e9};
}

Times since(Times start) {
  Times end = now();
  return {end.wall - start.wall, end.cpu - start.cpu};
}

corio::Coro<long> chunk_task(int i) {
  chunk_threads.insert(std::this_thread::get_id());
  co_return count_primes(chunk_start(i), chunk_end(i));
}

corio::Coro<> main_coro() {
  loop_thread = std::this_thread::get_id();

  Times start = now();
  long primes = 0;
  for (int i = 0; i < kChunks; ++i) primes += count_primes(chunk_start(i), chunk_end(i));
  Times plain = since(start);
  std::printf("a plain loop:            %ld primes\n", primes);

  start = now();
  std::vector<corio::Task<long>> tasks;
  for (int i = 0; i < kChunks; ++i) tasks.push_back(corio::create_task(chunk_task(i)));
  primes = 0;
  for (corio::Task<long>& t : tasks) primes += co_await t;
  Times coroutines = since(start);
  std::printf("%d tasks on one loop:     %ld primes, %zu thread(s), the loop's: %s\n", kChunks, primes,
              chunk_threads.size(), chunk_threads == std::set{loop_thread} ? "yes" : "no");

  start = now();
  corio::ThreadPoolExecutor pool(2);
  std::vector<corio::Future<long>> jobs;
  for (int i = 0; i < kChunks; ++i) {
    jobs.push_back(corio::run_in_executor(pool, count_primes, chunk_start(i), chunk_end(i)));
  }
  primes = 0;
  for (corio::Future<long>& job : jobs) primes += co_await job;
  Times threads = since(start);
  std::printf("a pool of 2 threads:     %ld primes\n", primes);

  // Measured on this machine: the figures vary from run to run, and with what else runs. The same work
  // costs about the same CPU time three ways; only where CPU time exceeds wall time did cores work at once.
  std::printf("on this machine (%u cores):   wall time   CPU time   CPU / wall\n", std::thread::hardware_concurrency());
  for (auto [label, t] :
       {std::pair{"a plain loop", plain}, {"8 tasks on one loop", coroutines}, {"a pool of 2 threads", threads}}) {
    std::printf("  %-28s %7.3f s  %7.3f s  %9.1f\n", label, t.wall, t.cpu, t.cpu / t.wall);
  }
}

int main() { corio::run(main_coro()); }
