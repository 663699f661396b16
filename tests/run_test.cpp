// @chapter 04
// run(coro): a fresh loop, the coroutine driven to its end, its value
// returned or its error rethrown, and the loop gone again.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <corio/corio.hpp>

#include "support/corio_test.hpp"

using corio_test::Diagnostics;

namespace {

struct Line {
  double at;
  std::string text;
  bool operator==(const Line&) const = default;
};

// E01, with print() collecting lines and the time they were printed at.
corio::Coro<std::string> greet(std::string name, std::vector<Line>& out) {
  corio::Loop& loop = corio::get_running_loop();
  out.push_back({loop.time(), "Hello, " + name + "!"});
  co_await corio::sleep(1);
  out.push_back({loop.time(), "Goodbye, " + name + "!"});
  co_return "Greeted " + name;
}

TEST_CASE("the first async function greets, sleeps a second, and returns its result", "[ch04][E01]") {
  std::vector<Line> out;
  std::string result = corio::run(greet("Alice", out), corio_test::virtual_time());
  CHECK(out == std::vector<Line>{{0.0, "Hello, Alice!"}, {1.0, "Goodbye, Alice!"}});
  CHECK(result == "Greeted Alice");
}

corio::Coro<int> answer() { co_return 42; }
corio::Coro<> nothing(bool& ran) {
  ran = true;
  co_return;
}

TEST_CASE("run returns the coroutine's value", "[ch04]") {
  CHECK(corio::run(answer(), corio_test::virtual_time()) == 42);
  bool ran = false;
  corio::run(nothing(ran), corio_test::virtual_time());
  CHECK(ran);
}

corio::Coro<int> fail_after_sleep() {
  co_await corio::sleep(1);
  throw std::out_of_range("index 7 of 3");
}

corio::Coro<> throw_an_int() {
  throw 7;
  co_return;
}

TEST_CASE("run rethrows the coroutine's error as it was thrown", "[ch04]") {
  CHECK_THROWS_MATCHES(corio::run(fail_after_sleep(), corio_test::virtual_time()), std::out_of_range,
                       Catch::Matchers::Message("index 7 of 3"));
  CHECK_THROWS_AS(corio::run(throw_an_int(), corio_test::virtual_time()), int);
}

corio::Coro<double> time_after_sleep(double seconds) {
  co_await corio::sleep(seconds);
  co_return corio::get_running_loop().time();
}

TEST_CASE("each run has a loop of its own, which is gone when run returns", "[ch04]") {
  CHECK(corio::run(time_after_sleep(2), corio_test::virtual_time()) == 2.0);
  CHECK(corio::run(time_after_sleep(3), corio_test::virtual_time()) == 3.0);  // a new virtual clock, from 0.0
  CHECK_THROWS_WITH(corio::get_running_loop(), "no running event loop");
  CHECK_THROWS_AS(corio::run(fail_after_sleep(), corio_test::virtual_time()), std::out_of_range);
  CHECK_THROWS_WITH(corio::get_running_loop(), "no running event loop");
}

corio::Coro<int> inner() { co_return 1; }

corio::Coro<std::string> nested_run() {
  std::string message;
  try {
    corio::run(inner(), corio_test::virtual_time());
    message = "nested run succeeded";
  } catch (const corio::RuntimeError& e) {
    message = e.what();
  }
  // The outer loop is unharmed: its coroutine goes on sleeping and waking.
  co_await corio::sleep(1);
  co_return message + " | then woke at " + std::to_string(corio::get_running_loop().time());
}

TEST_CASE("run inside a running loop throws RuntimeError, and its coroutine is never awaited", "[ch04][E16]") {
  Diagnostics diagnostics;
  std::string message = corio::run(nested_run(), corio_test::virtual_time());
  CHECK_THAT(message, Catch::Matchers::Contains("cannot be called from a running event loop"));
  CHECK_THAT(message, Catch::Matchers::EndsWith(" | then woke at 1.000000"));
  CHECK(diagnostics.messages == std::vector<std::string>{"RuntimeWarning: coroutine 'inner' was never awaited"});
}

corio::Coro<> stopped_early() {
  corio::get_running_loop().call_later(1.0, [] { corio::get_running_loop().stop(); });
  co_await corio::sleep(5);
}

// asyncio.run says "Event loop stopped before Future completed." rather than
// returning as if the coroutine had finished.
TEST_CASE("run throws RuntimeError when the loop is stopped before its coroutine finished", "[ch04]") {
  Diagnostics diagnostics;  // from chapter 05 on, the unfinished main task is also reported as pending
  CHECK_THROWS_AS(corio::run(stopped_early(), corio_test::virtual_time()), corio::RuntimeError);
}

struct LoopFacts {
  bool virtual_clock;
  std::string poller;
  double slept;  // loop.time() after a sleep of 0.001 s, minus loop.time() before it
};

corio::Coro<LoopFacts> loop_facts() {
  corio::Loop& loop = corio::get_running_loop();
  double before = loop.time();
  co_await corio::sleep(0.001);
  co_return LoopFacts{loop.virtual_clock(), loop.poller_name(), loop.time() - before};
}

TEST_CASE("run's LoopOptions choose the clock and the poller", "[ch04]") {
  SECTION("the virtual clock") {
    LoopFacts facts = corio::run(loop_facts(), {.clock = corio::ClockKind::Virtual});
    CHECK(facts.virtual_clock);
    CHECK(facts.slept == 0.001);
  }
  SECTION("the real clock") {
    LoopFacts facts = corio::run(loop_facts(), {.clock = corio::ClockKind::Real});
    CHECK_FALSE(facts.virtual_clock);
    CHECK(facts.slept >= 0.001);  // a real sleep lasts at least its delay; how much longer is not ours to test
  }
  SECTION("select") {
    CHECK(corio::run(loop_facts(), {.poller = corio::PollerKind::Select, .clock = corio::ClockKind::Virtual}).poller ==
          "select");
  }
  SECTION("epoll") {
    CHECK(corio::run(loop_facts(), {.poller = corio::PollerKind::Epoll, .clock = corio::ClockKind::Virtual}).poller ==
          "epoll");
  }
  SECTION("no poller named: CORIO_POLLER's, else epoll") {
    const char* env = std::getenv("CORIO_POLLER");
    std::string expected = env != nullptr && *env != '\0' ? env : "epoll";
    CHECK(corio::run(loop_facts(), corio_test::virtual_time()).poller == expected);
  }
}

// asyncio's loop.run_until_complete: a loop of one's own, run for one
// awaitable at a time, and open for the next.
corio::Coro<int> slow_double(int x) {
  co_await corio::sleep(1);
  co_return 2 * x;
}

corio::Coro<> refuse(std::string what) {
  co_await corio::sleep(1);
  throw std::runtime_error(what);
}

TEST_CASE("run_until_complete runs a loop of one's own until the awaitable is done, as often as asked", "[ch04]") {
  corio::Loop loop(corio_test::virtual_time());
  CHECK(loop.run_until_complete(slow_double(21)) == 42);
  CHECK(loop.time() == 1.0);
  CHECK_FALSE(loop.is_running());
  CHECK(loop.run_until_complete(slow_double(2)) == 4);
  CHECK(loop.time() == 2.0);
  CHECK_THROWS_WITH(loop.run_until_complete(refuse("no")), "no");
  CHECK(loop.time() == 3.0);
  corio::Future<std::string> answer(loop);
  loop.call_later(0.5, [&] { answer.set_result("later"); });
  CHECK(loop.run_until_complete(answer) == "later");
  CHECK(loop.time() == 3.5);
}

corio::Coro<> nested_run_until_complete(corio::Loop& loop, std::string& error) {
  try {
    loop.run_until_complete(slow_double(1));
  } catch (const corio::RuntimeError& e) {
    error = e.what();
  }
  co_return;
}

TEST_CASE("run_until_complete refuses a running loop, and a loop that stops before the end", "[ch04]") {
  Diagnostics diagnostics;  // the task left pending is reported when the loop goes
  corio::Loop loop(corio_test::virtual_time());
  std::string error;
  loop.run_until_complete(nested_run_until_complete(loop, error));
  CHECK_THAT(error, Catch::Matchers::StartsWith("This event loop is already running"));
  loop.call_later(0.5, [&] { loop.stop(); });
  CHECK_THROWS_WITH(loop.run_until_complete(slow_double(1)),
                    Catch::Matchers::StartsWith("Event loop stopped before Future completed."));
}

}  // namespace

namespace {

corio::Coro<corio::Future<int>> make_a_future() { co_return corio::Future<int>(); }

corio::Coro<int> await_it(corio::Future<int> future) { co_return co_await future; }

}  // namespace

TEST_CASE("a future made under one run() and awaited under another is refused: attached to a different loop",
          "[ch04]") {
  corio::Future<int> future = corio::run(make_a_future(), corio_test::virtual_time());
  CHECK_THROWS_AS(corio::run(await_it(future), corio_test::virtual_time()), corio::RuntimeError);
  CHECK_THROWS_WITH(corio::run(await_it(future), corio_test::virtual_time()),
                    Catch::Matchers::Contains("got Future attached to a different loop"));
}
