// @chapter 07
// Chapter 07's programs on the virtual clock: every line they print is
// exact, times included.
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/corio_test.hpp"

TEST_CASE("E06: 100 requests through Semaphore(10) keep 10 in flight and take 5.0 s; unlimited, 100 at once",
          "[ch07][E06]") {
  auto out = corio_test::lines_of(corio_test::run_example("07-limits-and-signals/1-rate-limit"));
  std::vector<std::string> expected = {
      "without a limit (# = a request in flight, + = more than ten):",
      "   0.0  ##########+ 100 in flight,   0 done",
      "   0.5                0 in flight, 100 done",
      "100 responses, at most 100 in flight, total 0.5s",
      "with Semaphore(10):",
      "   0.0  ##########   10 in flight,   0 done",
      "   0.5  ##########   10 in flight,  10 done",
      "   1.0  ##########   10 in flight,  20 done",
      "   1.5  ##########   10 in flight,  30 done",
      "   2.0  ##########   10 in flight,  40 done",
      "   2.5  ##########   10 in flight,  50 done",
      "   3.0  ##########   10 in flight,  60 done",
      "   3.5  ##########   10 in flight,  70 done",
      "   4.0  ##########   10 in flight,  80 done",
      "   4.5  ##########   10 in flight,  90 done",
      "   5.0                0 in flight, 100 done",
      "100 responses, at most 10 in flight, total 5.0s",
  };
  CHECK(out == expected);
}

TEST_CASE("without a lock nine of ten deposits are lost; with one all ten land, one at a time", "[ch07]") {
  auto out = corio_test::lines_of(corio_test::run_example("07-limits-and-signals/2-shared-counter"));
  std::vector<std::string> expected = {
      "without a lock: 10 deposits of 10 -> balance  10 after 0.1s",
      "with a lock:    10 deposits of 10 -> balance 100 after 1.0s",
  };
  CHECK(out == expected);
}

TEST_CASE("one set() starts five waiting runners in the same instant", "[ch07]") {
  auto out = corio_test::lines_of(corio_test::run_example("07-limits-and-signals/3-start-signal"));
  std::vector<std::string> expected = {
      "0.0  Ada is on the line",
      "0.0  Brian is on the line",
      "0.0  Chen is on the line",
      "0.0  Dana is on the line",
      "0.0  Emil is on the line",
      "1.0  the gun fires: gun.set()",
      "1.0  Ada starts",
      "1.0  Brian starts",
      "1.0  Chen starts",
      "1.0  Dana starts",
      "1.0  Emil starts",
      "2.0  Ada finishes",
      "2.0  Dana finishes",
      "2.5  Brian finishes",
      "2.5  Emil finishes",
      "3.0  Chen finishes",
      "3.0  everyone is home; wait() on a set event returns at once",
  };
  CHECK(out == expected);
}

TEST_CASE("notify_all wakes every waiter and the loop sends two back to waiting; notify(2) wakes two", "[ch07]") {
  auto out = corio_test::lines_of(corio_test::run_example("07-limits-and-signals/4-condition"));
  std::vector<std::string> expected = {
      "0.0  Ada: no bread, waits",       "0.0  Brian: no bread, waits",
      "0.0  Chen: no bread, waits",      "0.5  baker: 1 loaf(s) out, notify_all()",
      "0.5  Ada takes a loaf, 0 left",   "0.5  Brian: no bread, waits",
      "0.5  Chen: no bread, waits",      "1.0  baker: 2 loaf(s) out, notify(2)",
      "1.0  Brian takes a loaf, 1 left", "1.0  Chen takes a loaf, 0 left",
  };
  CHECK(out == expected);
}

TEST_CASE("one release too many: a Semaphore grows a permit, a BoundedSemaphore throws ValueError", "[ch07]") {
  auto out = corio_test::lines_of(corio_test::run_example("07-limits-and-signals/5-released-too-often"));
  std::vector<std::string> expected = {
      "Semaphore(2): the extra release() passes; value() is 3, a third holder may get in",
      "BoundedSemaphore(2): the extra release() throws ValueError:",
      "  BoundedSemaphore released too many times: all 2 permits are free already; release() only what acquire() "
      "took",
  };
  CHECK(out == expected);
}
