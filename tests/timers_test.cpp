// @chapter 02
// Timers: call_later and call_at, their order, cancelling them, and the two
// clocks. Everything about time is asserted on the virtual clock, exactly;
// the one real-clock test checks only a lower bound, which cannot flake.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <corio/errors.hpp>
#include <corio/loop/loop.hpp>

#include "support/corio_test.hpp"

using Catch::Matchers::Contains;
using corio_test::Life;
using corio_test::Lives;

namespace {

// Runs iterations until done() holds. A loop left with nothing to wait for
// throws instead of hanging, so a test that would never finish fails.
template <class Done>
void run_until(corio::Loop& loop, Done done) {
  while (!done()) loop.run_once();
}

}  // namespace

TEST_CASE("call_later callbacks run in the order of their deadlines", "[ch02]") {
  corio::Loop loop(corio_test::virtual_time());
  std::vector<std::pair<int, double>> fired;
  for (int ms : {300, 100, 200, 50}) {
    loop.call_later(ms / 1000.0, [&fired, &loop, ms] { fired.emplace_back(ms, loop.time()); });
  }
  run_until(loop, [&] { return fired.size() == 4; });
  CHECK(fired == std::vector<std::pair<int, double>>{{50, 0.05}, {100, 0.1}, {200, 0.2}, {300, 0.3}});
}

TEST_CASE("timers with equal deadlines run in the order they were scheduled", "[ch02]") {
  corio::Loop loop(corio_test::virtual_time());
  std::vector<int> fired;
  loop.call_later(1.0, [&] { fired.push_back(1); });
  loop.call_at(1.0, [&] { fired.push_back(2); });
  loop.call_later(0.5, [&] { fired.push_back(0); });
  loop.call_later(1.0, [&] { fired.push_back(3); });
  loop.call_at(1.0, [&] { fired.push_back(4); });
  run_until(loop, [&] { return fired.size() == 5; });
  CHECK(fired == std::vector<int>{0, 1, 2, 3, 4});
  CHECK(loop.time() == 1.0);
}

// asyncio's TimerHandle compares only `when` and heapq is not stable: the same
// eight call_at()s fire 0, 2, 6, 5, 7, 1, 3, 4 on CPython 3.11.
TEST_CASE("eight timers of one deadline run in the order they were scheduled, not asyncio's heap order", "[ch02]") {
  corio::Loop loop(corio_test::virtual_time());
  std::vector<int> fired;
  for (int i = 0; i < 8; ++i) {
    loop.call_at(1.0, [&fired, i] { fired.push_back(i); });
  }
  run_until(loop, [&] { return fired.size() == 8; });
  CHECK(fired == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7});
}

TEST_CASE("timers due in the same iteration run after what was already ready", "[ch02]") {
  corio::Loop loop(corio_test::virtual_time());
  std::vector<std::string> trace;
  loop.call_later(0, [&] { trace.push_back("timer"); });
  loop.call_soon([&] { trace.push_back("soon"); });
  loop.run_once();
  CHECK(trace == std::vector<std::string>{"soon", "timer"});
}

TEST_CASE("call_at runs the callback at the given time of the loop's clock", "[ch02]") {
  corio::Loop loop(corio_test::virtual_time());
  CHECK(loop.time() == 0.0);  // a virtual loop starts at 0.0
  double at = -1;
  corio::TimerHandle h = loop.call_at(2.0, [&] { at = loop.time(); });
  CHECK(h.when() == 2.0);
  run_until(loop, [&] { return at >= 0; });
  CHECK(at == 2.0);
  // when() is absolute: a call_later made at 2.0 for 0.5 s is due at 2.5.
  CHECK(loop.call_later(0.5, [] {}).when() == 2.5);
}

