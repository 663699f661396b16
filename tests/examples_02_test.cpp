// @chapter 02
// Chapter 02's programs on the virtual clock, where every time they print is
// exact. The poller is CORIO_POLLER's, as `make test` sets it.
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/corio_test.hpp"

namespace {


std::string poller_from_env() {
  const char* name = std::getenv("CORIO_POLLER");
  return name && *name ? name : "epoll";
}

}  // namespace

TEST_CASE("timers run in deadline order, ties in the order scheduled, a cancelled one never", "[ch02]") {
  auto out = corio_test::lines_of(corio_test::run_example("02-time-and-epoll/1-timers"));
  std::vector<std::string> expected = {
      "virtual clock, " + poller_from_env() + " poller",
      "0.000 s  call_soon: no deadline, runs on the first iteration",
      "0.100 s  call_later(0.1)",
      "0.200 s  call_at(start + 0.2)",
      "0.200 s  call_later(0.2): the same deadline, scheduled later, so it runs later",
      "0.300 s  call_later(0.3)",
      "0.400 s  call_later(0.4): stop",
  };
  CHECK(out == expected);
}

TEST_CASE("select and epoll run the same schedule alike, and only epoll watches an fd past FD_SETSIZE", "[ch02]") {
  auto out = corio_test::lines_of(corio_test::run_example("02-time-and-epoll/2-two-pollers"));
  std::vector<std::string> schedule, high_fd;
  for (const std::string& line : out) (line.find(" s  ") != std::string::npos ? schedule : high_fd).push_back(line);
  std::vector<std::string> expected = {
      "select 0.100 s  a timer writes '!' into the pipe", "select 0.100 s  the reader got '!'", "select 0.200 s  stop",
      "epoll  0.100 s  a timer writes '!' into the pipe", "epoll  0.100 s  the reader got '!'", "epoll  0.200 s  stop",
  };
  CHECK(schedule == expected);
  REQUIRE(!high_fd.empty());
  if (high_fd[0].rfind("this system will not give", 0) == 0) return;  // no fd 1100 to be had here
  std::vector<std::string> expected_high_fd = {
      "select refuses fd 1100: fd 1100 is too large for the select poller (FD_SETSIZE is 1024); use the epoll "
      "poller (CORIO_POLLER=epoll)",
      "epoll  watches fd 1100",
  };
  CHECK(high_fd == expected_high_fd);
}

TEST_CASE("three seconds of heartbeats pass on the virtual clock in well under a second", "[ch02]") {
  auto out = corio_test::lines_of(corio_test::run_example("02-time-and-epoll/3-virtual-clock"));
  REQUIRE(out.size() == 7);
  std::vector<std::string> beats(out.begin(), out.begin() + 6);
  std::vector<std::string> expected = {"beat 1 at 0.5 s", "beat 2 at 1.0 s", "beat 3 at 1.5 s",
                                       "beat 4 at 2.0 s", "beat 5 at 2.5 s", "beat 6 at 3.0 s"};
  CHECK(beats == expected);
  REQUIRE_THAT(out[6], Catch::Matches("6 beats; the loop's clock says 3\\.000 s, the wall clock [0-9]+ us"));
  // A wide margin: a real 3-second schedule would take 3,000,000 us.
  double wall_us = std::stod(out[6].substr(out[6].find("wall clock ") + 11));
  CHECK(wall_us < 1e6);
}

TEST_CASE("with CORIO_TRACE=1 the timers program's loop explains each iteration", "[ch02]") {
  std::vector<std::string> trace;
  for (const std::string& line :
       corio_test::lines_of(corio_test::run_example("02-time-and-epoll/1-timers", "CORIO_TRACE=1"))) {
    if (line.starts_with("[trace")) trace.push_back(line);
  }
  std::vector<std::string> expected = {
      "[trace 0.000] #1 timeout 0 (1 ready); not polled; ran 1 callback",
      "[trace 0.100] #2 timeout 0 (virtual clock: no real wait); not polled; clock jumps to 0.100; 1 timer due; ran "
      "1 callback",
      "[trace 0.200] #3 timeout 0 (virtual clock: no real wait); not polled; clock jumps to 0.200; 2 timers due; "
      "ran 2 callbacks",
      "[trace 0.300] #4 timeout 0 (virtual clock: no real wait); not polled; clock jumps to 0.300; 1 timer due; ran "
      "1 callback",
      "[trace 0.400] #5 timeout 0 (virtual clock: no real wait); not polled; clock jumps to 0.400; 1 timer due; ran "
      "1 callback",
  };
  CHECK(trace == expected);
}
