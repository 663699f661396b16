// @chapter 09
// Cancellation as asyncio has it: cancel() asks, and CancelledError arrives
// where the task waits, on a later iteration; the task may catch it and go
// on; awaiting another task passes the cancellation on; every awaiter lets
// go of what it held and leaves nothing hooked; run() cancels what main left
// behind and lets it finish. Everything on the virtual clock, exactly.
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

#include "support/corio_test.hpp"

using corio_test::Diagnostics;
using corio_test::Life;
using corio_test::Lives;

namespace {

using Trace = std::vector<std::string>;

double now() { return corio::get_running_loop().time(); }

// Lets one loop iteration pass: whatever was queued before runs first.
auto tick() { return corio::sleep(0); }

// Awaits a task that may end cancelled, and says whether it did.
template <class T>
corio::Coro<bool> ended_cancelled(corio::Task<T> task) {
  bool cancelled = false;
  try {
    co_await task;
  } catch (const corio::CancelledError&) {
    cancelled = true;
  }
  co_return cancelled;
}

corio::Coro<> sleep_and_trace(double seconds, Trace& trace) {
  try {
    co_await corio::sleep(seconds);
    trace.push_back("woke");
  } catch (const corio::CancelledError&) {
    trace.push_back("cancelled");
    throw;
  }
}

// ---------------------------------------------------------------- cancel() asks

corio::Coro<int> answer() { co_return 42; }

corio::Coro<> cancel_after_the_end() {
  corio::Task<int> task = corio::create_task(answer());
  int value = co_await task;
  CHECK(value == 42);
  CHECK_FALSE(task.cancel());
  CHECK_FALSE(task.cancelled());
  CHECK(task.cancelling() == 0);
  CHECK(task.result() == 42);
}

TEST_CASE("cancel() on a task that is done returns false and changes nothing", "[ch09]") {
  corio::run(cancel_after_the_end(), corio_test::virtual_time());
}

corio::Coro<> cancel_is_a_request(Trace& trace) {
  corio::Task<> task = corio::create_task(sleep_and_trace(10, trace));
  co_await corio::sleep(1);  // the task sleeps now
  CHECK(task.cancel());
  CHECK_FALSE(task.done());  // nothing happened yet: cancel() only asked
  CHECK(trace.empty());
  CHECK(task.cancelling() == 1);
  co_await tick();  // the task's step, queued by cancel(), runs first
  CHECK(task.done());
  CHECK(task.cancelled());
  CHECK(trace == Trace{"cancelled"});
  CHECK(now() == 1.0);  // at once, not when the sleep would have ended
}

TEST_CASE("cancel() is a request: CancelledError reaches the task at its await on the next iteration", "[ch09]") {
  Trace trace;
  corio::run(cancel_is_a_request(trace), corio_test::virtual_time());
  CHECK(trace == Trace{"cancelled"});
}

corio::Coro<int> body_with_a_life(Lives& lives) {
  Life life(lives);
  co_await tick();
  co_return 1;
}

corio::Coro<> cancel_before_the_first_step(Lives& lives) {
  corio::Task<int> task = corio::create_task(body_with_a_life(lives));
  CHECK(task.cancel());
  CHECK_FALSE(task.done());
  co_await tick();  // the task's first step: it ends there
  CHECK(task.done());
  CHECK(task.cancelled());
  CHECK(lives.made == 0);  // its body never ran
  bool cancelled = co_await ended_cancelled(task);
  CHECK(cancelled);
}

TEST_CASE("a task cancelled before its first step ends without running its body", "[ch09]") {
  Lives lives;
  corio::run(cancel_before_the_first_step(lives), corio_test::virtual_time());
  CHECK(lives.made == 0);
}

corio::Coro<int> shrug_off_the_cancel(std::vector<double>& caught_at) {
  bool cancelled = false;
  try {
    co_await corio::sleep(10);
  } catch (const corio::CancelledError&) {
    cancelled = true;
  }
  if (cancelled) caught_at.push_back(now());
  co_await corio::sleep(1);  // and goes on: the next wait is an ordinary one
  co_return 7;
}

corio::Coro<> cancel_a_task_that_goes_on(std::vector<double>& caught_at) {
  corio::Task<int> task = corio::create_task(shrug_off_the_cancel(caught_at));
  co_await corio::sleep(1);
  CHECK(task.cancel());
  int value = co_await task;
  CHECK(value == 7);
  CHECK_FALSE(task.cancelled());
  CHECK(task.cancelling() == 1);  // the request still counts, as in asyncio
  CHECK(now() == 2.0);
}

TEST_CASE("a task that catches CancelledError goes on, returns its value, and is not cancelled", "[ch09]") {
  std::vector<double> caught_at;
  corio::run(cancel_a_task_that_goes_on(caught_at), corio_test::virtual_time());
  CHECK(caught_at == std::vector<double>{1.0});
}

corio::Coro<int> take_the_cancel_back(std::vector<std::uint32_t>& seen) {
  bool cancelled = false;
  try {
    co_await corio::sleep(10);
  } catch (const corio::CancelledError&) {
    cancelled = true;
  }
  corio::AnyTask self = corio::current_task();
  seen.push_back(self.cancelling());
  if (cancelled) seen.push_back(self.uncancel());
  co_await corio::sleep(1);
  co_return 3;
}

corio::Coro<> count_requests(std::vector<std::uint32_t>& seen) {
  corio::Task<int> task = corio::create_task(take_the_cancel_back(seen));
  co_await corio::sleep(1);
  CHECK(task.cancel());
  CHECK(task.cancel());
  CHECK(task.cancelling() == 2);
  CHECK(task.uncancel() == 1);  // one request is still standing: the task is still cancelled
  CHECK(task.cancelling() == 1);
  int value = co_await task;
  CHECK(value == 3);
  CHECK_FALSE(task.cancelled());
  CHECK(task.cancelling() == 0);
  CHECK(task.uncancel() == 0);  // never below zero
  CHECK(now() == 2.0);
}

TEST_CASE("cancelling() counts the cancel() requests and uncancel() takes them back one at a time", "[ch09]") {
  std::vector<std::uint32_t> seen;
  corio::run(count_requests(seen), corio_test::virtual_time());
  CHECK(seen == std::vector<std::uint32_t>{1, 0});
}

corio::Coro<> cancel_and_take_back_before_the_first_step(Lives& lives) {
  corio::Task<int> task = corio::create_task(body_with_a_life(lives));
  CHECK(task.cancel());
  CHECK(task.uncancel() == 0);
  int value = co_await task;
  CHECK(value == 1);
  CHECK_FALSE(task.cancelled());
}

TEST_CASE("a task cancelled and uncancelled before its first step runs its body (Python 3.13)", "[ch09]") {
  Lives lives;
  corio::run(cancel_and_take_back_before_the_first_step(lives), corio_test::virtual_time());
  CHECK(lives.made == 1);
  CHECK(lives.alive() == 0);
}

// asyncio: the sleep's future is cancelled by cancel(), so CancelledError is
// thrown at that await whatever uncancel() does afterwards.
corio::Coro<> cancel_and_take_back_a_sleep(Trace& trace) {
  corio::Task<> task = corio::create_task(sleep_and_trace(10, trace));
  co_await corio::sleep(1);
  CHECK(task.cancel());
  CHECK(task.uncancel() == 0);
  bool cancelled = co_await ended_cancelled(task);
  CHECK(cancelled);
  CHECK(trace == Trace{"cancelled"});
}

TEST_CASE("a sleep that let go for a cancel() still throws CancelledError after uncancel()", "[ch09]") {
  Trace trace;
  corio::run(cancel_and_take_back_a_sleep(trace), corio_test::virtual_time());
  CHECK(trace == Trace{"cancelled"});
}

corio::Coro<> acquire_and_release(corio::Semaphore& sem, Trace& trace) {
  try {
    co_await sem.acquire();
  } catch (const corio::CancelledError&) {
    trace.push_back("cancelled");
    throw;
  }
  trace.push_back("acquired");
  sem.release();
}

corio::Coro<> cancel_and_take_back_an_acquire(corio::Semaphore& sem, Trace& trace) {
  corio::Task<> task = corio::create_task(acquire_and_release(sem, trace));
  co_await tick();  // it waits: no permit is free
  CHECK(task.cancel());
  CHECK(task.uncancel() == 0);
  co_await ended_cancelled(task);
}

TEST_CASE("a semaphore waiter that left the line for a cancel() gets no permit after uncancel()", "[ch09]") {
  corio::Semaphore sem(0);
  Trace trace;
  corio::run(cancel_and_take_back_an_acquire(sem, trace), corio_test::virtual_time());
  CHECK(trace == Trace{"cancelled"});
  CHECK(sem.value() == 0);  // nobody ever released: no permit may appear
}

// ---------------------------------------------------------------- messages, results, reports

corio::Coro<> keep_the_message(std::string& message, std::string& what) {
  try {
    co_await corio::sleep(10);
  } catch (const corio::CancelledError& e) {
    message = e.message();
    what = e.what();
    throw;
  }
}

corio::Coro<> cancel_with_a_message(std::string& message, std::string& what) {
  corio::Task<> task = corio::create_task(keep_the_message(message, what));
  co_await tick();
  CHECK(task.cancel("shutting down"));
  std::string seen_outside;
  try {
    co_await task;
  } catch (const corio::CancelledError& e) {
    seen_outside = e.message();
  }
  CHECK(seen_outside == "shutting down");
}

TEST_CASE("the message given to cancel() reaches CancelledError::message()", "[ch09]") {
  std::string message;
  std::string what;
  corio::run(cancel_with_a_message(message, what), corio_test::virtual_time());
  CHECK(message == "shutting down");
  CHECK(what == "shutting down");
}

corio::Coro<> results_of_a_cancelled_task() {
  Trace trace;
  corio::Task<> task = corio::create_task(sleep_and_trace(10, trace));
  co_await tick();
  task.cancel("why");
  co_await tick();
  REQUIRE(task.cancelled());
  CHECK_THROWS_AS(task.result(), corio::CancelledError);
  CHECK_THROWS_AS(task.exception(), corio::CancelledError);
  std::string message;
  try {
    task.result();
  } catch (const corio::CancelledError& e) {
    message = e.message();
  }
  CHECK(message == "why");

  corio::Future<int> future;
  CHECK(future.cancel());
  CHECK(future.cancelled());
  CHECK_FALSE(future.cancel());  // done already
  CHECK_THROWS_AS(future.result(), corio::CancelledError);
  CHECK_THROWS_AS(future.exception(), corio::CancelledError);
}

TEST_CASE("result() and exception() of a cancelled task or future throw CancelledError", "[ch09]") {
  corio::run(results_of_a_cancelled_task(), corio_test::virtual_time());
}

corio::Coro<> fail_soon() {
  co_await tick();
  throw std::runtime_error("boom");
}

corio::Coro<> drop_unread_outcomes() {
  Trace trace;
  {
    corio::Task<> cancelled = corio::create_task(sleep_and_trace(10, trace));
    corio::Task<> failed = corio::create_task(fail_soon());
    corio::Future<int> future;
    co_await tick();
    cancelled.cancel();
    future.cancel();
    co_await corio::sleep(1);
    CHECK(cancelled.cancelled());
    CHECK(failed.done());
  }  // every handle goes here, nobody having looked at an outcome
  co_await tick();
}

TEST_CASE("a cancelled task is never reported as an exception never retrieved", "[ch09]") {
  Diagnostics diagnostics;
  corio::run(drop_unread_outcomes(), corio_test::virtual_time());
  // Only the failure is reported; the cancelled task and future are not.
  REQUIRE(diagnostics.messages.size() == 1);
  CHECK(diagnostics.any_contains("never retrieved"));
  CHECK(diagnostics.any_contains("boom"));
  CHECK_FALSE(diagnostics.any_contains("Cancelled"));
}

// ---------------------------------------------------------------- not an std::exception

static_assert(!std::is_base_of_v<std::exception, corio::CancelledError>,
              "catch (const std::exception&) must not swallow a cancellation");

corio::Coro<> log_and_carry_on(Trace& trace) {
  try {
    co_await corio::sleep(10);
  } catch (const std::exception& e) {
    trace.push_back(std::string("swallowed: ") + e.what());
  }
  trace.push_back("carried on");
}

corio::Coro<> cancel_through_a_catch_all(Trace& trace) {
  corio::Task<> task = corio::create_task(log_and_carry_on(trace));
  co_await tick();
  task.cancel();
  bool cancelled = co_await ended_cancelled(task);
  CHECK(cancelled);
  CHECK(task.cancelled());
}

TEST_CASE("catch (const std::exception&) does not swallow CancelledError", "[ch09]") {
  Trace trace;
  corio::run(cancel_through_a_catch_all(trace), corio_test::virtual_time());
  CHECK(trace.empty());
}

// ---------------------------------------------------------------- awaiting a task, a future, shield()

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

corio::Coro<int> slow_value(Lives& lives) {
  Life life(lives);
  co_await corio::sleep(5);
  co_return 42;
}

corio::Coro<int> await_shielded(corio::Task<int> inner) { co_return co_await corio::shield(inner); }

corio::Coro<> cancel_through_a_shield(Lives& lives) {
  corio::Task<int> inner = corio::create_task(slow_value(lives));
  corio::Task<int> outer = corio::create_task(await_shielded(inner));
  co_await corio::sleep(1);
  CHECK(outer.cancel());
  co_await tick();
  CHECK(outer.cancelled());  // at once: it does not wait for the inner task
  CHECK(now() == 1.0);
  CHECK_FALSE(inner.done());
  CHECK(inner.cancelling() == 0);  // untouched
  int value = co_await inner;
  CHECK(value == 42);
  CHECK(now() == 5.0);
}

TEST_CASE("shield(): the awaiting task gets CancelledError at once, the inner task runs on to its result", "[ch09]") {
  Lives lives;
  corio::run(cancel_through_a_shield(lives), corio_test::virtual_time());
  CHECK(lives.made == 1);
  CHECK(lives.alive() == 0);
}

// ---------------------------------------------------------------- every awaiter lets go: sleep

corio::Coro<> sleep_long_with_a_life(Lives& lives, Trace& trace) {
  Life life(lives);
  co_await sleep_and_trace(100, trace);
}

corio::Coro<> cancel_a_long_sleep(Lives& lives) {
  corio::Loop& loop = corio::get_running_loop();
  std::size_t armed_before = corio::detail::LoopAccess::timers_armed(loop);
  Trace trace;
  corio::Task<> task = corio::create_task(sleep_long_with_a_life(lives, trace));
  co_await tick();
  CHECK(corio::detail::LoopAccess::timers_armed(loop) == armed_before + 1);
  co_await corio::sleep(1);
  task.cancel();
  CHECK(corio::detail::LoopAccess::timers_armed(loop) == armed_before);  // the timer left the heap at once
  bool cancelled = co_await ended_cancelled(task);
  CHECK(cancelled);
  CHECK(now() == 1.0);
  // Nothing is left to wait for: the next sleep ends after its own second,
  // and the loop never goes near the 100 s of the cancelled one.
  co_await corio::sleep(1);
  CHECK(now() == 2.0);
  CHECK(corio::detail::LoopAccess::timers_armed(loop) == armed_before);
}

TEST_CASE("a cancelled sleep takes its timer out of the heap and leaves no wait behind", "[ch09]") {
  Lives lives;
  corio::run(cancel_a_long_sleep(lives), corio_test::virtual_time());
  CHECK(lives.made == 1);
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
}

// ---------------------------------------------------------------- Semaphore and Lock

template <class P>
corio::Coro<> hold_and_record(P& permits, int id, std::vector<int>& order) {
  auto held = co_await permits.hold();
  order.push_back(id);
  co_await tick();  // holds it across an iteration
}

template <class P>
corio::Coro<> cancel_in_line(P& permits, std::vector<int>& order) {
  co_await permits.acquire();  // main holds the only permit
  std::vector<corio::Task<>> waiters;
  for (int id = 1; id <= 3; ++id) waiters.push_back(corio::create_task(hold_and_record(permits, id, order)));
  co_await tick();  // all three wait, 1 first
  CHECK(waiters[1].cancel());
  co_await tick();
  CHECK(waiters[1].cancelled());
  CHECK(order.empty());
  CHECK(permits.locked());  // the cancelled waiter took nothing, and main still holds it
  permits.release();
  for (corio::Task<>& waiter : waiters) co_await ended_cancelled(waiter);
  CHECK_FALSE(permits.locked());
}

TEMPLATE_TEST_CASE("a task cancelled in an acquire line takes no permit, and the others keep their order", "[ch09]",
                   corio::Semaphore, corio::Lock) {
  TestType permits;
  std::vector<int> order;
  corio::run(cancel_in_line(permits, order), corio_test::virtual_time());
  CHECK(order == std::vector<int>{1, 3});
  CHECK_FALSE(permits.locked());
}

template <class P>
corio::Coro<> cancel_after_the_handover(P& permits, std::vector<int>& order) {
  co_await permits.acquire();
  std::vector<corio::Task<>> waiters;
  for (int id = 1; id <= 2; ++id) waiters.push_back(corio::create_task(hold_and_record(permits, id, order)));
  co_await tick();
  permits.release();  // handed to waiter 1, which has not run yet
  CHECK(waiters[0].cancel());
  co_await tick();  // waiter 1 runs: gives the permit on, then throws
  CHECK(waiters[0].cancelled());
  CHECK(order.empty());
  CHECK(permits.locked());  // now waiter 2's
  bool cancelled = co_await ended_cancelled(waiters[1]);
  CHECK_FALSE(cancelled);
}

TEMPLATE_TEST_CASE("a task cancelled after it was handed a permit passes the permit to the next waiter", "[ch09]",
                   corio::Semaphore, corio::Lock) {
  TestType permits;
  std::vector<int> order;
  corio::run(cancel_after_the_handover(permits, order), corio_test::virtual_time());
  CHECK(order == std::vector<int>{2});
  CHECK_FALSE(permits.locked());
}

template <class P>
corio::Coro<> cancel_the_only_waiter_after_the_handover(P& permits, std::vector<int>& order) {
  co_await permits.acquire();
  corio::Task<> waiter = corio::create_task(hold_and_record(permits, 1, order));
  co_await tick();
  permits.release();
  CHECK(permits.locked());  // handed over, not free
  CHECK(waiter.cancel());
  co_await tick();
  CHECK(waiter.cancelled());
  CHECK_FALSE(permits.locked());  // back to free
}

TEMPLATE_TEST_CASE("a permit handed to a task cancelled before it ran goes back to free when nobody waits", "[ch09]",
                   corio::Semaphore, corio::Lock) {
  TestType permits;
  std::vector<int> order;
  corio::run(cancel_the_only_waiter_after_the_handover(permits, order), corio_test::virtual_time());
  CHECK(order.empty());
  CHECK_FALSE(permits.locked());
}

corio::Coro<> count_semaphore_permits(corio::Semaphore& sem, std::vector<int>& order) {
  std::vector<corio::Task<>> waiters;
  co_await sem.acquire();
  co_await sem.acquire();  // both permits held by main
  for (int id = 1; id <= 3; ++id) waiters.push_back(corio::create_task(hold_and_record(sem, id, order)));
  co_await tick();
  waiters[0].cancel();
  sem.release();  // to waiter 2: waiter 1 left the line
  co_await tick();
  CHECK(sem.value() == 0);
  sem.release();  // to waiter 3
  for (corio::Task<>& waiter : waiters) co_await ended_cancelled(waiter);
  CHECK(sem.value() == 2);
}

TEST_CASE("a semaphore's count comes back whole after a waiter is cancelled", "[ch09]") {
  corio::Semaphore sem(2);
  std::vector<int> order;
  corio::run(count_semaphore_permits(sem, order), corio_test::virtual_time());
  CHECK(order == std::vector<int>{2, 3});
  CHECK(sem.value() == 2);
}

// ---------------------------------------------------------------- Event

corio::Coro<> wait_for_event(corio::Event& event, int id, std::vector<int>& order) {
  co_await event.wait();
  order.push_back(id);
}

corio::Coro<> cancel_an_event_waiter(corio::Event& event, std::vector<int>& order) {
  std::vector<corio::Task<>> waiters;
  for (int id = 1; id <= 3; ++id) waiters.push_back(corio::create_task(wait_for_event(event, id, order)));
  co_await tick();
  CHECK(waiters[1].cancel());
  co_await tick();
  CHECK(waiters[1].cancelled());
  event.set();  // wakes only the two still waiting
  for (corio::Task<>& waiter : waiters) co_await ended_cancelled(waiter);
  CHECK(now() == 0.0);
}

TEST_CASE("a task cancelled in Event::wait leaves the line: set() later wakes only the others", "[ch09]") {
  corio::Event event;
  std::vector<int> order;
  corio::run(cancel_an_event_waiter(event, order), corio_test::virtual_time());
  CHECK(order == std::vector<int>{1, 3});
}

// ---------------------------------------------------------------- Condition

std::string lock_state(const corio::Condition& cond) { return cond.locked() ? " holding the lock" : " without it"; }

corio::Coro<> wait_for_notify(corio::Condition& cond, int id, Trace& trace) {
  auto held = co_await cond.hold();
  try {
    co_await cond.wait();
    trace.push_back("notified " + std::to_string(id) + lock_state(cond));
  } catch (const corio::CancelledError&) {
    trace.push_back("cancelled " + std::to_string(id) + lock_state(cond));
    throw;
  }
}

corio::Coro<> cancel_a_condition_waiter(corio::Condition& cond, Trace& trace) {
  std::vector<corio::Task<>> waiters;
  for (int id = 1; id <= 3; ++id) waiters.push_back(corio::create_task(wait_for_notify(cond, id, trace)));
  co_await tick();  // all three wait; the lock is free
  CHECK_FALSE(cond.locked());
  CHECK(waiters[1].cancel());
  co_await tick();
  CHECK(waiters[1].cancelled());
  CHECK(trace == Trace{"cancelled 2 holding the lock"});
  CHECK_FALSE(cond.locked());  // its Held let go on the way out
  {
    auto held = co_await cond.hold();
    cond.notify_all();
  }
  for (corio::Task<>& waiter : waiters) co_await ended_cancelled(waiter);
}

TEST_CASE("a task cancelled in Condition::wait returns holding the lock, which its guard releases", "[ch09]") {
  corio::Condition cond;
  Trace trace;
  corio::run(cancel_a_condition_waiter(cond, trace), corio_test::virtual_time());
  CHECK(trace == Trace{"cancelled 2 holding the lock", "notified 1 holding the lock", "notified 3 holding the lock"});
  CHECK_FALSE(cond.locked());
}

corio::Coro<> cancel_while_the_lock_is_held(corio::Condition& cond, Trace& trace) {
  std::vector<corio::Task<>> waiters;
  for (int id = 1; id <= 2; ++id) waiters.push_back(corio::create_task(wait_for_notify(cond, id, trace)));
  co_await tick();
  co_await cond.acquire();
  CHECK(waiters[0].cancel());
  co_await tick();
  CHECK_FALSE(waiters[0].done());  // it waits for the lock, to return holding it
  CHECK(trace.empty());
  cond.notify();  // waiter 2 queues for the lock behind waiter 1
  cond.release();
  for (corio::Task<>& waiter : waiters) co_await ended_cancelled(waiter);
  CHECK(waiters[0].cancelled());
  CHECK_FALSE(waiters[1].cancelled());
}

TEST_CASE("a task cancelled in Condition::wait while the lock is held throws only once it has the lock", "[ch09]") {
  corio::Condition cond;
  Trace trace;
  corio::run(cancel_while_the_lock_is_held(cond, trace), corio_test::virtual_time());
  CHECK(trace == Trace{"cancelled 1 holding the lock", "notified 2 holding the lock"});
  CHECK_FALSE(cond.locked());
}

// ---------------------------------------------------------------- Queue: get, put, join

corio::Coro<> get_one(corio::Queue<int>& q, int id, std::vector<std::pair<int, int>>& got) {
  int item = co_await q.get();
  got.emplace_back(id, item);
}

using Received = std::vector<std::pair<int, int>>;  // (getter, item)

corio::Coro<> cancel_a_getter_in_line(corio::Queue<int>& q, Received& got) {
  std::vector<corio::Task<>> getters;
  for (int id = 1; id <= 2; ++id) getters.push_back(corio::create_task(get_one(q, id, got)));
  co_await tick();
  CHECK(getters[0].cancel());
  co_await tick();
  CHECK(getters[0].cancelled());
  q.put_nowait(7);  // to getter 2: getter 1 left the line
  for (corio::Task<>& getter : getters) co_await ended_cancelled(getter);
}

TEST_CASE("a getter cancelled in line leaves it: the next item goes to the getter behind it", "[ch09]") {
  corio::Queue<int> q;
  Received got;
  corio::run(cancel_a_getter_in_line(q, got), corio_test::virtual_time());
  CHECK(got == Received{{2, 7}});
  CHECK(q.qsize() == 0);
}

corio::Coro<> cancel_a_promised_getter(corio::Queue<int>& q, Received& got) {
  std::vector<corio::Task<>> getters;
  for (int id = 1; id <= 2; ++id) getters.push_back(corio::create_task(get_one(q, id, got)));
  co_await tick();
  q.put_nowait(7);  // promised to getter 1, which has not run yet
  CHECK(q.empty());
  CHECK(getters[0].cancel());
  co_await tick();  // getter 1 passes the promise on, then throws
  CHECK(getters[0].cancelled());
  CHECK(q.qsize() == 1);
  for (corio::Task<>& getter : getters) co_await ended_cancelled(getter);
  CHECK(q.qsize() == 0);
  q.put_nowait(8);  // nothing doubled: the next item is simply there
  CHECK(q.get_nowait() == 8);
}

TEST_CASE("a getter cancelled after an item was promised to it passes the item to the next getter", "[ch09]") {
  corio::Queue<int> q;
  Received got;
  corio::run(cancel_a_promised_getter(q, got), corio_test::virtual_time());
  CHECK(got == Received{{2, 7}});
  CHECK(q.qsize() == 0);
}

corio::Coro<> cancel_the_only_promised_getter(corio::Queue<int>& q, Received& got) {
  corio::Task<> getter = corio::create_task(get_one(q, 1, got));
  co_await tick();
  q.put_nowait(7);
  CHECK(getter.cancel());
  co_await tick();
  CHECK(getter.cancelled());
  CHECK(q.qsize() == 1);
  CHECK_FALSE(q.empty());  // free again: nobody is promised it
  CHECK(q.get_nowait() == 7);
}

TEST_CASE("an item promised to a getter cancelled before it ran stays in the queue when nobody else waits", "[ch09]") {
  corio::Queue<int> q;
  Received got;
  corio::run(cancel_the_only_promised_getter(q, got), corio_test::virtual_time());
  CHECK(got.empty());
  CHECK(q.qsize() == 0);
}

corio::Coro<> put_one(corio::Queue<int>& q, int item, std::vector<int>& put) {
  co_await q.put(item);
  put.push_back(item);
}

corio::Coro<> cancel_a_putter_in_line(corio::Queue<int>& q, std::vector<int>& put) {
  q.put_nowait(1);  // full
  std::vector<corio::Task<>> putters;
  putters.push_back(corio::create_task(put_one(q, 2, put)));
  putters.push_back(corio::create_task(put_one(q, 3, put)));
  co_await tick();
  CHECK(putters[0].cancel());
  co_await tick();
  CHECK(putters[0].cancelled());
  CHECK(q.qsize() == 1);
  CHECK(q.get_nowait() == 1);  // the slot goes to putter 3
  for (corio::Task<>& putter : putters) co_await ended_cancelled(putter);
  CHECK(q.get_nowait() == 3);
  CHECK(q.qsize() == 0);
}

TEST_CASE("a putter cancelled while it waits for a slot never puts its item in the queue", "[ch09]") {
  corio::Queue<int> q(1);
  std::vector<int> put;
  corio::run(cancel_a_putter_in_line(q, put), corio_test::virtual_time());
  CHECK(put == std::vector<int>{3});
  CHECK(q.qsize() == 0);
}

corio::Coro<> cancel_a_promised_putter(corio::Queue<int>& q, std::vector<int>& put) {
  q.put_nowait(1);
  corio::Task<> putter = corio::create_task(put_one(q, 2, put));
  co_await tick();
  CHECK(q.get_nowait() == 1);  // the slot is promised to the putter
  CHECK(q.full());
  CHECK(putter.cancel());
  co_await tick();
  CHECK(putter.cancelled());
  CHECK(q.qsize() == 0);  // its item never went in
  CHECK_FALSE(q.full());  // and the slot is free again
  q.put_nowait(9);
  CHECK(q.get_nowait() == 9);
}

TEST_CASE("a putter cancelled after a slot was promised to it leaves the slot free and its item out", "[ch09]") {
  corio::Queue<int> q(1);
  std::vector<int> put;
  corio::run(cancel_a_promised_putter(q, put), corio_test::virtual_time());
  CHECK(put.empty());
  CHECK(q.qsize() == 0);
}

corio::Coro<> join_and_record(corio::Queue<int>& q, int id, std::vector<int>& order) {
  co_await q.join();
  order.push_back(id);
}

corio::Coro<> cancel_a_joiner(corio::Queue<int>& q, std::vector<int>& order) {
  q.put_nowait(1);
  std::vector<corio::Task<>> joiners;
  for (int id = 1; id <= 2; ++id) joiners.push_back(corio::create_task(join_and_record(q, id, order)));
  co_await tick();
  CHECK(joiners[0].cancel());
  co_await tick();
  CHECK(joiners[0].cancelled());
  CHECK(q.get_nowait() == 1);
  q.task_done();  // wakes the joiner still waiting
  for (corio::Task<>& joiner : joiners) co_await ended_cancelled(joiner);
}

TEST_CASE("a task cancelled in join() leaves the joiners: the last task_done() wakes only the others", "[ch09]") {
  corio::Queue<int> q;
  std::vector<int> order;
  corio::run(cancel_a_joiner(q, order), corio_test::virtual_time());
  CHECK(order == std::vector<int>{2});
}

// ---------------------------------------------------------------- wait, gather, as_completed

corio::Coro<int> value_after(double seconds, int value, Lives& lives) {
  Life life(lives);
  co_await corio::sleep(seconds);
  co_return value;
}

corio::Coro<std::size_t> wait_all(std::vector<corio::Task<int>> children) {
  corio::WaitResult<corio::Task<int>> result = co_await corio::wait(std::move(children));
  co_return result.done.size();
}

corio::Coro<> cancel_a_wait(Lives& lives) {
  corio::Task<int> a = corio::create_task(value_after(5, 1, lives));
  corio::Task<int> b = corio::create_task(value_after(10, 2, lives));
  corio::Task<std::size_t> waiting = corio::create_task(wait_all({a, b}));
  co_await corio::sleep(1);
  CHECK(waiting.cancel());
  co_await tick();
  CHECK(waiting.cancelled());  // at once: wait() only lets go
  CHECK_FALSE(a.done());
  CHECK_FALSE(b.done());
  CHECK(a.cancelling() == 0);  // the children are not touched
  CHECK(b.cancelling() == 0);
  int va = co_await a;
  CHECK(va == 1);
  CHECK(now() == 5.0);
  int vb = co_await b;
  CHECK(vb == 2);
  CHECK(now() == 10.0);
}

TEST_CASE("a task cancelled in wait() lets go of its children, which run on to their results", "[ch09]") {
  Lives lives;
  corio::run(cancel_a_wait(lives), corio_test::virtual_time());
  CHECK(lives.made == 2);
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
}

corio::Coro<int> tidy_up_for(double seconds, double cleanup, int value, bool stop, Lives& lives) {
  Life life(lives);
  bool cancelled = false;
  try {
    co_await corio::sleep(seconds);
  } catch (const corio::CancelledError&) {
    cancelled = true;
  }
  if (cancelled) {
    co_await corio::sleep(cleanup);
    if (stop) throw corio::CancelledError();
  }
  co_return value;
}

corio::Coro<int> gather_two(corio::Task<int> a, corio::Task<int> b) {
  std::tuple<int, int> both = co_await corio::gather(a, b);
  co_return std::get<0>(both) + std::get<1>(both);
}

corio::Coro<> cancel_a_gather(Lives& lives, bool child_stops) {
  corio::Task<int> a = corio::create_task(value_after(1, 10, lives));
  corio::Task<int> b = corio::create_task(tidy_up_for(5, 2, 20, child_stops, lives));
  corio::Task<int> gathering = corio::create_task(gather_two(a, b));
  co_await corio::sleep(2);
  CHECK(a.done());
  CHECK(gathering.cancel());
  CHECK(b.cancelling() == 1);  // passed on at once to the unfinished child
  CHECK(a.cancelling() == 0);
  co_await corio::sleep(1);
  CHECK_FALSE(gathering.done());  // it waits for the cancelled child to finish
  bool cancelled = co_await ended_cancelled(gathering);
  CHECK(cancelled);
  CHECK(now() == 4.0);
  CHECK(gathering.cancelled());
  CHECK(a.result() == 10);  // a child done already keeps its result
  CHECK(b.cancelled() == child_stops);
  if (!child_stops) CHECK(b.result() == 20);
}

TEST_CASE("cancelling a gather cancels its unfinished children and throws CancelledError once they are done",
          "[ch09]") {
  bool child_stops = GENERATE(true, false);  // false: the child catches the cancellation and returns
  Lives lives;
  corio::run(cancel_a_gather(lives, child_stops), corio_test::virtual_time());
  CHECK(lives.made == 2);
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
}

corio::Coro<int> take_next(corio::AsCompleted<corio::Future<int>>& results) { co_return co_await results.next(); }

corio::Coro<> cancel_a_next(bool woken_first) {
  std::vector<corio::Future<int>> futures(2);
  auto results = corio::as_completed(futures);
  corio::Task<int> taker = corio::create_task(take_next(results));
  co_await tick();                            // it waits in next()
  if (woken_first) futures[0].set_result(1);  // wakes it; it has not run yet
  CHECK(taker.cancel());
  co_await tick();
  CHECK(taker.cancelled());
  CHECK(results.remaining() == 2);  // it took nothing
  if (!woken_first) futures[0].set_result(1);
  int first = co_await results.next();
  CHECK(first == 1);
  futures[1].set_result(2);
  int second = co_await results.next();
  CHECK(second == 2);
  CHECK(results.remaining() == 0);
}

TEST_CASE("a task cancelled in as_completed's next() leaves the result for a later next()", "[ch09]") {
  bool woken_first = GENERATE(false, true);
  corio::run(cancel_a_next(woken_first), corio_test::virtual_time());
}

// ---------------------------------------------------------------- run() and self-cancellation

corio::Coro<> clean_up_when_cancelled(Lives& lives, std::vector<double>& cleaned) {
  Life life(lives);
  bool cancelled = false;
  try {
    co_await corio::sleep(100);
  } catch (const corio::CancelledError&) {
    cancelled = true;
  }
  if (cancelled) {
    co_await corio::sleep(1);  // the cleanup may wait too: run() waits for it
    cleaned.push_back(now());
  }
}

corio::Coro<> started_last(Lives& lives, std::vector<double>& cleaned) {
  Life life(lives);
  try {
    co_await tick();
  } catch (const corio::CancelledError&) {
    cleaned.push_back(now());
    throw;
  }
}

corio::Coro<int> leave_tasks_behind(Lives& lives, std::vector<double>& cleaned) {
  corio::create_task(clean_up_when_cancelled(lives, cleaned));
  corio::create_task(clean_up_when_cancelled(lives, cleaned));
  co_await corio::sleep(2);
  // Its first step is queued before main's end is noticed, so its body
  // starts, as in asyncio, and the cancellation meets it at its first wait.
  corio::create_task(started_last(lives, cleaned));
  co_return 5;
}

TEST_CASE("run() cancels the tasks still pending when main returns and runs them to their end", "[ch09]") {
  Diagnostics diagnostics;
  Lives lives;
  std::vector<double> cleaned;
  int result = corio::run(leave_tasks_behind(lives, cleaned), corio_test::virtual_time());
  CHECK(result == 5);
  CHECK(cleaned == std::vector<double>{2.0, 3.0, 3.0});  // cancelled at 2 s; two cleaned up for a second
  CHECK(lives.made == 3);
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
  CHECK(diagnostics.messages.empty());  // no "destroyed but it is pending"
}

// Cleanup that makes a new task each time it is cancelled, and a long job.
corio::Coro<> respawn_when_cancelled(int& spawned, int& slept) {
  try {
    for (int i = 0; i < 1000; ++i) {
      co_await corio::sleep(1);
      ++slept;
    }
  } catch (const corio::CancelledError&) {
    ++spawned;
    corio::create_task(respawn_when_cancelled(spawned, slept), "respawned");
    throw;
  }
}

corio::Coro<int> leave_a_task_that_respawns(int& spawned, int& slept) {
  corio::create_task(respawn_when_cancelled(spawned, slept), "respawned");
  co_return 1;
}

TEST_CASE("run()'s shutdown also cancels the tasks that cleanup code made, and gives up after a few rounds", "[ch09]") {
  Diagnostics diagnostics;
  int spawned = 0;
  int slept = 0;
  CHECK(corio::run(leave_a_task_that_respawns(spawned, slept), corio_test::virtual_time()) == 1);
  CHECK(spawned == corio::detail::kShutdownRounds);  // one per round
  CHECK(slept == 0);                                 // no long job ran to its end
  REQUIRE(diagnostics.messages.size() == 2);
  CHECK_THAT(diagnostics.messages[0],
             Catch::Matchers::Contains("Abandoned: 'respawned' (coroutine 'respawn_when_cancelled')"));
  CHECK_THAT(diagnostics.messages[1], Catch::Matchers::Contains("Task was destroyed but it is pending"));
}

// A task whose end makes another like it: cleanup code that never runs out
// of work. It stops by itself after 100, so the test ends either way.
corio::Coro<> wait_a_long_time() { co_await corio::sleep(1e6); }

void spawn_another(int& spawned) {
  if (++spawned == 100) return;
  corio::create_task(wait_a_long_time(), "respawned").add_done_callback([&spawned](const corio::Task<>&) {
    spawn_another(spawned);
  });
}

corio::Coro<int> leave_a_respawning_task(int& spawned) {
  spawn_another(spawned);
  co_return 1;
}

TEST_CASE("run()'s shutdown gives up after a few rounds when cleanup keeps making tasks, and names them", "[ch09]") {
  Diagnostics diagnostics;
  int spawned = 0;
  CHECK(corio::run(leave_a_respawning_task(spawned), corio_test::virtual_time()) == 1);
  CHECK(spawned == corio::detail::kShutdownRounds + 1);  // one per round, and the one left
  REQUIRE(diagnostics.messages.size() == 2);
  CHECK_THAT(diagnostics.messages[0], Catch::Matchers::Contains("run(): gave up shutting down after 3 rounds"));
  CHECK_THAT(diagnostics.messages[0],
             Catch::Matchers::Contains("Abandoned: 'respawned' (coroutine 'wait_a_long_time')"));
  CHECK_THAT(diagnostics.messages[1], Catch::Matchers::Contains("Task was destroyed but it is pending"));
}

corio::Coro<std::string> wait_for_the_event(corio::Event& event) {
  try {
    co_await event.wait();
    co_return "set";
  } catch (const corio::CancelledError& e) {
    co_return "cancelled: " + e.message();
  }
}

corio::Coro<std::string> destroy_an_awaited_event() {
  auto event = std::make_unique<corio::Event>();
  corio::Task<std::string> waiter = corio::create_task(wait_for_the_event(*event));
  co_await corio::sleep(1);  // the waiter is in the event's line
  event.reset();
  co_return co_await waiter;
}

TEST_CASE("a task waiting on an Event that is destroyed is cancelled, with a message naming the Event", "[ch09]") {
  CHECK(corio::run(destroy_an_awaited_event(), corio_test::virtual_time()) ==
        "cancelled: Event was destroyed while this task waited on it");
}

corio::Coro<> sleep_a_long_time(Lives& lives) {
  Life life(lives);
  co_await corio::sleep(100);
}

TEST_CASE("a Task handle that outlives its loop says done and cancelled, and touches nothing of the dead loop",
          "[ch09]") {
  Diagnostics diagnostics;
  Lives lives;
  corio::Task<> kept;
  {
    corio::Loop loop(corio_test::virtual_time());
    loop.call_soon([&] {
      kept = corio::create_task(sleep_a_long_time(lives));
      loop.call_soon([&] { loop.stop(); });  // after the task's first step
    });
    loop.run_forever();  // the task sleeps, its timer in the loop's heap
    CHECK(corio::detail::LoopAccess::timers_armed(loop) == 1);
  }
  CHECK(diagnostics.any_contains("Task was destroyed but it is pending"));
  CHECK(lives.alive() == 1);  // the handle keeps the frame
  CHECK(kept.done());
  CHECK(kept.cancelled());
  CHECK_FALSE(kept.cancel());
  CHECK_THROWS_AS(kept.result(), corio::CancelledError);
  kept = corio::Task<>();  // the frame goes, and its sleep does not look for its timer in the dead loop
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
}

corio::Coro<> cancel_myself(Trace& trace) {
  CHECK(corio::current_task().cancel("enough"));
  trace.push_back("still running");  // cancel() only asks, even of oneself
  try {
    co_await corio::sleep(1);
    trace.push_back("slept");
  } catch (const corio::CancelledError& e) {
    trace.push_back("cancelled: " + e.message());
    throw;
  }
}

corio::Coro<> run_a_self_cancel(Trace& trace) {
  corio::Task<> task = corio::create_task(cancel_myself(trace));
  bool cancelled = co_await ended_cancelled(task);
  CHECK(cancelled);
  CHECK(now() == 0.0);
}

TEST_CASE("a task may cancel itself and gets CancelledError at its next wait", "[ch09]") {
  Trace trace;
  corio::run(run_a_self_cancel(trace), corio_test::virtual_time());
  CHECK(trace == Trace{"still running", "cancelled: enough"});
}

corio::Coro<> cancel_myself_then_await(corio::Task<> inner, std::string& message) {
  corio::current_task().cancel("enough");
  try {
    co_await inner;
  } catch (const corio::CancelledError& e) {
    message = e.message();
    throw;
  }
}

corio::Coro<> run_a_self_cancel_over_a_task(std::string& message) {
  Trace inner_trace;
  corio::Task<> inner = corio::create_task(sleep_and_trace(10, inner_trace));
  corio::Task<> outer = corio::create_task(cancel_myself_then_await(inner, message));
  bool cancelled = co_await ended_cancelled(outer);
  CHECK(cancelled);
  CHECK(inner.cancelled());
  CHECK(inner_trace == Trace{"cancelled"});
  CHECK(now() == 0.0);
}

TEST_CASE("a task that cancels itself with a message and then awaits a task passes the message on", "[ch09]") {
  std::string message;
  corio::run(run_a_self_cancel_over_a_task(message), corio_test::virtual_time());
  CHECK(message == "enough");
}

corio::Coro<std::string> name_of_current_task() { co_return corio::current_task().get_name(); }

corio::Coro<> ask_for_the_current_task(bool& refused) {
  corio::get_running_loop().call_soon([&refused] {
    try {
      corio::current_task();
    } catch (const corio::RuntimeError&) {
      refused = true;
    }
  });
  std::string name = co_await corio::create_task(name_of_current_task(), "asker");
  CHECK(name == "asker");
}

TEST_CASE("current_task() is the task whose step runs, and RuntimeError outside any task", "[ch09]") {
  bool refused = false;
  corio::run(ask_for_the_current_task(refused), corio_test::virtual_time());
  CHECK(refused);
}

// ---------------------------------------------------------------- await cycles

corio::Coro<int> await_task(corio::Task<int>& task) {
  co_await tick();
  co_return co_await task;
}

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

TEST_CASE("a task awaiting itself gets RuntimeError at once: \"Task cannot await on itself\"", "[ch09]") {
  std::string got = corio::run(a_task_awaiting_itself(), corio_test::virtual_time());
  CHECK_THAT(got, Catch::Matchers::StartsWith("Task cannot await on itself: task 'Task-"));
  CHECK_THAT(got, Catch::Matchers::Contains("(coroutine 'await_task')"));
  CHECK_THAT(got, Catch::Matchers::EndsWith(" at 0.000000"));
}

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
