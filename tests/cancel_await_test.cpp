// @chapter 09
// Cancelling a task that awaits another task or a plain future: the
// cancellation is passed on to what it awaits, and the awaiting task waits
// for that to end; await cycles end instead of recursing.
#include <catch2/catch.hpp>

#include <cstdint>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <corio/corio.hpp>

#include "support/cancel_helpers.hpp"
#include "support/corio_test.hpp"

using corio_test::Diagnostics;
using corio_test::Life;
using corio_test::Lives;
using corio_test::Trace;
using corio_test::now;
using corio_test::tick;
using corio_test::ended_cancelled;

namespace {

// Catches the cancellation, tidies up for two seconds, and lets it go on.
corio::Coro<int> tidy_up_then_stop(Lives& lives, Trace& trace) {
  Life life(lives);
  bool cancelled = false;
  try {
    co_await corio::sleep(10);
  } catch (const corio::CancelledError&) {
    cancelled = true;
  }
  if (cancelled) {
    co_await corio::sleep(2);
    trace.push_back("inner tidied up");
    throw corio::CancelledError();
  }
  co_return 1;
}

corio::Coro<int> await_inner(corio::Task<int> inner) { co_return co_await inner; }

corio::Coro<> cancel_the_outer_task(Lives& lives, Trace& trace) {
  corio::Task<int> inner = corio::create_task(tidy_up_then_stop(lives, trace));
  corio::Task<int> outer = corio::create_task(await_inner(inner));
  co_await corio::sleep(1);
  CHECK(outer.cancel());
  CHECK(inner.cancelling() == 1);  // passed on at once
  co_await corio::sleep(1);
  CHECK_FALSE(outer.done());  // the outer task waits for the inner one to finish
  bool cancelled = co_await ended_cancelled(outer);
  CHECK(cancelled);
  CHECK(now() == 3.0);
  CHECK(inner.cancelled());
  CHECK(outer.cancelled());
  CHECK(trace == Trace{"inner tidied up"});
}

TEST_CASE("cancelling a task that awaits another task cancels the inner one and waits for it to end", "[ch09]") {
  Lives lives;
  Trace trace;
  corio::run(cancel_the_outer_task(lives, trace), corio_test::virtual_time());
  CHECK(lives.made == 1);
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
}

corio::Coro<int> answer_anyway(std::string& message) {
  bool cancelled = false;
  try {
    co_await corio::sleep(10);
  } catch (const corio::CancelledError& e) {
    cancelled = true;
    message = e.message();
  }
  if (cancelled) co_await corio::sleep(1);
  co_return cancelled ? 5 : 1;
}

corio::Coro<> outer_gets_the_inner_value(std::string& message) {
  corio::Task<int> inner = corio::create_task(answer_anyway(message));
  corio::Task<int> outer = corio::create_task(await_inner(inner));
  co_await corio::sleep(1);
  CHECK(outer.cancel("stop"));
  int value = co_await outer;
  CHECK(value == 5);
  CHECK(now() == 2.0);
  CHECK_FALSE(outer.cancelled());
  CHECK_FALSE(inner.cancelled());
  CHECK(outer.cancelling() == 1);
  CHECK(inner.cancelling() == 1);
}

TEST_CASE("an inner task that catches the cancellation and returns gives the awaiting task its value", "[ch09]") {
  std::string message;
  corio::run(outer_gets_the_inner_value(message), corio_test::virtual_time());
  CHECK(message == "stop");  // the message went on to the inner task
}

corio::Coro<int> await_future(corio::Future<int> future) { co_return co_await future; }

corio::Coro<> cancel_a_future_waiter() {
  corio::Future<int> future;
  corio::Task<int> task = corio::create_task(await_future(future));
  co_await tick();
  CHECK(task.cancel("no longer needed"));
  CHECK(future.cancelled());  // at once: a future has nothing to run
  std::string message;
  try {
    co_await task;
  } catch (const corio::CancelledError& e) {
    message = e.message();
  }
  CHECK(task.cancelled());
  CHECK(message == "no longer needed");
}

TEST_CASE("cancelling a task that awaits a plain future cancels the future", "[ch09]") {
  corio::run(cancel_a_future_waiter(), corio_test::virtual_time());
}

// ---------------------------------------------------------------- await cycles

corio::Coro<int> await_task(corio::Task<int>& task) {
  co_await tick();
  co_return co_await task;
}

// @since 10
corio::Coro<std::string> a_task_awaiting_itself() {
  corio::Task<int> me;
  me = corio::create_task(await_task(me));
  try {
    co_await corio::wait_for(me, 10);  // bounded: before the fix this hung, or recursed when cancelled
  } catch (const corio::RuntimeError& e) {
    co_return e.what() + std::string(" at ") + std::to_string(now());
  }
  co_return "no error";
}

TEST_CASE("a task awaiting itself gets RuntimeError at once: \"Task cannot await on itself\"", "[ch10]") {
  std::string got = corio::run(a_task_awaiting_itself(), corio_test::virtual_time());
  CHECK_THAT(got, Catch::Matchers::StartsWith("Task cannot await on itself: task 'Task-"));
  CHECK_THAT(got, Catch::Matchers::Contains("(coroutine 'await_task')"));
  CHECK_THAT(got, Catch::Matchers::EndsWith(" at 0.000000"));
}
// @end

corio::Coro<Trace> an_await_cycle_cancelled() {
  corio::Task<int> a;
  corio::Task<int> b;
  a = corio::create_task(await_task(b));
  b = corio::create_task(await_task(a));
  co_await tick();
  co_await tick();  // a awaits b, and b awaits a
  Trace trace;
  trace.push_back(a.cancel() ? "asked" : "refused");
  bool a_cancelled = co_await ended_cancelled(a);
  bool b_cancelled = co_await ended_cancelled(b);
  trace.push_back(std::string(a_cancelled ? "a cancelled" : "a not cancelled") + ", " +
                  (b_cancelled ? "b cancelled" : "b not cancelled") + " at " + std::to_string(now()));
  co_return trace;
}

TEST_CASE("cancelling a task in an await cycle (a awaits b awaits a) ends both, instead of recursing forever",
          "[ch09]") {
  CHECK(corio::run(an_await_cycle_cancelled(), corio_test::virtual_time()) ==
        Trace{"asked", "a cancelled, b cancelled at 0.000000"});
}

}  // namespace