TEST_CASE("call_at with a time already past runs on the next iteration", "[ch02]") {
  corio::Loop loop(corio_test::virtual_time());
  loop.call_later(3.0, [] {});
  loop.run_once();
  REQUIRE(loop.time() == 3.0);
  bool ran = false;
  loop.call_at(1.0, [&] { ran = true; });
  CHECK_FALSE(ran);
  loop.run_once();
  CHECK(ran);
  CHECK(loop.time() == 3.0);
}

TEST_CASE("a cancelled timer does not run and the loop does not wait for it", "[ch02]") {
  corio::Loop loop(corio_test::virtual_time());
  std::vector<std::string> fired;
  corio::TimerHandle late = loop.call_later(5.0, [&] { fired.push_back("late"); });
  loop.call_later(1.0, [&] { fired.push_back("early"); });
  CHECK(late.when() == 5.0);
  late.cancel();
  CHECK(late.cancelled());
  run_until(loop, [&] { return fired.size() == 1; });
  CHECK(fired == std::vector<std::string>{"early"});
  CHECK(loop.time() == 1.0);
  // Nothing is left to wait for: the cancelled timer is gone from the heap.
  CHECK_THROWS_WITH(loop.run_once(), Contains("would wait forever"));
  CHECK(loop.time() == 1.0);
}

TEST_CASE("cancelling the only timer leaves the virtual clock where it was", "[ch02]") {
  corio::Loop loop(corio_test::virtual_time());
  bool ran = false;
  corio::TimerHandle h = loop.call_later(10.0, [&] { ran = true; });
  h.cancel();
  h.cancel();  // twice is harmless
  int soon = 0;
  loop.call_soon([&] { ++soon; });
  loop.run_once();
  CHECK(soon == 1);
  CHECK_FALSE(ran);
  CHECK(loop.time() == 0.0);
}

TEST_CASE("a cancelled timer's callback is destroyed once the handle goes, without the loop running", "[ch02]") {
  Lives lives;
  corio::Loop loop(corio_test::virtual_time());
  {
    corio::TimerHandle h = loop.call_later(1.0, [life = Life(lives)] {});
    CHECK(lives.alive() == 1);
    h.cancel();
    CHECK(lives.alive() == 1);  // the handle still holds it
  }
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
}

TEST_CASE("a timer cancelled after it came due, before it ran, does not run", "[ch02]") {
  corio::Loop loop(corio_test::virtual_time());
  std::vector<std::string> fired;
  corio::TimerHandle second;
  loop.call_later(1.0, [&] {
    fired.push_back("first");
    second.cancel();  // already moved to the ready queue in this iteration
  });
  second = loop.call_later(1.0, [&] { fired.push_back("second"); });
  loop.call_later(2.0, [&] { fired.push_back("third"); });
  run_until(loop, [&] { return loop.time() == 2.0 && fired.size() >= 2; });
  CHECK(fired == std::vector<std::string>{"first", "third"});
}

TEST_CASE("timers still pending when the loop is destroyed are destroyed exactly once", "[ch02]") {
  Lives lives;
  int runs = 0;
  corio::TimerHandle outlives_loop;
  {
    corio::Loop loop(corio_test::virtual_time());
    loop.call_later(1.0, [&runs, life = Life(lives)] { ++runs; });
    loop.call_at(2.0, [&runs, life = Life(lives)] { ++runs; });
    outlives_loop = loop.call_later(3.0, [&runs, life = Life(lives)] { ++runs; });
    corio::TimerHandle cancelled = loop.call_later(4.0, [&runs, life = Life(lives)] { ++runs; });
    cancelled.cancel();
    CHECK(lives.alive() == 4);
  }
  CHECK(runs == 0);
  CHECK(lives.alive() == 1);  // the handle keeps its callback until it goes
  CHECK(outlives_loop.when() == 3.0);
  outlives_loop.cancel();  // harmless once the loop is gone
  outlives_loop = corio::TimerHandle();
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
}

