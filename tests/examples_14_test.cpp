// @chapter 14
// Chapter 14's programs: production. Each is run as a child process, as the
// earlier chapters' are.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/corio_test.hpp"

// Program 3 (C03) raises its limit on open files.
#include <sys/resource.h>

TEST_CASE("ten thousand connections are open at once against one server, and each does its ten round trips",
          "[ch14][C03]") {
  // Each of the program's two processes needs 10,256 fds. A machine whose hard limit is lower, for a process that
  // may not raise it, cannot run it: the program says so and fails; the test says so and passes.
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_max < 10256) {
    rlimit raised{limit.rlim_cur, 10256};
    if (::setrlimit(RLIMIT_NOFILE, &raised) != 0) {
      WARN("RLIMIT_NOFILE's hard limit is " << limit.rlim_max << ", too low for 10,000 connections; not run");
      return;
    }
  }
  auto out = corio_test::lines_of(corio_test::run_example("14-production/3-ten-thousand"));
  REQUIRE(out.size() == 7);
  CHECK_THAT(out[0], Catch::Matchers::Matches("RLIMIT_NOFILE: soft [0-9]+, hard [0-9]+; each process needs 10256, "
                                              "(enough as it is|raised to 10256|soft limit raised to 10256)"));
  CHECK_THAT(out[1], Catch::Matchers::Matches(
                         "ephemeral ports [0-9]+-[0-9]+: the clients take at most [0-9]+ per source address, so "
                         "[0-9]+ source address(es)? \\(127\\.0\\.0\\.1(-127\\.0\\.0\\.[0-9]+)?\\)"));
  CHECK(out[2] ==
        "server: chapter 12's start_server on epoll (select cannot watch an fd above 1023); clients: a "
        "child process, one loop");
  CHECK(out[3] == "10000 connections open at once (the server counted 10000), 0 failed");
  CHECK_THAT(out[4],
             Catch::Matchers::Matches("100000 round trips \\(10 per connection\\) in [0-9]+\\.[0-9]{2} s, the server "
                                      "answered 100000"));
  CHECK_THAT(out[5], Catch::Matchers::Matches(
                         "server: peak RSS [0-9]+\\.[0-9] MiB, [0-9]+ bytes per connection \\(resident set with "
                         "all open, minus before\\)"));
  CHECK_THAT(out[6], Catch::Matchers::Matches("clients: peak RSS [0-9]+\\.[0-9] MiB"));
}
