// @chapter 14
// Chapter 14's programs: production. Each is run as a child process, as the
// earlier chapters' are: signals and a graceful shutdown (1, 2), ten
// thousand connections (3, C03), a call-graph dump and a Chrome trace (4,
// 5), a blocking handler named (6), a loop per core (7) and sync vs threads
// vs async (8).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/corio_test.hpp"
#include "support/peer.hpp"

// ---------------------------------------------------------------- programs 1, 2 and 6: signals

namespace ch14_signals {

std::string program(const std::string& name) { return corio_test::examples_dir() + "/14-production/" + name; }

// A blocking client socket to 127.0.0.1:port; -1 with errno when refused.
int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    int err = errno;
    ::close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

void send_text(int fd, const std::string& text) {
  if (::send(fd, text.data(), text.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(text.size())) {
    throw std::runtime_error("send() failed");
  }
}

// Everything the server sends up to its end of file; throws after `seconds`.
std::string read_to_eof(int fd, double seconds) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int>(seconds * 1000));
  std::string all;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) == 0) {
      throw std::runtime_error("the server did not close the connection in time (read: '" + all + "')");
    }
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return all;  // end of file (or a reset: nothing more)
    all.append(buf, static_cast<std::size_t>(n));
  }
}

std::string work_request(int ms) { return "GET /work/" + std::to_string(ms) + " HTTP/1.1\r\nHost: test\r\n\r\n"; }

// A whole 200 answer carrying body, and nothing after it.
bool whole_answer(const std::string& got, const std::string& body) {
  std::string head_end = "\r\n\r\n";
  std::size_t end = got.find(head_end);
  return got.rfind("HTTP/1.1 200 OK\r\n", 0) == 0 && end != std::string::npos &&
         got.find("Content-Length: " + std::to_string(body.size()) + "\r\n") < end &&
         got.find("Connection: close\r\n") < end && got.substr(end + head_end.size()) == body;
}

}  // namespace ch14_signals

TEST_CASE("SIGUSR1 runs its handler on the loop, Ctrl-C cancels the main task, its cleanup runs, the program ends",
          "[ch14]") {
  using namespace ch14_signals;
  corio_test::Peer child({program("1-signals"), "--wait"});
  CHECK(child.line() == "ready: SIGUSR1 prints a line, Ctrl-C (SIGINT) stops the program");
  ::kill(child.pid(), SIGUSR1);
  CHECK(child.line() == "SIGUSR1: handled on the loop (running: yes), not inside the signal handler");
  ::kill(child.pid(), SIGINT);
  std::vector<std::string> expected = {
      "worker: cancelled at its await; closing its files",
      "main: cancelled by Ctrl-C, the worker too; cleaning up (Ctrl-C again exits at once)",
      "main: cleanup done",
      "run() threw KeyboardInterrupt: the program ends normally",
  };
  CHECK(corio_test::lines_of(child.rest(10)) == expected);
  CHECK(child.wait(10) == 0);
}

TEST_CASE("a second Ctrl-C during a slow cleanup ends the program at once, killed by SIGINT", "[ch14]") {
  using namespace ch14_signals;
  corio_test::Peer child({program("1-signals"), "--wait", "--slow-cleanup"});
  CHECK(child.line() == "ready: SIGUSR1 prints a line, Ctrl-C (SIGINT) stops the program");
  ::kill(child.pid(), SIGINT);
  CHECK(child.line() == "worker: cancelled at its await; closing its files");
  CHECK(child.line() == "main: cancelled by Ctrl-C, the worker too; cleaning up (Ctrl-C again exits at once)");
  ::kill(child.pid(), SIGINT);  // the cleanup would take a minute
  CHECK(child.wait(10) == 128 + SIGINT);
  CHECK(child.rest(10).empty());  // no "cleanup done", no KeyboardInterrupt line
}

TEST_CASE("alone, the signals program sends itself SIGUSR1 and SIGINT and shows the same lines", "[ch14]") {
  auto out = corio_test::lines_of(corio_test::run_example("14-production/1-signals"));
  std::vector<std::string> expected = {
      "ready: SIGUSR1 prints a line, Ctrl-C (SIGINT) stops the program",
      "SIGUSR1: handled on the loop (running: yes), not inside the signal handler",
      "worker: cancelled at its await; closing its files",
      "main: cancelled by Ctrl-C, the worker too; cleaning up (Ctrl-C again exits at once)",
      "main: cleanup done",
      "run() threw KeyboardInterrupt: the program ends normally",
  };
  CHECK(out == expected);
}

