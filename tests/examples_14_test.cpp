// @chapter 14
// Chapter 14's programs: production. Each is run as a child process, as the
// earlier chapters' are.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/corio_test.hpp"

TEST_CASE("a hung server's dump shows each task's coroutines, what it waits on and who awaits it", "[ch14]") {
  auto out = corio_test::lines_of(corio_test::run_example("14-production/4-call-graph"));
  std::vector<std::string> expected = {
      "2.000  watchdog: no request answered in 2 s; every task:",
      "8 tasks at 2.000:",
      "* Task(name='Task-1', id=1)",
      "  + Call stack:",
      "  |   coroutine serve()",
      "  + Waits on: task 'connection-1'",
      "* Task(name='cache-refresher', id=2)",
      "  + Call stack:",
      "  |   coroutine refresh_cache()",
      "  + Waits on: queue get",
      "* Task(name='acceptor', id=3)",
      "  + Call stack:",
      "  |   coroutine accept_clients()",
      "  + Waits on: readable",
      "* Task(name='ticker', id=4)",
      "  + Call stack:",
      "  |   coroutine tick()",
      "  + Waits on: sleep",
      "* Task(name='connection-1', id=5)",
      "  + Call stack:",
      "  |   coroutine connection()",
      "  + Waits on: task 'handler-1'",
      "  + Awaited by:",
      "    * Task(name='Task-1', id=1)",
      "      + Call stack:",
      "      |   coroutine serve()",
      "      + Waits on: task 'connection-1'",
      "* Task(name='connection-2', id=6)",
      "  + Call stack:",
      "  |   coroutine connection()",
      "  + Waits on: task 'handler-2'",
      "* Task(name='handler-1', id=7)",
      "  + Call stack:",
      "  |   coroutine read_cache()",
      "  |   coroutine lookup()",
      "  |   coroutine handle_request()",
      "  + Waits on: acquire",
      "  + Awaited by:",
      "    * Task(name='connection-1', id=5)",
      "      + Call stack:",
      "      |   coroutine connection()",
      "      + Waits on: task 'handler-1'",
      "      + Awaited by:",
      "        * Task(name='Task-1', id=1)",
      "          + Call stack:",
      "          |   coroutine serve()",
      "          + Waits on: task 'connection-1'",
      "* Task(name='handler-2', id=8)",
      "  + Call stack:",
      "  |   coroutine read_cache()",
      "  |   coroutine lookup()",
      "  |   coroutine handle_request()",
      "  + Waits on: acquire",
      "  + Awaited by:",
      "    * Task(name='connection-2', id=6)",
      "      + Call stack:",
      "      |   coroutine connection()",
      "      + Waits on: task 'handler-2'",
      "2.000  watchdog: the refresher holds the lock and waits for a refill: sending one",
      "2.000  handler-1 answered user:1=v2",
      "2.000  handler-2 answered user:2=v2",
      "2.000  both requests answered",
  };
  CHECK(out == expected);
}

TEST_CASE("the trace program logs with task names and writes a Chrome trace that matches its run", "[ch14][E11]") {
  std::string path = "/tmp/corio-5-trace-" + std::to_string(::getpid()) + ".json";
  auto out = corio_test::lines_of(corio_test::run_example("14-production/5-trace " + path));
  std::vector<std::string> expected = {
      "0.000  INFO   fetch-a  waiting for a permit for /a",
      "0.000  INFO   fetch-a  GET /a",
      "0.000  INFO   fetch-b  waiting for a permit for /b",
      "0.000  INFO   fetch-b  GET /b",
      "0.000  INFO   fetch-c  waiting for a permit for /c",
      "0.100  INFO   fetch-b  done /b",
      "0.100  INFO   fetch-c  GET /c",
      "0.300  INFO   fetch-a  done /a",
      "0.300  INFO   fetch-c  done /c",
      "0.300  INFO   Task-1  all done; the trace goes to " + path + " as the loop closes",
  };
  CHECK(out == expected);
  // Python's json module parses it (well formed), and its events are the run's.
  std::string summary =
      "python3 -c 'import json, sys\n"
      "d = json.load(open(sys.argv[1]))\n"
      "names = {e[\"tid\"]: e[\"args\"][\"name\"] for e in d[\"traceEvents\"] if e[\"name\"] == \"thread_name\"}\n"
      "for e in d[\"traceEvents\"]:\n"
      "    if e[\"ph\"] == \"X\" and e[\"cat\"] in (\"task\", \"wait\"):\n"
      "        print(\"%s | %s %s %.3f..%.3f\" % (names[e[\"tid\"]], e[\"cat\"], e[\"name\"], e[\"ts\"] / 1e6, "
      "(e[\"ts\"] + e[\"dur\"]) / 1e6))\n"
      "x = [e[\"cat\"] for e in d[\"traceEvents\"] if e[\"ph\"] == \"X\"]\n"
      "print(names[0], x.count(\"loop\"), \"iterations,\", x.count(\"run\"), \"steps\")' " +
      path;
  FILE* py = ::popen(summary.c_str(), "r");
  REQUIRE(py != nullptr);
  std::string text;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, py)) > 0;) text.append(buf, n);
  CHECK(::pclose(py) == 0);
  ::unlink(path.c_str());
  std::vector<std::string> events = {
      "Task-1 crawl | task Task-1 crawl 0.000..0.300",
      "fetch-a | task fetch-a 0.000..0.300",
      "fetch-a | wait sleep 0.000..0.300",
      "fetch-b | task fetch-b 0.000..0.100",
      "fetch-b | wait sleep 0.000..0.100",
      "fetch-c | task fetch-c 0.000..0.300",
      "fetch-c | wait acquire 0.000..0.100",
      "fetch-c | wait sleep 0.100..0.300",
      "loop iterations 6 iterations, 8 steps",
  };
  CHECK(corio_test::lines_of(text) == events);
}
