// @chapter 01
// Chapter 01's programs, run as the tour runs them (tests set
// CORIO_CLOCK=virtual, which chapter 01's loop has no use for yet). Their
// waits are real: a helper thread writes a pipe after 1 s (0.3 s for the
// restaurant). Lines that hold real-clock measurements are checked for their
// shape only; the rest exactly.
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/corio_test.hpp"

TEST_CASE("the busy loop gets the byte and reports the time it waited and the CPU it used", "[ch01]") {
  auto out = corio_test::lines_of(corio_test::run_example("01-select-loop/1-busy-loop"));
  REQUIRE(out.size() == 2);
  CHECK_THAT(out[0], Catch::Matches("busy loop: got '!' after asking read\\(\\) [0-9]+ times"));
  CHECK_THAT(out[1], Catch::Matches("busy loop: waited [0-9]+\\.[0-9] s, used [0-9]+\\.[0-9]{2} s of CPU"));
}

TEST_CASE("the loop waits for the same byte with one call of its reader and next to no CPU", "[ch01]") {
  auto out = corio_test::lines_of(corio_test::run_example("01-select-loop/2-select-wait"));
  REQUIRE(out.size() == 2);
  CHECK(out[0] == "loop: got '!'; the reader callback ran 1 time(s)");
  REQUIRE_THAT(out[1], Catch::Matches("loop: waited [0-9]+\\.[0-9] s, used [0-9]+\\.[0-9]{2} s of CPU"));
  // A wide margin: the busy loop burns about as much CPU as it waits (1 s).
  double cpu = std::stod(out[1].substr(out[1].find("used ") + 5));
  CHECK(cpu < 0.5);
}

TEST_CASE("one waiter takes the orders in the order queued and serves each dish when it is ready", "[ch01]") {
  auto out = corio_test::lines_of(corio_test::run_example("01-select-loop/3-restaurant"));
  REQUIRE(out.size() == 7);
  CHECK(out[0] == "waiter: took table 1's order (steak) to the kitchen");
  CHECK(out[1] == "waiter: took table 2's order (soup) to the kitchen");
  CHECK(out[2] == "waiter: took table 3's order (salad) to the kitchen");
  CHECK(out[3] == "waiter: served the salad to table 3");
  CHECK(out[4] == "waiter: served the soup to table 2");
  CHECK(out[5] == "waiter: served the steak to table 1");
  CHECK_THAT(out[6], Catch::Matches("waiter: 3 tables served in [0-9]+\\.[0-9] s, the time of the slowest dish"));
}
