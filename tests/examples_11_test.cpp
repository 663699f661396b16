// @chapter 11
// Chapter 11's programs on the virtual clock. Their real-time figures (the
// CPU-bound timings, the seconds a slow step took) vary from run to run and
// are checked for their shape only; every other line is exact.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/corio_test.hpp"

using Catch::Matchers::Matches;
using Catch::Matchers::StartsWith;

TEST_CASE("a blocking sleep or CPU work in a coroutine stalls the ticker; the async sleep does not", "[ch11][E15]") {
  auto out = corio_test::lines_of(corio_test::run_example("11-blocking-code/1-blocking"));
  std::vector<std::string> expected = {
      "std::this_thread::sleep_for(0.2 s) in a coroutine:",
      "  main:   blocks for 0.2 s",
      "  main:   done blocking",
      "  ticker: tick 1",
      "  ticker: tick 2",
      "  ticker: tick 3",
      "co_await corio::sleep(0.2) in a coroutine:",
      "  main:   sleeps 0.2 s",
      "  ticker: tick 1",
      "  ticker: tick 2",
      "  ticker: tick 3",
      "  main:   done sleeping",
      "a CPU-heavy loop in a coroutine:",
      "  main:   counts primes",
      "  main:   done counting: 25997 primes below 300000",
      "  ticker: tick 1",
      "  ticker: tick 2",
      "  ticker: tick 3",
  };
  CHECK(out == expected);
}

TEST_CASE("the loop takes orders while blocking_function runs on a pool thread", "[ch11][E10][threads]") {
  auto out = corio_test::lines_of(corio_test::run_example("11-blocking-code/2-executor"));
  std::vector<std::string> expected = {
      "main: run_in_executor(pool, blocking_function, 21)",
      "  waiter: takes order 1",
      "  waiter: takes order 2",
      "  waiter: takes order 3",
      "  blocking_function(21): done, on a pool thread",
      "main: got 42",
      "main: to_thread(checksum, \"corio\") returned 94848300",
  };
  CHECK(out == expected);
}

TEST_CASE("CPU-bound chunks: the same count three ways, tasks all on the loop's thread", "[ch11][E14][C05][threads]") {
  auto out = corio_test::lines_of(corio_test::run_example("11-blocking-code/3-cpu-bound"));
  REQUIRE(out.size() == 7);
  CHECK(out[0] == "a plain loop:            92938 primes");
  CHECK(out[1] == "8 tasks on one loop:     92938 primes, 1 thread(s), the loop's: yes");
  CHECK(out[2] == "a pool of 2 threads:     92938 primes");
  CHECK_THAT(out[3], Matches("on this machine \\([0-9]+ cores\\):   wall time   CPU time   CPU / wall"));
  CHECK_THAT(out[4], Matches("  a plain loop +[0-9]+\\.[0-9]{3} s +[0-9]+\\.[0-9]{3} s +[0-9]+\\.[0-9]"));
  CHECK_THAT(out[5], Matches("  8 tasks on one loop +[0-9]+\\.[0-9]{3} s +[0-9]+\\.[0-9]{3} s +[0-9]+\\.[0-9]"));
  CHECK_THAT(out[6], Matches("  a pool of 2 threads +[0-9]+\\.[0-9]{3} s +[0-9]+\\.[0-9]{3} s +[0-9]+\\.[0-9]"));
}

TEST_CASE("debug mode names the callback and the task whose step blocked", "[ch11]") {
  auto out = corio_test::lines_of(corio_test::run_example("11-blocking-code/4-slow-callback"));
  // A report for each blocking step; under a loaded machine another step
  // could pass 0.1 s too, so only these are required, in this order.
  REQUIRE(out.size() >= 4);
  CHECK(out.front() == "a callback blocks for 0.15 s:");
  CHECK_THAT(out[1], StartsWith("  Executing <Handle schedule_blocking_callback()"));
  CHECK_THAT(out[1], Matches(".* took 0\\.1[5-9][0-9] seconds|.* took [0-9]+\\.[0-9]{3} seconds"));
  std::size_t second = 2;
  while (second < out.size() && out[second] != "a coroutine blocks for 0.15 s:") ++second;
  REQUIRE(second + 1 < out.size());
  CHECK_THAT(out[second + 1],
             Matches("  Executing <Task 'Task-1' \\(coroutine 'main_coro'\\)> took [0-9]+\\.[0-9]{3} seconds"));
}

TEST_CASE("a thread of the program's own hands readings to the loop with call_soon_threadsafe", "[ch11][threads]") {
  auto out = corio_test::lines_of(corio_test::run_example("11-blocking-code/5-own-thread"));
  std::vector<std::string> expected = {
      "loop: reading 21, on the loop's thread: yes",
      "loop: reading 22, on the loop's thread: yes",
      "loop: reading 23, on the loop's thread: yes",
      "loop: the sensor thread is done",
  };
  CHECK(out == expected);
}
