// @chapter 09
// Cancellation as asyncio has it, seen from the task: cancel() asks, and
// CancelledError arrives where the task waits, on a later iteration; the task
// may catch it and go on, uncancel() takes a request back, a message travels
// with it; a task may cancel itself; a Task handle outliving its loop ends
// cancelled. The awaiters that let go have files of their own
// (cancel_*_test.cpp, shield_test.cpp). Everything on the virtual clock, exactly.
#include <catch2/catch.hpp>

#include <coroutine>
#include <cstdint>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
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
using corio_test::sleep_and_trace;

namespace {

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
  std::size_t entries = corio::detail::side_table_entries();
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
  CHECK(corio::detail::side_table_entries() == entries);  // a count back at zero leaves its side table
  CHECK(task.uncancel() == 0);                            // never below zero
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

// ---------------------------------------------------------------- a Task handle that outlives its loop

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

// ---------------------------------------------------------------- self-cancellation and current_task()

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

// A task cancelled in the step where its body ends: asyncio's __step sees
// _must_cancel when the coroutine stops, and the task ends cancelled, its
// value dropped ("Task is cancelled right before coro stops"); a task that
// failed keeps its error. Each is asked twice: by the body itself before it
// returns, and by a local's destructor, which runs after co_return has put
// the result in (where the task kept its wait point until then).
struct CancelsOnExit {
  std::string message;
  ~CancelsOnExit() { corio::current_task().cancel(message); }
};

corio::Coro<int> cancel_myself_then_return() {
  corio::current_task().cancel("late");
  co_return 5;
}

corio::Coro<int> return_then_cancel_from_a_destructor() {
  CancelsOnExit on_exit{"from a destructor"};
  co_await corio::sleep(1);
  co_return 0x1234;  // fits the word the wait point shared: read as one, it would crash
}

corio::Coro<std::string> return_a_string_then_cancel() {
  CancelsOnExit on_exit{"string"};
  co_await corio::sleep(0);
  co_return std::string(100, 'x');  // on the heap: ASan sees it leak if the result is not destroyed
}

corio::Coro<int> cancel_myself_then_fail() {
  corio::current_task().cancel("late");
  throw std::runtime_error("boom");
  co_return 0;
}

corio::Coro<int> cancel_myself_then_catch() {
  corio::current_task().cancel("one");
  try {
    co_await corio::sleep(1);
  } catch (const corio::CancelledError&) {
    co_return 7;  // the request was delivered: the value stands
  }
  co_return 0;
}

template <class T>
corio::Coro<std::string> how_it_ended(corio::Task<T> task) {
  try {
    co_await task;
    co_return "result";
  } catch (const corio::CancelledError& e) {
    co_return "cancelled: " + e.message();
  } catch (const std::runtime_error& e) {
    co_return std::string("error: ") + e.what();
  }
}

corio::Coro<> run_cancels_in_the_last_step() {
  corio::Task<int> self_then_return = corio::create_task(cancel_myself_then_return());
  std::string ended = co_await how_it_ended(self_then_return);
  CHECK(ended == "cancelled: late");
  CHECK(self_then_return.cancelled());
  corio::Task<int> from_destructor = corio::create_task(return_then_cancel_from_a_destructor());
  ended = co_await how_it_ended(from_destructor);
  CHECK(ended == "cancelled: from a destructor");
  CHECK(from_destructor.cancelled());
  CHECK(now() == 1.0);
  corio::Task<std::string> a_string = corio::create_task(return_a_string_then_cancel());
  ended = co_await how_it_ended(a_string);
  CHECK(ended == "cancelled: string");
  corio::Task<int> failed = corio::create_task(cancel_myself_then_fail());
  ended = co_await how_it_ended(failed);
  CHECK(ended == "error: boom");
  CHECK_FALSE(failed.cancelled());
  corio::Task<int> caught = corio::create_task(cancel_myself_then_catch());
  int value = co_await caught;
  CHECK(value == 7);
  CHECK_FALSE(caught.cancelled());
}

TEST_CASE("a task cancelled in the step where its body returns ends cancelled; one that fails keeps its error",
          "[ch09]") {
  std::size_t side_entries = corio::detail::side_table_entries();
  corio::run(run_cancels_in_the_last_step(), corio_test::virtual_time());
  CHECK(corio::detail::side_table_entries() == side_entries);  // every message was taken
}

// An awaiter of the reader's own (chapter 09's first challenge) that parks
// and is woken by a callback, but whose await_resume does not ask
// cancel_pending(): the step that was to throw at it cannot, and the body
// returns. The cancellation is still owed, so the task ends cancelled.
struct DoesNotCheck : corio::detail::WaitPoint {
  corio::detail::ReadyEntry waker;
  bool await_ready() {
    kind = &kKind;
    return false;
  }
  void await_suspend(std::coroutine_handle<> h) {
    waker = corio::detail::park(h, this, "does not check");
    corio::get_running_loop().call_soon([this] { corio::detail::wake(waker); });
  }
  void await_resume() const {}
  static corio::detail::CancelAnswer too_late(corio::detail::WaitPoint*, const std::string&) {
    return corio::detail::CancelAnswer::TooLate;  // its wake is queued already
  }
  static constexpr corio::detail::WaitKind kKind{.cancel = &too_late, .what = "does not check"};
};

corio::Coro<int> wait_where_nothing_checks(Trace& trace) {
  co_await DoesNotCheck{};
  trace.push_back("went on past the awaiter");
  co_return 9;
}

corio::Coro<> run_a_cancel_nobody_throws(Trace& trace) {
  corio::Task<int> task = corio::create_task(wait_where_nothing_checks(trace));
  co_await corio::sleep(0);  // the task parks, its wake queued
  CHECK(task.cancel("owed"));
  std::string ended = co_await how_it_ended(task);
  CHECK(ended == "cancelled: owed");
  CHECK(task.cancelled());
}

TEST_CASE("a task whose cancellation was due at an awaiter that does not check, and that returns, ends cancelled",
          "[ch09]") {
  Trace trace;
  corio::run(run_a_cancel_nobody_throws(trace), corio_test::virtual_time());
  CHECK(trace == Trace{"went on past the awaiter"});
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

corio::Coro<> nap_long() { co_await corio::sleep(10); }

corio::Coro<> work() { co_await nap_long(); }

corio::Coro<> cancel_the_worker() {
  corio::Task<> worker = corio::create_task(work(), "worker");
  co_await corio::sleep(0.5);
  worker.cancel();
  try {
    co_await worker;
  } catch (const corio::CancelledError&) {
  }
  co_await corio::sleep(0.25);
}

TEST_CASE("the timeline shows a cancellation travel: the worker ends cancelled where its caller cancels it",
          "[ch09]") {
  corio::detail::set_tasks_made(0);
  corio_test::Capture out;
  {
    corio::Loop loop(corio_test::virtual_time());
    corio::record_timeline(loop, out.file());
    loop.run_until_complete(cancel_the_worker());
  }
  CHECK(out.text() ==
        "timeline: 2 tasks on the virtual clock; # ran, - waited; a column is 0.019 s\n"
        "                          0.000     0.188     0.375     0.562     0.750\n"
        "Task-1 cancel_the_worker  #--------------------------#------------#  sleep x2 0.750 s, task 'worker' 0.000 "
        "s; done at 0.750\n"
        "worker                    #--------------------------#               sleep 0.500 s; cancelled at 0.500\n");
}

}  // namespace

TEST_CASE("a task's name, cancel message and request count leave the side tables with its frame, on whatever "
          "thread it goes",
          "[ch09]") {
  std::size_t before = corio::detail::side_table_entries();
  corio::Task<int> kept;
  corio::run([&]() -> corio::Coro<> {
    // Cancelled with a message while it sleeps: the message waits in its
    // table until the CancelledError takes it; the task catches that.
    auto t = corio::create_task(
        []() -> corio::Coro<int> {
          try {
            co_await corio::sleep(1);
          } catch (const corio::CancelledError&) {
          }
          co_return 7;
        }(),
        "named");
    co_await corio::sleep(0);
    t.cancel("a message");
    CHECK(corio::detail::side_table_entries() == before + 3);
    CHECK(co_await t == 7);
    CHECK(t.cancelling() == 1);  // caught, not taken back: the count stays
    kept = t;
  }());
  CHECK(corio::detail::side_table_entries() == before + 2);  // the name and the count, while the frame lives
  // The last handle goes on another thread, and the frame with it.
  std::thread([&kept] { kept = corio::Task<int>(); }).join();
  CHECK(corio::detail::side_table_entries() == before);
}
