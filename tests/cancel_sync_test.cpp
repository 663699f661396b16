// @chapter 09
// Cancelling a task that waits in Semaphore, Lock, Event or Condition: it
// leaves the line, takes nothing, and hands on what it was handed.
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

// ---------------------------------------------------------------- an Event destroyed under its waiters

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

}  // namespace
