// E14 C05 CPU-bound work: coroutines gain nothing, a pool of threads does
#include <chrono>
#include <cstdio>
#include <set>
#include <thread>
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

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

corio::Coro<long> chunk_task(int i) {
  chunk_threads.insert(std::this_thread::get_id());
  co_return count_primes(chunk_start(i), chunk_end(i));
}

corio::Coro<> main_coro() {
  loop_thread = std::this_thread::get_id();

  auto start = std::chrono::steady_clock::now();
  long primes = 0;
  for (int i = 0; i < kChunks; ++i) primes += count_primes(chunk_start(i), chunk_end(i));
  double plain = seconds_since(start);
  std::printf("a plain loop:            %ld primes\n", primes);

  start = std::chrono::steady_clock::now();
  std::vector<corio::Task<long>> tasks;
  for (int i = 0; i < kChunks; ++i) tasks.push_back(corio::create_task(chunk_task(i)));
  primes = 0;
  for (corio::Task<long>& t : tasks) primes += co_await t;
  double coroutines = seconds_since(start);
  std::printf("%d tasks on one loop:     %ld primes, %zu thread(s), the loop's: %s\n", kChunks, primes,
              chunk_threads.size(), chunk_threads == std::set{loop_thread} ? "yes" : "no");

  start = std::chrono::steady_clock::now();
  corio::ThreadPoolExecutor pool(2);
  std::vector<corio::Future<long>> jobs;
  for (int i = 0; i < kChunks; ++i) {
    jobs.push_back(corio::run_in_executor(pool, count_primes, chunk_start(i), chunk_end(i)));
  }
  primes = 0;
  for (corio::Future<long>& job : jobs) primes += co_await job;
  double threads = seconds_since(start);
  std::printf("a pool of 2 threads:     %ld primes\n", primes);

  // Real time, measured: it varies from run to run and machine to machine.
  std::printf("times on this machine (%u cores): plain %.3f s, tasks %.3f s, pool %.3f s, speed-up %.1fx\n",
              std::thread::hardware_concurrency(), plain, coroutines, threads, plain / threads);
}

int main() { corio::run(main_coro()); }
