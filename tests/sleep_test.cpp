// @chapter 04
// sleep(): resumed exactly at its deadline on the virtual clock; sleep(0)
// (and any delay <= 0) only lets everything already queued run first.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <corio/corio.hpp>

#include "support/corio_test.hpp"

using namespace std::chrono_literals;

namespace {

corio::Coro<std::vector<double>> wake_times() {
  corio::Loop& loop = corio::get_running_loop();
  std::vector<double> times;
  co_await corio::sleep(1);
  times.push_back(loop.time());
  co_await corio::sleep(0.5);
  times.push_back(loop.time());
  co_await corio::sleep(2);
  times.push_back(loop.time());
  co_return times;
}

TEST_CASE("sleep resumes at exactly its deadline on the virtual clock", "[ch04]") {
  CHECK(corio::run(wake_times(), corio_test::virtual_time()) == std::vector<double>{1.0, 1.5, 3.5});
}

// The delay waits in the timer node's deadline until the timer is set, so
// a sleep's awaiter is the node, its loop and its waker: nothing for the
// delay. (The deadlines above show the delay survives until then.)
// @before 09
// TEST_CASE("a sleep's awaiter is its timer node and two words: the delay lives in the node", "[ch04]") {
//   CHECK(sizeof(corio::detail::SleepAwaiter) == sizeof(corio::detail::TimerNode) + 2 * sizeof(void*));
// }
// @end
// @since 09
// Chapter 09 adds one word: the awaiter's kind.
TEST_CASE("a sleep's awaiter is its timer node and three words: the delay lives in the node", "[ch09]") {
  CHECK(sizeof(corio::detail::SleepAwaiter) == sizeof(corio::detail::TimerNode) + 3 * sizeof(void*));
}
// @end

corio::Coro<double> tenths(int count) {
  for (int i = 0; i < count; ++i) co_await corio::sleep(0.1);
  co_return corio::get_running_loop().time();
}

TEST_CASE("ten sleeps of 0.1 s end at exactly 1.0 s: delays are counted in nanoseconds", "[ch04]") {
  CHECK(corio::run(tenths(10), corio_test::virtual_time()) == 1.0);
}

corio::Coro<std::vector<double>> chrono_sleeps() {
  corio::Loop& loop = corio::get_running_loop();
  std::vector<double> times;
  for (int i = 0; i < 4; ++i) co_await corio::sleep(250ms);
  times.push_back(loop.time());
  co_await corio::sleep(std::chrono::seconds(2));
  times.push_back(loop.time());
  co_await corio::sleep(1500us);
  times.push_back(loop.time());
  co_await corio::sleep(std::chrono::minutes(1));
  times.push_back(loop.time());
  co_return times;
}

TEST_CASE("sleep takes std::chrono durations", "[ch04]") {
  CHECK(corio::run(chrono_sleeps(), corio_test::virtual_time()) == std::vector<double>{1.0, 3.0, 3.0015, 63.0015});
}

// A callback that queues itself again `left` more times, so that each of its
// runs marks one loop iteration in the trace.
void tick(std::vector<std::string>& trace, int left) {
  trace.push_back("tick");
  if (left > 0) corio::get_running_loop().call_soon([&trace, left] { tick(trace, left - 1); });
}

template <class Delay>
corio::Coro<double> step_with(Delay delay, std::vector<std::string>& trace) {
  corio::get_running_loop().call_soon([&trace] { tick(trace, 2); });
  for (int i = 0; i < 3; ++i) {
    trace.push_back("step");
    co_await corio::sleep(delay);
  }
  co_return corio::get_running_loop().time();
}

const std::vector<std::string> kTakingTurns{"step", "tick", "step", "tick", "step", "tick"};

TEST_CASE("sleep(0) lets what is already queued run, then resumes, without moving the clock", "[ch04]") {
  std::vector<std::string> trace;
  CHECK(corio::run(step_with(0, trace), corio_test::virtual_time()) == 0.0);
  CHECK(trace == kTakingTurns);
}

TEST_CASE("a negative sleep acts like sleep(0)", "[ch04]") {
  std::vector<std::string> trace;
  SECTION("in seconds") { CHECK(corio::run(step_with(-1, trace), corio_test::virtual_time()) == 0.0); }
  SECTION("as a duration") { CHECK(corio::run(step_with(-5ms, trace), corio_test::virtual_time()) == 0.0); }
  CHECK(trace == kTakingTurns);
}

corio::Coro<> sleep_between_timers(std::vector<std::string>& trace) {
  corio::Loop& loop = corio::get_running_loop();
  for (double at : {3.0, 1.0, 2.0}) {
    loop.call_at(at, [&trace, &loop] { trace.push_back("timer at " + std::to_string(loop.time())); });
  }
  co_await corio::sleep(2);  // the same deadline as the timer at 2.0, which was set first
  trace.push_back("woke at " + std::to_string(loop.time()));
  co_await corio::sleep(2);
  trace.push_back("woke at " + std::to_string(loop.time()));
}

TEST_CASE("a sleeping coroutine wakes in deadline order among timers, ties in the order they were set", "[ch04]") {
  std::vector<std::string> trace;
  corio::run(sleep_between_timers(trace), corio_test::virtual_time());
  CHECK(trace == std::vector<std::string>{"timer at 1.000000", "timer at 2.000000", "woke at 2.000000",
                                          "timer at 3.000000", "woke at 4.000000"});
}

corio::Coro<> sleep_nan() { co_await corio::sleep(std::nan("")); }

TEST_CASE("sleep(NaN) throws InvalidArgument", "[ch04]") {
  CHECK_THROWS_AS(corio::run(sleep_nan(), corio_test::virtual_time()), corio::InvalidArgument);
}

// A sleep(0) with nothing else ready goes on at once: the loop's next
// iteration would have resumed it and done nothing else. What that
// iteration would have done besides must still happen: a stop() asked for,
// a timer fallen due, the poll of a watched fd (every 61st iteration while
// work is queued). The counts below are the loop's own, one yield an
// iteration.
corio::Coro<> yield_then_stop(corio::Loop& loop, int& yields) {
  while (yields < 100) {
    if (++yields == 5) loop.stop();
    co_await corio::sleep(0);
  }
}

TEST_CASE("a coroutine yielding alone still stops the loop after the iteration it asked stop() in", "[ch04]") {
  corio_test::Diagnostics diagnostics;  // from chapter 05 the coroutine is a task, left pending and reported
  corio::Loop loop(corio_test::virtual_time());
  int yields = 0;
  CHECK_THROWS_WITH(loop.run_until_complete(yield_then_stop(loop, yields)),
                    Catch::Matchers::StartsWith("Event loop stopped before Future completed."));
  CHECK(yields == 5);
}

corio::Coro<int> yield_until(const bool& flag) {
  int yields = 0;
  while (!flag && yields < 1000) {
    co_await corio::sleep(0);
    ++yields;
  }
  co_return yields;
}

// A timer due at once, then yields until it ran: the iteration after the
// first yield moves it to the ready queue behind the yielder.
corio::Coro<int> set_timer_then_yield(corio::Loop& loop) {
  bool fired = false;
  loop.call_at(loop.time(), [&fired] { fired = true; });
  co_return co_await yield_until(fired);
}

TEST_CASE("a coroutine yielding alone lets a timer that falls due run at the next iteration", "[ch04]") {
  corio::Loop loop(corio_test::virtual_time());
  CHECK(loop.run_until_complete(set_timer_then_yield(loop)) == 2);
}

// The yields between the first read of an fd that stays readable and the
// second: the loop polls once every 61 iterations while work is queued.
corio::Coro<int> yields_between_reads(const int& reads) {
  int yields = 0;
  for (int i = 0; reads < 2 && i < 1000; ++i) {
    co_await corio::sleep(0);
    if (reads == 1) ++yields;
  }
  co_return yields;
}

TEST_CASE("a coroutine yielding alone lets the loop poll a watched fd every 61st iteration", "[ch04]") {
  corio::Loop loop(corio_test::virtual_time());
  corio_test::Pipe pipe;
  pipe.put();
  int reads = 0;
  loop.add_reader(pipe.read_end, [&] { ++reads; });
  CHECK(loop.run_until_complete(yields_between_reads(reads)) == 61);
  loop.remove_reader(pipe.read_end);
}

// @since 05
corio::Coro<> take_turns(std::string name, std::vector<std::string>& trace) {
  for (int i = 0; i < 3; ++i) {
    trace.push_back(name + std::to_string(i));
    co_await corio::sleep(0);
  }
}

corio::Coro<> two_in_turns(std::vector<std::string>& trace) {
  corio::Task<> a = corio::create_task(take_turns("a", trace));
  corio::Task<> b = corio::create_task(take_turns("b", trace));
  co_await a;
  co_await b;
}

TEST_CASE("two coroutines that sleep(0) take turns", "[ch05]") {
  std::vector<std::string> trace;
  corio::run(two_in_turns(trace), corio_test::virtual_time());
  CHECK(trace == std::vector<std::string>{"a0", "b0", "a1", "b1", "a2", "b2"});
}

corio::Coro<> sleeper(std::string name, double delay, std::vector<std::string>& trace) {
  co_await corio::sleep(delay);
  trace.push_back(name + " at " + std::to_string(corio::get_running_loop().time()));
}

corio::Coro<> many_sleepers(std::vector<std::string>& trace) {
  std::vector<corio::Task<>> tasks;
  tasks.push_back(corio::create_task(sleeper("three", 3, trace)));
  tasks.push_back(corio::create_task(sleeper("one", 1, trace)));
  tasks.push_back(corio::create_task(sleeper("two, first", 2, trace)));
  tasks.push_back(corio::create_task(sleeper("half", 0.5, trace)));
  tasks.push_back(corio::create_task(sleeper("two, second", 2, trace)));
  for (corio::Task<>& t : tasks) co_await t;
}

TEST_CASE("several sleepers wake in deadline order, equal deadlines in the order they slept", "[ch05]") {
  std::vector<std::string> trace;
  corio::run(many_sleepers(trace), corio_test::virtual_time());
  CHECK(trace == std::vector<std::string>{"half at 0.500000", "one at 1.000000", "two, first at 2.000000",
                                          "two, second at 2.000000", "three at 3.000000"});
}
// @end

}  // namespace

