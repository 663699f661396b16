// @chapter 10
// Chapter 10's programs on the virtual clock: every line they print is
// exact, times included.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/corio_test.hpp"

TEST_CASE("under a 5 s timeout a slow fetch raises TimeoutError at 5 s and a fast one returns", "[ch10][E08]") {
  auto out = corio_test::lines_of(corio_test::run_example("10-timeouts-and-groups/1-timeouts"));
  std::vector<std::string> expected = {
      "0.0  fetching https://slow.example/ (it takes 60 s)",
      "5.0  TimeoutError: https://slow.example/ took longer than 5 s",
      "5.0  fetching https://fast.example/ (it takes 1 s)",
      "6.0  got <page https://fast.example/>",
  };
  CHECK(out == expected);
}

TEST_CASE("a timeout is CancelledError inside the block and TimeoutError outside, caught by name or as std::exception",
          "[ch10][E18]") {
  auto out = corio_test::lines_of(corio_test::run_example("10-timeouts-and-groups/2-catching-timeouts"));
  std::vector<std::string> expected = {
      "attempt 1, with a 2 s timeout:",
      "0.0    the report takes 3 s",
      "2.0    build_report: CancelledError at its sleep; removing the half-written file",
      "2.0    outside the block: TimeoutError: timeout: the deadline (loop time 2.000) passed before the block ended",
      "2.0    expired(): yes",
      "attempt 2, with a 5 s timeout (the guide: increase the timeout):",
      "2.0    the report takes 3 s",
      "5.0    got: report ready; expired(): no",
      "wait_for(build_report(), 1):",
      "5.0    the report takes 3 s",
      "6.0    build_report: CancelledError at its sleep; removing the half-written file",
      "6.0    caught as a std::exception: timeout: the deadline (loop time 6.000) passed before the block ended",
  };
  CHECK(out == expected);
}

TEST_CASE("a task group waits for its children, and one failure cancels the rest into an ExceptionGroup", "[ch10]") {
  auto out = corio_test::lines_of(corio_test::run_example("10-timeouts-and-groups/3-task-group"));
  std::vector<std::string> expected = {
      "every service answers:",
      "0.0  github: fetching",
      "0.0  twitter: fetching",
      "0.0  linkedin: fetching",
      "0.1  twitter: done",
      "0.2  linkedin: done",
      "0.3  github: done",
      "0.3  run() returned: <github> <twitter> <linkedin>",
      "twitter is down:",
      "0.3  github: fetching",
      "0.3  twitter: fetching",
      "0.3  linkedin: fetching",
      "0.4  github: cancelled",
      "0.4  linkedin: cancelled",
      "0.4  ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception): twitter is down",
      "0.4  1 error(s); github cancelled: yes, linkedin cancelled: yes",
  };
  CHECK(out == expected);
}

TEST_CASE("an ExceptionGroup is handled by type: split<E>() for each except* clause, subgroup<E>() to look", "[ch10]") {
  auto out = corio_test::lines_of(corio_test::run_example("10-timeouts-and-groups/4-exception-groups"));
  std::vector<std::string> expected = {
      "message(): unhandled errors in a TaskGroup",
      "what():    unhandled errors in a TaskGroup (3 sub-exceptions): users: connection refused; orders: reply is "
      "not JSON; stock: connection refused",
      "retry later (2):",
      "  users: connection refused",
      "  stock: connection refused",
      "report as bugs (1):",
      "  orders: reply is not JSON",
      "every error handled; subgroup<BadReply>() alone holds 1",
  };
  CHECK(out == expected);
}

TEST_CASE("run() cancels the task still running when main returns, and waits for its cleanup", "[ch10]") {
  auto out = corio_test::lines_of(corio_test::run_example("10-timeouts-and-groups/5-leftovers"));
  std::vector<std::string> expected = {
      "0.00  heartbeat",
      "0.10  heartbeat",
      "0.15  main: returning, with the heartbeat still running",
      "0.15  heartbeat: cancelled by run() as main ended; stopping",
  };
  CHECK(out == expected);
}

TEST_CASE("reschedule pushes an idle timeout back at each chunk, until a chunk stalls", "[ch10]") {
  auto out = corio_test::lines_of(corio_test::run_example("10-timeouts-and-groups/6-reschedule"));
  std::vector<std::string> expected = {
      "0.0  download starts; deadline 1.0",
      "0.8  chunk 1; deadline moved to 1.8",
      "1.6  chunk 2; deadline moved to 2.6",
      "2.4  chunk 3; deadline moved to 3.4",
      "3.4  TimeoutError: no chunk for 1 s; expired(): yes",
  };
  CHECK(out == expected);
}
