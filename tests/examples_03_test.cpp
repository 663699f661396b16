// @chapter 03
// Chapter 03's programs on the virtual clock: every line they print is exact.
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/corio_test.hpp"

TEST_CASE("a future takes one result, and its done-callbacks run from the loop in the order added", "[ch03]") {
  auto out = corio_test::lines_of(corio_test::run_example("03-futures-by-hand/1-future"));
  std::vector<std::string> expected = {
      "done() before set_result: false",
      "result() too early: InvalidStateError: Future::result: the result is not ready (the future is still "
      "pending); await it, or add a done-callback",
      "set_result(42) has returned; no callback has run yet",
      "set_result(43): InvalidStateError: Future::set_result: the future is already done; a result or an "
      "exception can be set only once",
      "run_forever():",
      "callback 1 sees 42",
      "callback 2 sees 42",
      "callback 3, added when done, sees 42",
      "the broken future's result() throws: the server hung up",
      "result() after the loop: 42",
  };
  CHECK(out == expected);
}

TEST_CASE("a chain of three callbacks fetches user, orders and total one after the other", "[ch03]") {
  auto out = corio_test::lines_of(corio_test::run_example("03-futures-by-hand/2-callback-chain"));
  std::vector<std::string> expected = {
      "0.0 s  fetching user 42",
      "0.5 s  fetching alice's orders",
      "1.0 s  asking the billing service to add up 3 orders",
      "1.5 s  total: 49.75",
  };
  CHECK(out == expected);
}

TEST_CASE("an error reaches the end of a chain only when every level passes it on", "[ch03]") {
  auto out = corio_test::lines_of(corio_test::run_example("03-futures-by-hand/3-chain-error"));
  std::vector<std::string> expected = {
      "careful: 1.0 s  the total failed: orders service: 503",
      "careful: the total is done",
      "the loop reports: Exception in callback: orders service: 503",
      "careless: 1.0 s  run_forever() threw: the loop would wait forever: nothing is ready, no timer is pending "
      "and no fd is watched, so nothing can ever wake it (is a coroutine awaiting something nobody will "
      "complete?)",
      "careless: the total is still pending, and always will be",
  };
  CHECK(out == expected);
}
