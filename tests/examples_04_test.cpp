// @chapter 04
// Chapter 04's programs on the virtual clock: every line they print is
// exact. Where a program shows what the runtime reports on stderr, the
// command merges stderr into stdout, so the report is checked in its place.
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/corio_test.hpp"

TEST_CASE("greet says hello, sleeps a second, says goodbye and returns its greeting", "[ch04][E01]") {
  auto out = corio_test::lines_of(corio_test::run_example("04-coroutines/1-greet"));
  std::vector<std::string> expected = {
      "Hello, Alice!",
      "Goodbye, Alice!",
      "Greeted Alice",
  };
  CHECK(out == expected);
}

TEST_CASE("the lazy program prints nothing from answer() until it awaits it, and cannot await it twice",
          "[ch04][E03]") {
  auto out = corio_test::lines_of(corio_test::run_example("04-coroutines/2-lazy"));
  std::vector<std::string> expected = {
      "calling answer()",
      "answer() returned; its body has not run (done: no)",
      "awaiting it",
      "  answer() runs its body",
      "the await gave 42 (done: yes)",
      "awaiting it again: RuntimeError: co_await: cannot reuse already awaited coroutine 'answer'; a coroutine "
      "runs once: call the function again for a new one, or make a Task to share one result",
  };
  CHECK(out == expected);
}

TEST_CASE("run() inside a running loop throws RuntimeError, and awaiting instead works", "[ch04][E16]") {
  auto out = corio_test::lines_of(corio_test::run_example("04-coroutines/3-run-in-running-loop 2>&1"));
  std::vector<std::string> expected = {
      "inside a coroutine, calling corio::run(greet(\"Bob\"))",
      "RuntimeWarning: coroutine 'greet' was never awaited",
      "RuntimeError: run() cannot be called from a running event loop; await the coroutine instead",
      "the fix: co_await greet(\"Bob\")",
      "Greeted Bob",
  };
  CHECK(out == expected);
}

TEST_CASE("a coroutine dropped without being awaited is reported by name", "[ch04][E17]") {
  auto out = corio_test::lines_of(corio_test::run_example("04-coroutines/4-never-awaited 2>&1"));
  std::vector<std::string> expected = {
      "creating save(\"report\") and dropping it without co_await",
      "RuntimeWarning: coroutine 'save' was never awaited",
      "now with co_await",
      "saved report",
  };
  CHECK(out == expected);
}

TEST_CASE("the chapter-03 chain written with co_await takes the same 1.5 s and catches its error in one place",
          "[ch04]") {
  auto out = corio_test::lines_of(corio_test::run_example("04-coroutines/5-orders"));
  std::vector<std::string> expected = {
      "0.0 s  fetching user 42",
      "0.5 s  fetching alice's orders",
      "1.0 s  asking the billing service to add up 3 orders",
      "1.5 s  total: 49.75",
      "-- the orders service goes down",
      "0.0 s  fetching user 42",
      "0.5 s  fetching alice's orders",
      "1.0 s  the total failed: orders service: 503",
  };
  CHECK(out == expected);
}

TEST_CASE("chapter 01's pass, awaited: the waiter coroutine wakes once per dish and once for the closed pipe",
          "[ch04]") {
  auto out = corio_test::lines_of(corio_test::run_example("04-coroutines/6-pipe"));
  std::vector<std::string> expected = {
      "0.0 s  waiter: waiting at the pass",
      "0.1 s  waiter: served the salad",
      "0.2 s  waiter: served the soup",
      "0.3 s  waiter: served the steak",
      "0.4 s  waiter: the kitchen closed the pass; 3 dishes served, 4 wake-ups",
  };
  CHECK(out == expected);
}