TEST_CASE("cancelling a timer that already ran does nothing", "[ch02]") {
  corio::Loop loop(corio_test::virtual_time());
  int runs = 0;
  corio::TimerHandle h = loop.call_later(1.0, [&] { ++runs; });
  run_until(loop, [&] { return runs == 1; });
  h.cancel();
  loop.call_later(1.0, [&] { ++runs; });
  run_until(loop, [&] { return runs == 2; });
  CHECK(loop.time() == 2.0);
}

TEST_CASE("cancelling a random half of 1000 timers keeps the rest in deadline order", "[ch02]") {
  corio::Loop loop(corio_test::virtual_time());
  std::mt19937 random(20240601);
  // Whole milliseconds up to 0.2 s, so many deadlines tie.
  std::uniform_int_distribution<int> deadline_ms(0, 200);
  struct Timer {
    int ms;
    corio::TimerHandle handle;
    bool cancelled = false;
  };
  std::vector<Timer> timers(1000);
  std::vector<std::size_t> fired;
  std::vector<double> fired_at;
  for (std::size_t i = 0; i < timers.size(); ++i) {
    timers[i].ms = deadline_ms(random);
    timers[i].handle = loop.call_later(timers[i].ms / 1000.0, [&, i] {
      fired.push_back(i);
      fired_at.push_back(loop.time());
    });
  }
  std::vector<std::size_t> order(timers.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), random);
  for (std::size_t k = 0; k < order.size() / 2; ++k) {
    timers[order[k]].handle.cancel();
    timers[order[k]].cancelled = true;
  }

  std::vector<std::size_t> expected;
  for (std::size_t i = 0; i < timers.size(); ++i) {
    if (!timers[i].cancelled) expected.push_back(i);
  }
  // By deadline; equal deadlines in the order they were scheduled.
  std::stable_sort(expected.begin(), expected.end(),
                   [&](std::size_t a, std::size_t b) { return timers[a].ms < timers[b].ms; });

  run_until(loop, [&] { return fired.size() == expected.size(); });
  CHECK(fired == expected);
  for (std::size_t k = 0; k < fired.size(); ++k) {
    if (fired_at[k] != timers[fired[k]].ms / 1000.0) {
      FAIL("timer " << fired[k] << " fired at " << fired_at[k] << ", due at " << timers[fired[k]].ms / 1000.0);
    }
  }
  CHECK_THROWS_WITH(loop.run_once(), Contains("would wait forever"));  // no cancelled timer is left behind
}

TEST_CASE("a negative or zero delay runs on the next iteration, not inline", "[ch02]") {
  corio::Loop loop(corio_test::virtual_time());
  std::vector<std::string> fired;
  loop.call_later(-1.0, [&] { fired.push_back("negative"); });
  loop.call_later(0.0, [&] { fired.push_back("zero"); });
  loop.call_later(-std::numeric_limits<double>::infinity(), [&] { fired.push_back("-inf"); });
  CHECK(fired.empty());
  loop.run_once();
  CHECK(fired == std::vector<std::string>{"-inf", "negative", "zero"});
  CHECK(loop.time() == 0.0);  // and time did not move backwards
}

TEST_CASE("a NaN delay or time throws InvalidArgument and schedules nothing", "[ch02]") {
  Lives lives;
  corio::Loop loop(corio_test::virtual_time());
  double nan = std::nan("");
  CHECK_THROWS_AS(loop.call_later(nan, [life = Life(lives)] {}), corio::InvalidArgument);
  CHECK_THROWS_WITH(loop.call_later(nan, [life = Life(lives)] {}), Contains("call_later") && Contains("NaN"));
  CHECK_THROWS_WITH(loop.call_at(nan, [life = Life(lives)] {}), Contains("call_at") && Contains("NaN"));
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
  CHECK_THROWS_WITH(loop.run_once(), Contains("would wait forever"));
}

