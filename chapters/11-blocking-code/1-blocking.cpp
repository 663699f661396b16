// E15 a blocking call stalls every task; the async sleep does not
#include <chrono>
#include <cstdio>
#include <thread>

#include <corio/corio.hpp>

// A task that wants to run every 0.05 s.
corio::Coro<> ticker() {
  for (int tick = 1; tick <= 3; ++tick) {
    co_await corio::sleep(0.05);
    std::printf("  ticker: tick %d\n", tick);
  }
}

// CPU work with no await in it: as bad for the loop as a blocking call.
long count_primes(long below) {
  long count = 0;
  for (long n = 2; n < below; ++n) {
    bool prime = true;
    for (long d = 2; d * d <= n && prime; ++d) prime = n % d != 0;
    count += prime;
  }
  return count;
}

enum class Wait { Blocking, Async, Cpu };

corio::Coro<> main_part(Wait how) {
  corio::Task<> t = corio::create_task(ticker());
  co_await corio::sleep(0);  // the ticker starts and takes its first timer
  switch (how) {
    case Wait::Blocking:
      std::printf("  main:   blocks for 0.2 s\n");
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      std::printf("  main:   done blocking\n");
      break;
    case Wait::Async:
      std::printf("  main:   sleeps 0.2 s\n");
      co_await corio::sleep(0.2);
      std::printf("  main:   done sleeping\n");
      break;
    case Wait::Cpu:
      std::printf("  main:   counts primes\n");
      std::printf("  main:   done counting: %ld primes below 300000\n", count_primes(300000));
      break;
  }
  co_await t;
}

int main() {
  std::printf("std::this_thread::sleep_for(0.2 s) in a coroutine:\n");
  corio::run(main_part(Wait::Blocking));
  std::printf("co_await corio::sleep(0.2) in a coroutine:\n");
  corio::run(main_part(Wait::Async));
  std::printf("a CPU-heavy loop in a coroutine:\n");
  corio::run(main_part(Wait::Cpu));
}
