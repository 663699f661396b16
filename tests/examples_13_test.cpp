// @chapter 13
// Chapter 13's programs, the guide's web examples, run over 127.0.0.1 with
// CORIO_CLOCK=virtual. Where server and client share one loop (E05, E11,
// E12, E13 and C01's concurrent half) the test server's delays and the
// client's timeouts are on the virtual clock, so every line is exact, times
// included. C01's sequential sample and C02 call a server on a thread of its
// own on the real clock: their figures are the machine's, and are checked
// for their shape (and C01's sample for the lower bound its delays set),
// never for a speed. Every program resolves names on the executor's threads.
#include <cstdlib>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/corio_test.hpp"

using Catch::Matchers::Matches;

TEST_CASE("three GETs gathered come back in the order asked, in the time of the slowest", "[ch13][E05][threads]") {
  auto out = corio_test::lines_of(corio_test::run_example("13-http/1-gather"));
  std::vector<std::string> expected = {
      "0.100 s  /delay/100 answered 200",
      "0.200 s  /delay/200 answered 200",
      "0.300 s  /delay/300 answered 200",
      "gather returned at 0.300 s, the results in the order asked:",
      "  /delay/300 -> 'delayed 300 ms'",
      "  /delay/100 -> 'delayed 100 ms'",
      "  /delay/200 -> 'delayed 200 ms'",
      "one after another they would take 0.600 s; together, the time of the slowest",
      "connections opened: 3, kept alive in the pool: 3",
  };
  CHECK(out == expected);
}

TEST_CASE(
    "best practices at once: named tasks log their requests, a timeout ends a stall, four connections serve eight",
    "[ch13][E11][threads]") {
  auto out = corio_test::lines_of(corio_test::run_example("13-http/2-best-practices"));
  std::vector<std::string> expected = {
      "one client (timeouts: connect 1 s, read 0.5 s, write 1 s, pool 1 s), at most 4 requests at once",
      "0.000  INFO   job-1   started GET /delay/100",
      "0.000  INFO   job-2   started GET /delay/250",
      "0.000  INFO   job-3   started GET /stall",
      "0.000  INFO   job-4   started GET /delay/150",
      "0.100  INFO   job-1   finished: 200 in 0.100 s",
      "0.100  INFO   job-5   started GET /status/503",
      "0.100  ERROR  job-5   failed: status 503 after 0.000 s",
      "0.100  INFO   job-6   started GET /delay/300",
      "0.150  INFO   job-4   finished: 200 in 0.150 s",
      "0.150  INFO   job-7   started GET /delay/120",
      "0.250  INFO   job-2   finished: 200 in 0.250 s",
      "0.250  INFO   job-8   started GET /delay/200",
      "0.270  INFO   job-7   finished: 200 in 0.120 s",
      "0.400  INFO   job-6   finished: 200 in 0.300 s",
      "0.450  INFO   job-8   finished: 200 in 0.200 s",
      "0.500  ERROR  job-3   failed: ReadTimeout after 0.500 s",
      "8 requests: 6 succeeded, 2 failed, all done at 0.500 s",
      "connections opened: 4, the pool's size, for 8 requests",
  };
  CHECK(out == expected);
}

TEST_CASE("a scraper fetches 200 pages 50 at a time and keeps each failure in its page's place",
          "[ch13][E12][threads]") {
  auto out = corio_test::lines_of(corio_test::run_example("13-http/3-scraper"));
  std::vector<std::string> expected = {
      "200 results in 0.400 s, at most 50 requests at once: 190 pages (2660 bytes), 10 failures",
      "the failures, in their places:",
      "  page   7: HttpStatusError, status 404",
      "  page  23: ConnectionError (the server reset the connection)",
      "  page  47: HttpStatusError, status 404",
      "  page  63: ConnectionError (the server reset the connection)",
      "  page  87: HttpStatusError, status 404",
      "  page 103: ConnectionError (the server reset the connection)",
      "  page 127: HttpStatusError, status 404",
      "  page 143: ConnectionError (the server reset the connection)",
      "  page 167: HttpStatusError, status 404",
      "  page 183: ConnectionError (the server reset the connection)",
      "each failure is where its URL was: yes",
  };
  CHECK(out == expected);
}

TEST_CASE("a dashboard keeps two entries of three with return_exceptions, and a task group cancels both",
          "[ch13][E13][threads]") {
  auto out = corio_test::lines_of(corio_test::run_example("13-http/4-dashboard"));
  std::vector<std::string> expected = {
      "gather(..., return_exceptions):",
      "  0.1 s  twitter failed: status 503",
      "  0.2 s  linkedin answered",
      "  0.3 s  github answered",
      "  0.3 s  dashboard for ada:",
      "    github:   {\"repos\": 12, \"user\": \"ada\"}",
      "    twitter:  error: status 503",
      "    linkedin: {\"connections\": 500, \"user\": \"ada\"}",
      "TaskGroup:",
      "  0.1 s  twitter failed: status 503",
      "  0.1 s  github cancelled",
      "  0.1 s  linkedin cancelled",
      "  0.1 s  ExceptionGroup with 1 error(s): no dashboard at all",
  };
  CHECK(out == expected);
}

TEST_CASE("1000 calls of 0.2 s take 2 s with 100 in flight; one at a time they are sampled and extrapolated",
          "[ch13][C01][threads]") {
  auto out = corio_test::lines_of(corio_test::run_example("13-http/5-thousand-calls"));
  REQUIRE(out.size() == 5);
  CHECK(out[0] == "1000 calls to an API that answers in 0.2 s");
  CHECK_THAT(out[1], Matches("one at a time with blocking_get: 5 calls measured, [0-9]+\\.[0-9]{2} s "
                             "\\([0-9]+\\.[0-9]{3} s each\\)"));
  // Five calls to an endpoint that answers after 0.2 s cannot take less than 1 s, whatever the machine.
  CHECK(std::atof(out[1].c_str() + out[1].find("measured, ") + 10) >= 1.0);
  CHECK_THAT(out[2], Matches("  the other 995 were not run: extrapolated, 1000 calls would take about [0-9]+ s "
                             "\\([0-9]+ min [0-9]{2} s\\)"));
  CHECK(out[3] == "100 in flight with corio: 1000 calls, 1000 answered 200, in 2.00 s on 100 connections");
  CHECK_THAT(out[4], Matches("corio was about [0-9]+x faster"));
}

TEST_CASE("a worker pool and synchronous code call the same server; both rates and their ratio are printed",
          "[ch13][C02][threads]") {
  auto out = corio_test::lines_of(corio_test::run_example("13-http/6-worker-pool"));
  REQUIRE(out.size() == 4);  // a fifth line would count failed requests
  CHECK(out[0] == "one server answering GET /delay/1 after 1 ms, on its own thread");
  CHECK_THAT(out[1], Matches("synchronous code, one blocking_get after another: 200 requests, [0-9]+ requests/s"));
  CHECK_THAT(out[2],
             Matches("a worker pool, 10 workers on one Queue and one Client: 2000 requests, [0-9]+ requests/s"));
  CHECK_THAT(out[3], Matches("the worker pool served [0-9]+\\.[0-9]x the requests per second \\(the guide: 8,247 vs "
                             "1,203, about 6x\\)"));
}
