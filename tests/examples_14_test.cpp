// @chapter 14
// Chapter 14's programs: production. Each is run as a child process, as the
// earlier chapters' are.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/corio_test.hpp"

// Programs 7 and 8 (their includes here rather than at the top, so that the parts of this file written in parallel
// merge without touching each other).
#include <cstdio>
#include <cstdlib>

// Program 7: two loops, one port. The kernel hands each new connection to one of the listeners sharing the port by
// a hash of its addresses and ports; the source port differs for each of the 1000 connections, so the chance that
// one loop gets none is 2^-999: every loop serving some is certain, while the split between them is not.
TEST_CASE("two loops on two threads share one port through SO_REUSEPORT and both serve requests", "[ch14][threads]") {
  auto out = corio_test::lines_of(corio_test::run_example("14-production/7-loop-per-core"));
  REQUIRE(out.size() == 5);
  CHECK(out[0] == "2 loops on 2 threads, each with its own server, all listening on one port with SO_REUSEPORT");
  CHECK_THAT(out[1], Catch::Matchers::Matches(
                         "1000 requests from a loop on the main thread, each on a new connection, 50 at a time: "
                         "1000 answered in [0-9]+\\.[0-9]{2} s"));
  int total = 0;
  for (int i = 0; i < 2; ++i) {
    INFO(out[2 + i]);
    int served = -1, counted = -2;
    REQUIRE(std::sscanf(
                out[2 + i].c_str(),
                ("loop " + std::to_string(i) + " served %d requests (the client counted %d answers from it)").c_str(),
                &served, &counted) == 2);
    CHECK(served == counted);
    CHECK(served > 0);
    total += served;
  }
  CHECK(total == 1000);
  CHECK(out[4] ==
        "every loop served some: yes (the kernel picks a listener for each new connection by hashing its "
        "addresses and ports)");
}

// Program 8: four ways, each in a process of its own. What is certain is checked: the threads each way used (the
// corio figure is read from /proc, so a thread the loop started would show), every request answered, the sample's
// lower bound (20 requests of 50 ms one after another take at least 1 s). Times and sizes are the machine's.
TEST_CASE("1000 waits on I/O: one at a time (sampled), a thread each, a pool and one loop, side by side",
          "[ch14][E14][C02][threads]") {
  auto out = corio_test::lines_of(corio_test::run_example("14-production/8-sync-threads-async"));
  REQUIRE(out.size() == 7);
  CHECK(out[0] == "1000 GETs of /delay/50, a server answering each after 50 ms; each way in a process of its own");
  CHECK_THAT(out[1], Catch::Matchers::Matches("way +time +peak RSS +threads +answered 200"));
  const std::string number = " +[0-9]+\\.[0-9]{2} s";
  const std::string rss = " +[0-9]+\\.[0-9] MiB";
  CHECK_THAT(out[2], Catch::Matchers::Matches("one at a time" + number + " \\*" + rss + " +1 +20 of 20"));
  CHECK_THAT(out[3], Catch::Matchers::Matches("a thread per request" + number + rss + " +1000 +1000 of 1000"));
  CHECK_THAT(out[4], Catch::Matchers::Matches("a pool of 100 threads" + number + rss + " +100 +1000 of 1000"));
  CHECK_THAT(out[5], Catch::Matchers::Matches("corio, one loop" + number + rss + " +1 +1000 of 1000"));
  CHECK_THAT(out[6], Catch::Matchers::Matches(
                         "\\* only 20 were made, in [0-9]+\\.[0-9]{2} s; the time shown is theirs times 50, an "
                         "extrapolation"));
  CHECK(std::atof(out[6].c_str() + out[6].find(", in ") + 5) >= 1.0);
}