namespace {

// Sleeps for `delay` once one second has passed (so now() is not 0) and
// returns when it woke; callbacks meanwhile tick every second for three.
template <class Duration>
corio::Coro<double> huge_sleep(Duration delay, std::vector<double>& ticks) {
  corio::Loop& loop = corio::get_running_loop();
  for (int i = 1; i <= 3; ++i) loop.call_later(i, [&] { ticks.push_back(loop.time()); });
  co_await corio::sleep(1);
  co_await corio::sleep(delay);
  co_return loop.time();
}

template <class Duration>
void check_huge_sleep(Duration delay) {
  std::vector<double> ticks;
  double woke = corio::run(huge_sleep(delay, ticks), corio_test::virtual_time());
  CHECK(ticks == std::vector<double>{1.0, 2.0, 3.0});
  // Forever is a hundred years; an overflowed deadline would have woken it at once.
  CHECK(woke == 1.0 + std::chrono::duration<double>(corio::detail::kForever).count());
}

}  // namespace

TEST_CASE("sleep(nanoseconds::max()) and sleep(hours::max()) last a hundred years while other work runs", "[ch04]") {
  check_huge_sleep(std::chrono::nanoseconds::max());
  check_huge_sleep(std::chrono::hours::max());
  check_huge_sleep(std::chrono::duration<double>(1e300));
  check_huge_sleep(std::numeric_limits<double>::infinity());
}
