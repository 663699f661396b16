// @chapter 08
// Chapter 08's programs on the virtual clock: every line they print is
// exact, times included.
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/corio_test.hpp"

TEST_CASE("ten workers drain 25 jobs of 0.4 s in 1.2 s, each job done once, and stop", "[ch08][E07]") {
  auto out = corio_test::lines_of(corio_test::run_example("08-queues/1-worker-pool"));
  std::vector<std::string> expected = {
      "queue joined at 1.2s",
      "10 workers stopped at 1.2s",
      "  worker 0 did jobs 0 10 20",
      "  worker 1 did jobs 1 11 21",
      "  worker 2 did jobs 2 12 22",
      "  worker 3 did jobs 3 13 23",
      "  worker 4 did jobs 4 14 24",
      "  worker 5 did jobs 5 15",
      "  worker 6 did jobs 6 16",
      "  worker 7 did jobs 7 17",
      "  worker 8 did jobs 8 18",
      "  worker 9 did jobs 9 19",
      "jobs done exactly once: 25 of 25",
  };
  CHECK(out == expected);
}

TEST_CASE("a producer facing a full queue of 3 waits for the consumer each time", "[ch08]") {
  auto out = corio_test::lines_of(corio_test::run_example("08-queues/2-back-pressure"));
  std::vector<std::string> expected = {
      "0.0  producer: put 0 (1 waiting)",
      "0.0  producer: put 1 (2 waiting)",
      "0.0  producer: put 2 (3 waiting)",
      "0.0  producer: queue full, waits to put 3",
      "0.0  consumer: took 0",
      "0.0  producer: put 3 (3 waiting)",
      "0.0  producer: queue full, waits to put 4",
      "0.5  consumer: took 1",
      "0.5  producer: put 4 (3 waiting)",
      "0.5  producer: queue full, waits to put 5",
      "1.0  consumer: took 2",
      "1.0  producer: put 5 (3 waiting)",
      "1.5  consumer: took 3",
      "2.0  consumer: took 4",
      "2.5  consumer: took 5",
      "3.0  all done",
  };
  CHECK(out == expected);
}

TEST_CASE("a priority queue hands out the most urgent ticket first, even one that came late", "[ch08]") {
  auto out = corio_test::lines_of(corio_test::run_example("08-queues/3-priority"));
  std::vector<std::string> expected = {
      "0.0  5 tickets waiting",
      "0.0  handling [1] login fails",
      "0.5  handling [1] payment error",
      "1.0  handling [2] slow search",
      "1.2  new ticket [0] site down",
      "1.5  handling [0] site down",
      "2.0  handling [3] new logo",
      "2.5  handling [3] typo on the about page",
      "3.0  every ticket handled",
  };
  CHECK(out == expected);
}

TEST_CASE("the same crawl goes breadth-first through a Queue and depth-first through a LifoQueue", "[ch08]") {
  auto out = corio_test::lines_of(corio_test::run_example("08-queues/4-lifo"));
  std::vector<std::string> expected = {
      "Queue (first in, first out):     / /a /b /a/1 /a/2 /b/1",
      "LifoQueue (last in, first out):  / /b /b/1 /a /a/2 /a/1",
  };
  CHECK(out == expected);
}

TEST_CASE("with CORIO_TIMELINE=1 the back-pressure program shows the producer waiting on the full queue", "[ch08]") {
  auto out = corio_test::lines_of(corio_test::run_example("08-queues/2-back-pressure", "CORIO_TIMELINE=1"));
  std::vector<std::string> expected = {
      "timeline: 2 tasks on the virtual clock; # ran, - waited; a column is 0.075 s",
      "                  0.000     0.750     1.500     2.250     3.000",
      "Task-1 main_coro  #------#-----#------#-------------------#  queue put x4 1.500 s, task 'Task-2' 1.500 s; "
      "done at 3.000",
      "Task-2 consumer   #------#-----#------#------#-----#------#  sleep x6 3.000 s; done at 3.000",
  };
  REQUIRE(out.size() >= expected.size());
  CHECK(std::vector<std::string>(out.end() - static_cast<std::ptrdiff_t>(expected.size()), out.end()) == expected);
}