TEST_CASE("on SIGTERM the server answers the requests in flight, cancels the one past the deadline, exits 0",
          "[ch14][http]") {
  using namespace ch14_signals;
  corio_test::Peer child({program("2-graceful-shutdown"), "--wait", "2.0"});
  std::string listening = child.line();
  REQUIRE(listening.rfind("listening on port ", 0) == 0);
  int port = std::stoi(listening.substr(std::strlen("listening on port ")));
  int idle = connect_to(port);
  int fast = connect_to(port);
  int slower = connect_to(port);
  int stuck = connect_to(port);
  REQUIRE((idle >= 0 && fast >= 0 && slower >= 0 && stuck >= 0));
  send_text(fast, work_request(100));
  send_text(slower, work_request(300));
  send_text(stuck, work_request(60000));
  std::set<std::string> started;
  for (int i = 0; i < 3; ++i) started.insert(child.line());
  CHECK(started == std::set<std::string>{"started GET /work/100", "started GET /work/300", "started GET /work/60000"});

  ::kill(child.pid(), SIGTERM);  // all three in flight
  CHECK(child.line() == "SIGTERM: no more connections; 4 open, deadline 2.0 s");
  errno = 0;
  int late = connect_to(port);
  CHECK(late == -1);  // the listener is closed
  CHECK(errno == ECONNREFUSED);
  if (late >= 0) ::close(late);
  CHECK(read_to_eof(idle, 10).empty());  // an idle connection is closed at once
  CHECK(whole_answer(read_to_eof(fast, 10), "worked 100 ms"));
  CHECK(whole_answer(read_to_eof(slower, 10), "worked 300 ms"));
  CHECK(read_to_eof(stuck, 10).empty());  // no answer rather than half of one
  for (int fd : {idle, fast, slower, stuck}) ::close(fd);
  std::vector<std::string> expected = {
      "deadline passed: cancelling the 1 requests still running",
      "closed: 2 requests answered, 0 connections open; exit 0",
  };
  CHECK(corio_test::lines_of(child.rest(10)) == expected);
  CHECK(child.wait(10) == 0);
}

TEST_CASE("alone, the graceful-shutdown program is its own client and sends itself SIGTERM", "[ch14][http]") {
  auto out = corio_test::lines_of(corio_test::run_example("14-production/2-graceful-shutdown"));
  REQUIRE(out.size() == 10);
  CHECK(out[0].rfind("listening on port ", 0) == 0);
  std::set<std::string> started(out.begin() + 1, out.begin() + 4);
  CHECK(started == std::set<std::string>{"started GET /work/100", "started GET /work/200", "started GET /work/60000"});
  std::vector<std::string> rest(out.begin() + 4, out.end());
  std::vector<std::string> expected = {
      "SIGTERM: no more connections; 3 open, deadline 1.0 s",
      "client: GET /work/100 -> 200 'worked 100 ms'",
      "client: GET /work/200 -> 200 'worked 200 ms'",
      "deadline passed: cancelling the 1 requests still running",
      "client: GET /work/60000 -> no answer: the connection was closed",
  };
  expected.push_back("closed: 2 requests answered, 0 connections open; exit 0");
  CHECK(rest == std::vector<std::string>(expected.begin(), expected.end()));
}

TEST_CASE("debug mode names the HTTP handler that blocked the loop, by its task's name, with the time it took",
          "[ch14][http]") {
  auto out = corio_test::lines_of(corio_test::run_example("14-production/6-blocking-handler"));
  static const std::regex report(
      R"(debug: Executing <Task 'GET /report' \(coroutine '[A-Za-z_:]+'\)> took ([0-9]+\.[0-9]{3}) seconds)");
  int reports = 0;
  std::vector<std::string> answers;
  for (const std::string& line : out) {
    std::smatch m;
    if (std::regex_match(line, m, report)) {
      ++reports;
      CHECK(std::stod(m[1].str()) >= 0.150);
    } else if (line.rfind("debug: ", 0) == 0) {
      CHECK(line.find("GET /fast") == std::string::npos);  // what awaits is never reported
    } else {
      answers.push_back(line);
    }
  }
  CHECK(reports == 1);
  CHECK(answers ==
        std::vector<std::string>{"GET /fast -> 200 'fast'", "GET /report -> 200 'report'", "GET /fast -> 200 'fast'"});
}

// ---------------------------------------------------------------- program 3: ten thousand connections

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

// ---------------------------------------------------------------- programs 4 and 5: call graphs and traces

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

TEST_CASE("a hung server dumps every task's call graph when it gets SIGUSR1 from outside", "[ch14]") {
  corio_test::Peer child({corio_test::examples_dir() + "/14-production/4-call-graph", "--wait"});
  std::string first = child.line();
  CHECK_THAT(first, Catch::Matchers::StartsWith("hung: send SIGUSR1 for a dump (kill -USR1 "));
  ::kill(child.pid(), SIGUSR1);
  CHECK_THAT(child.line(), Catch::Matchers::EndsWith("  SIGUSR1: asked for a dump; every task:"));
  std::vector<std::string> rest = corio_test::lines_of(child.rest(10));
  auto has = [&](const std::string& line) { return std::find(rest.begin(), rest.end(), line) != rest.end(); };
  CHECK(has("* Task(name='cache-refresher', id=2)"));
  CHECK(has("  |   coroutine refresh_cache()"));
  CHECK(has("  + Waits on: queue get"));
  CHECK(has("  + Waits on: task 'handler-1'"));
  REQUIRE(rest.size() >= 3);
  CHECK_THAT(rest[rest.size() - 3], Catch::Matchers::EndsWith("handler-1 answered user:1=v2"));
  CHECK_THAT(rest.back(), Catch::Matchers::EndsWith("  both requests answered"));
  CHECK(child.wait(10) == 0);
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

// ---------------------------------------------------------------- programs 7 and 8: cores, and sync vs threads vs async

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