TEST_CASE("an infinite delay is accepted and never comes due in practice", "[ch02]") {
  corio::Loop loop(corio_test::virtual_time());
  bool ran = false;
  corio::TimerHandle h = loop.call_later(std::numeric_limits<double>::infinity(), [&] { ran = true; });
  CHECK(h.when() > 1e9);
  int soon = 0;
  loop.call_soon([&] { ++soon; });
  loop.run_once();
  CHECK(soon == 1);
  CHECK_FALSE(ran);
  h.cancel();
}

TEST_CASE("on the virtual clock a 2.5 s timer fires at exactly 2.5 s, at once", "[ch02]") {
  corio::Loop loop(corio_test::virtual_time());
  REQUIRE(loop.virtual_clock());
  double fired_at = -1;
  auto start = std::chrono::steady_clock::now();
  loop.call_later(2.5, [&] { fired_at = loop.time(); });
  run_until(loop, [&] { return fired_at >= 0; });
  CHECK(fired_at == 2.5);
  CHECK(loop.time() == 2.5);
  // A generous upper bound: the point is that nobody waited 2.5 s.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

TEST_CASE("the virtual clock does not jump while callbacks are ready", "[ch02]") {
  corio::Loop loop(corio_test::virtual_time());
  std::vector<double> times;
  int steps = 0;
  double timer_at = -1;
  int steps_before_timer = -1;
  loop.call_later(1.0, [&] {
    timer_at = loop.time();
    steps_before_timer = steps;
  });
  struct Step {
    corio::Loop* loop;
    int* steps;
    std::vector<double>* times;
    void operator()() const {
      times->push_back(loop->time());
      if (++*steps < 100) loop->call_soon(*this);
    }
  };
  loop.call_soon(Step{&loop, &steps, &times});
  run_until(loop, [&] { return timer_at >= 0; });
  CHECK(steps_before_timer == 100);
  CHECK(std::all_of(times.begin(), times.end(), [](double t) { return t == 0.0; }));
  CHECK(timer_at == 1.0);
}

TEST_CASE("the virtual clock jumps from deadline to deadline, not further", "[ch02]") {
  corio::Loop loop(corio_test::virtual_time());
  std::vector<double> seen;
  loop.call_later(1.0, [&] {
    seen.push_back(loop.time());
    loop.call_later(0.25, [&] { seen.push_back(loop.time()); });
  });
  loop.call_later(3.0, [&] { seen.push_back(loop.time()); });
  run_until(loop, [&] { return seen.size() == 3; });
  CHECK(seen == std::vector<double>{1.0, 1.25, 3.0});
}

TEST_CASE("on the real clock a 10 ms timer fires no earlier than 10 ms later", "[ch02]") {
  corio::Loop loop({.poller = std::nullopt, .clock = corio::ClockKind::Real});
  REQUIRE_FALSE(loop.virtual_clock());
  auto start = std::chrono::steady_clock::now();
  double scheduled = loop.time();
  bool fired = false;
  std::chrono::steady_clock::time_point fired_at;
  double fired_time = 0;
  loop.call_later(0.010, [&] {
    fired = true;
    fired_at = std::chrono::steady_clock::now();
    fired_time = loop.time();
  });
  run_until(loop, [&] { return fired; });
  CHECK(fired_at - start >= std::chrono::milliseconds(10));
  CHECK(fired_time - scheduled >= 0.010 - 1e-9);  // 1 ns: the seconds are doubles
}

TEST_CASE("an empty TimerHandle's when() throws RuntimeError; its cancel() does nothing", "[ch02]") {
  corio::Loop loop(corio_test::virtual_time());
  corio::TimerHandle empty;
  corio::TimerHandle armed = loop.call_later(2, [] {});
  corio::TimerHandle taken = std::move(armed);
  CHECK_THROWS_WITH(empty.when(), "TimerHandle::when: this TimerHandle is empty (default-constructed or moved from): "
                                  "no timer is behind it");
  CHECK_THROWS_AS(armed.when(), corio::RuntimeError);
  empty.cancel();
  armed.cancel();
  CHECK(taken.when() == 2.0);
}
