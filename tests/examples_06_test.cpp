// @chapter 06
// Chapter 06's programs on the virtual clock: every line they print is
// exact, times included.
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/corio_test.hpp"

TEST_CASE("the E02 program starts three fetches in order and gathers them in 2.0 s", "[ch06][E02]") {
  std::vector<std::string> expected = {
      "Fetching from API...", "Fetching from Database...", "Fetching from Cache...", "Data from API",
      "Data from Database",   "Data from Cache",           "Concurrent: 2.0s",
  };
  CHECK(corio_test::lines_of(corio_test::run_example("06-waiting-for-many/1-fetches")) == expected);
}

TEST_CASE("the E09 program gets the first error at once, then every error in its place", "[ch06][E09]") {
  std::vector<std::string> expected = {
      "without return_exceptions:",
      "  0.5s  Cache answered",
      "  1.0s  caught: Database is down",
      "  1.5s  API answered",
      "with return_exceptions:",
      "  0.5s  Cache answered",
      "  1.5s  API answered",
      "  1.5s  every result is back",
      "  API: Data from API",
      "  Database: error: Database is down",
      "  Cache: Data from Cache",
  };
  CHECK(corio_test::lines_of(corio_test::run_example("06-waiting-for-many/2-errors-in-place")) == expected);
}

TEST_CASE("the wait and as_completed program takes the downloads in the order they finish", "[ch06]") {
  std::vector<std::string> expected = {
      "0.5s  wait: done about.html; pending index.html missing.html blog.html",
      "1.0s  as_completed: error: missing.html: 404 Not Found",
      "1.5s  as_completed: index.html",
      "2.0s  as_completed: blog.html",
  };
  CHECK(corio_test::lines_of(corio_test::run_example("06-waiting-for-many/3-first-done")) == expected);
}

TEST_CASE("with CORIO_TIMELINE=1 the gather program draws the fetches overlapping while main waits on gather",
          "[ch06]") {
  auto out = corio_test::lines_of(corio_test::run_example("06-waiting-for-many/1-fetches", "CORIO_TIMELINE=1"));
  std::vector<std::string> expected = {
      "timeline: 4 tasks on the virtual clock; # ran, - waited; a column is 0.050 s",
      "                   0.000     0.500     1.000     1.500     2.000",
      "Task-1 main_coro   #---------------------------------------#  gather 2.000 s; done at 2.000",
      "Task-2 fetch_data  #---------------------------------------#  sleep 2.000 s; done at 2.000",
      "Task-3 fetch_data  #-------------------#                      sleep 1.000 s; done at 1.000",
      "Task-4 fetch_data  #---------#                                sleep 0.500 s; done at 0.500",
  };
  REQUIRE(out.size() >= expected.size());
  CHECK(std::vector<std::string>(out.end() - static_cast<std::ptrdiff_t>(expected.size()), out.end()) == expected);
}
