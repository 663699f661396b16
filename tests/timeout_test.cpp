// @chapter 10
// Timeouts: a timeout()/timeout_at() block turns its own cancellation into
// TimeoutError at exactly its deadline and lets every other cancellation
// pass untouched; nested blocks each know whose cancellation it was;
// reschedule(), expired() and when(); and wait_for() on a coroutine, a task
// and a future, whose inner work is cancelled and waited for.
#include <catch2/catch.hpp>

#include <cmath>
#include <coroutine>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <corio/corio.hpp>

#include "support/corio_test.hpp"

using Catch::Matchers::Contains;
using corio_test::Diagnostics;

namespace {

using Trace = std::vector<std::string>;

corio::Loop& loop() { return corio::get_running_loop(); }
double now() { return loop().time(); }

// what, stamped with the loop time (to 0.1 s; exact times are CHECKed apart).
std::string at(const std::string& what) {
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, " @%.1f", now());
  return what + stamp;
}

corio::Coro<std::string> fetch(double delay, std::string page) {
  co_await corio::sleep(delay);
  co_return page;
}

// What came out of aw - its result, or the kind of error - and when.
corio::Coro<std::string> outcome(corio::Coro<std::string> aw) {
  std::string kind;
  try {
    kind = "returned " + co_await std::move(aw);
  } catch (const corio::TimeoutError& e) {
    // A timeout's own names its deadline; one the body raised is quoted.
    std::string what = e.what();
    kind = what.find("deadline") != std::string::npos ? "TimeoutError" : "TimeoutError '" + what + "'";
  } catch (const corio::CancelledError&) {
    kind = "CancelledError";
  } catch (const std::exception& e) {
    kind = std::string("error '") + e.what() + "'";
  }
  co_return at(kind);
}

std::uint32_t cancelling() { return corio::current_task().cancelling(); }

// ------------------------------------------------------------------ E08, E18

corio::Coro<double> e08_slow_fetch() {
  bool timed_out = false;
  try {
    co_await corio::timeout(5).run(fetch(10, "slow page"));
  } catch (const corio::TimeoutError&) {
    timed_out = true;
  }
  CHECK(timed_out);
  CHECK(corio::detail::LoopAccess::timers_armed(loop()) == 0);
  CHECK(cancelling() == 0);
  co_return now();
}

TEST_CASE("E08: a fetch slower than timeout(5) raises TimeoutError at exactly 5.0 s, leaving no timer armed",
          "[ch10][timeout][E08]") {
  CHECK(corio::run(e08_slow_fetch(), corio_test::virtual_time()) == 5.0);
}

corio::Coro<double> e08_fast_fetch() {
  std::string page = co_await corio::timeout(5).run(fetch(1, "fast page"));
  CHECK(page == "fast page");
  CHECK(corio::detail::LoopAccess::timers_armed(loop()) == 0);  // the deadline's timer went with the block
  co_return now();
}

TEST_CASE("E08: a fetch faster than timeout(5) returns its result at 1.0 s, leaving no timer armed",
          "[ch10][timeout][E08]") {
  CHECK(corio::run(e08_fast_fetch(), corio_test::virtual_time()) == 1.0);
}

static_assert(std::is_base_of_v<std::runtime_error, corio::TimeoutError>,
              "TimeoutError is an ordinary error: catch (const std::exception&) sees it");
static_assert(!std::is_base_of_v<std::exception, corio::CancelledError>,
              "CancelledError is not: the everyday catch-all must not swallow a cancellation");

// The block's own view: it sees CancelledError, tidies up, and lets it go on.
corio::Coro<std::string> fetch_that_cleans_up(Trace& trace) {
  try {
    co_await corio::sleep(10);
  } catch (const corio::CancelledError&) {
    trace.push_back(at("body saw CancelledError"));
    throw;
  } catch (const corio::TimeoutError&) {
    trace.push_back(at("body saw TimeoutError"));
    throw;
  }
  co_return "never";
}

corio::Coro<> e18_catch_it(Trace& trace) {
  try {
    co_await corio::timeout(3).run(fetch_that_cleans_up(trace));
  } catch (const std::exception& e) {  // the usual catch-all is enough
    trace.push_back(at(std::string("caller caught std::exception: ") + e.what()));
    CHECK(dynamic_cast<const corio::TimeoutError*>(&e) != nullptr);
  } catch (const corio::CancelledError&) {
    trace.push_back(at("caller caught CancelledError"));
  }
  CHECK(now() == 3.0);
  CHECK(cancelling() == 0);
}

TEST_CASE("E18: a timeout raises corio::TimeoutError, a std::runtime_error; inside the block only CancelledError is seen",
          "[ch10][timeout][E18]") {
  Trace trace;
  corio::run(e18_catch_it(trace), corio_test::virtual_time());
  REQUIRE(trace.size() == 2);
  CHECK(trace[0] == "body saw CancelledError @3.0");
  CHECK_THAT(trace[1], Contains("caller caught std::exception: ") && Contains("deadline") && Contains("@3.0"));
}

// ------------------------------------------------------ timeout_at and when()

corio::Coro<> deadlines_are_loop_times(Trace& trace) {
  co_await corio::sleep(1);
  corio::Timeout relative = corio::timeout(2);
  corio::Timeout absolute = corio::timeout_at(3.5);
  corio::Timeout none = corio::timeout(std::nullopt);
  CHECK(relative.when() == 3.0);
  CHECK(absolute.when() == 3.5);
  CHECK(corio::timeout_at(std::nullopt).when() == std::nullopt);
  CHECK(none.when() == std::nullopt);
  trace.push_back(co_await outcome(absolute.run(fetch(10, "never"))));
  CHECK(now() == 3.5);
  CHECK(absolute.expired());
  CHECK(absolute.when() == 3.5);
}

TEST_CASE("timeout(delay) counts from now and timeout_at(when) is a loop time; when() gives the deadline",
          "[ch10][timeout]") {
  Trace trace;
  corio::run(deadlines_are_loop_times(trace), corio_test::virtual_time());
  CHECK(trace == Trace{"TimeoutError @3.5"});
}

corio::Coro<std::string> sleeps_long_under_no_deadline(corio::Timeout& t) {
  CHECK(corio::detail::LoopAccess::timers_armed(loop()) == 0);  // the block arms no timer of its own
  co_await corio::sleep(1000);
  CHECK_FALSE(t.expired());
  co_return "done";
}

corio::Coro<std::string> never_expires() {
  corio::Timeout t = corio::timeout(std::nullopt);
  std::string result = co_await outcome(t.run(sleeps_long_under_no_deadline(t)));
  CHECK_FALSE(t.expired());
  co_return result;
}

TEST_CASE("timeout(std::nullopt) never expires, however long the block takes", "[ch10][timeout]") {
  CHECK(corio::run(never_expires(), corio_test::virtual_time()) == "returned done @1000.0");
}

// ------------------------------------------------------------- reschedule()

corio::Coro<std::string> moves_deadline(corio::Timeout& t, std::optional<double> to, double wait_first,
                                        double wait_after) {
  co_await corio::sleep(wait_first);
  CHECK_FALSE(t.expired());
  t.reschedule(to);
  CHECK(t.when() == to);
  co_await corio::sleep(wait_after);
  co_return "done";
}

corio::Coro<std::string> rescheduled(std::optional<double> first, std::optional<double> to, double wait_first,
                                     double wait_after) {
  corio::Timeout t = corio::timeout(first);
  std::string result = co_await outcome(t.run(moves_deadline(t, to, wait_first, wait_after)));
  CHECK(corio::detail::LoopAccess::timers_armed(loop()) == 0);
  co_return result + (t.expired() ? " expired" : " not expired");
}

TEST_CASE("reschedule() extends a deadline: the block outlives the first one", "[ch10][timeout]") {
  // deadline 5, moved at 1.0 to 11: the block ends at 9.0, well before it
  CHECK(corio::run(rescheduled(5, 11, 1, 8), corio_test::virtual_time()) == "returned done @9.0 not expired");
}

TEST_CASE("reschedule() shortens a deadline: the block is cut at the new one", "[ch10][timeout]") {
  CHECK(corio::run(rescheduled(5, 2, 1, 8), corio_test::virtual_time()) == "TimeoutError @2.0 expired");
}

TEST_CASE("reschedule(std::nullopt) removes the deadline", "[ch10][timeout]") {
  CHECK(corio::run(rescheduled(2, std::nullopt, 1, 99), corio_test::virtual_time()) ==
        "returned done @100.0 not expired");
}

TEST_CASE("reschedule() to a time already past cancels the block at its next wait", "[ch10][timeout]") {
  CHECK(corio::run(rescheduled(5, 0.5, 1, 8), corio_test::virtual_time()) == "TimeoutError @1.0 expired");
}

corio::Coro<std::string> reschedule_outside_the_block() {
  corio::Timeout t = corio::timeout(5);
  std::string before;
  try {
    t.reschedule(3);
  } catch (const corio::RuntimeError& e) {
    before = e.what();
  }
  CHECK_THAT(before, Contains("not been entered"));
  CHECK(t.when() == 5.0);  // untouched
  std::string result = co_await t.run(fetch(1, "page"));
  std::string after;
  try {
    t.reschedule(10);
  } catch (const corio::RuntimeError& e) {
    after = e.what();
  }
  CHECK_THAT(after, Contains("over"));
  CHECK(corio::detail::LoopAccess::timers_armed(loop()) == 0);  // the refused reschedule armed nothing
  co_return result;
}

TEST_CASE("reschedule() before run() or after the block ended is a RuntimeError", "[ch10][timeout]") {
  CHECK(corio::run(reschedule_outside_the_block(), corio_test::virtual_time()) == "page");
}

corio::Coro<std::string> reschedules_once_cancelled(corio::Timeout& t, std::string& error) {
  bool cancelled = false;
  try {
    co_await corio::sleep(10);
  } catch (const corio::CancelledError&) {
    cancelled = true;
  }
  try {
    t.reschedule(now() + 100);  // too late: the deadline has passed
  } catch (const corio::RuntimeError& e) {
    error = e.what();
  }
  if (cancelled) throw corio::CancelledError();
  co_return "never";
}

corio::Coro<std::string> reschedule_after_expiry() {
  corio::Timeout t = corio::timeout(2);
  std::string error;
  std::string result = co_await outcome(t.run(reschedules_once_cancelled(t, error)));
  CHECK_THAT(error, Contains("Timeout::reschedule"));
  CHECK(corio::detail::LoopAccess::timers_armed(loop()) == 0);
  co_return result;
}

TEST_CASE("reschedule() from a block whose deadline already passed is a RuntimeError, and it still times out",
          "[ch10][timeout]") {
  CHECK(corio::run(reschedule_after_expiry(), corio_test::virtual_time()) == "TimeoutError @2.0");
}

corio::Coro<std::string> runs_twice() {
  Diagnostics diagnostics;  // the refused block's coroutine is never started
  corio::Timeout t = corio::timeout(5);
  co_await t.run(fetch(1, "page"));
  std::string error;
  try {
    co_await t.run(fetch(1, "again"));
  } catch (const corio::RuntimeError& e) {
    error = e.what();
  }
  co_return at(error);
}

TEST_CASE("a Timeout runs one block: a second run() is a RuntimeError", "[ch10][timeout]") {
  CHECK_THAT(corio::run(runs_twice(), corio_test::virtual_time()), Contains("has run a block already") &&
                                                                       Contains("@1.0"));
}

// ----------------------------------------------------------------- expired()

corio::Coro<std::string> swallows_cancellation(corio::Timeout& t, Trace& trace) {
  bool cancelled = false;
  try {
    co_await corio::sleep(10);
  } catch (const corio::CancelledError&) {
    cancelled = true;
    trace.push_back(at(std::string("body caught CancelledError, expired() ") + (t.expired() ? "true" : "false")));
  }
  co_return cancelled ? "kept going" : "slept";
}

corio::Coro<std::string> body_returns_after_expiry(Trace& trace) {
  corio::Timeout t = corio::timeout(5);
  std::string result = co_await outcome(t.run(swallows_cancellation(t, trace)));
  CHECK(t.expired());
  CHECK(cancelling() == 0);
  co_return result;
}

TEST_CASE("a body that swallows the CancelledError and returns gives its result, no TimeoutError; expired() is true",
          "[ch10][timeout]") {
  Trace trace;
  CHECK(corio::run(body_returns_after_expiry(trace), corio_test::virtual_time()) == "returned kept going @5.0");
  CHECK(trace == Trace{"body caught CancelledError, expired() true @5.0"});
}

corio::Coro<> expired_only_when_it_did(Trace& trace) {
  corio::Timeout early = corio::timeout(5);
  CHECK_FALSE(early.expired());
  trace.push_back(co_await outcome(early.run(fetch(4.5, "in time"))));
  CHECK_FALSE(early.expired());

  // A body that raises TimeoutError itself did not expire the block.
  corio::Timeout own = corio::timeout(5);
  trace.push_back(co_await outcome(own.run([]() -> corio::Coro<std::string> {
    co_await corio::sleep(1);
    throw corio::TimeoutError("the body's own");
  }())));
  CHECK_FALSE(own.expired());
}

TEST_CASE("expired() is false for a block that ended in time, or raised TimeoutError by itself", "[ch10][timeout]") {
  Trace trace;
  corio::run(expired_only_when_it_did(trace), corio_test::virtual_time());
  CHECK(trace == Trace{"returned in time @4.5", "TimeoutError 'the body's own' @5.5"});
}

// ------------------------------------------------------------ past deadlines

corio::Coro<std::string> waits_twice(Trace& trace, double first_wait) {
  trace.push_back(at("started"));
  co_await corio::sleep(first_wait);
  trace.push_back(at("past its first wait"));
  co_await corio::sleep(1);
  trace.push_back(at("past its second wait"));
  co_return "done";
}

corio::Coro<std::string> deadline_in_the_past(Trace& trace, bool absolute, double first_wait) {
  co_await corio::sleep(1);
  corio::Timeout t = absolute ? corio::timeout_at(0.5) : corio::timeout(-1);
  std::string result = co_await outcome(t.run(waits_twice(trace, first_wait)));
  CHECK(t.expired());
  CHECK(corio::detail::LoopAccess::timers_armed(loop()) == 0);
  co_return result;
}

TEST_CASE("a deadline already past: the block starts, and is cancelled at its first wait (a sleep)",
          "[ch10][timeout]") {
  bool absolute = GENERATE(true, false);
  Trace trace;
  CHECK(corio::run(deadline_in_the_past(trace, absolute, 5), corio_test::virtual_time()) == "TimeoutError @1.0");
  CHECK(trace == Trace{"started @1.0"});
}

// asyncio arms a past deadline with call_soon, ahead of the task's next
// step: even a sleep(0) is cancelled.
TEST_CASE("a deadline already past: the block is cancelled at its first wait even when that is a sleep(0)",
          "[ch10][timeout]") {
  bool absolute = GENERATE(true, false);
  Trace trace;
  CHECK(corio::run(deadline_in_the_past(trace, absolute, 0), corio_test::virtual_time()) == "TimeoutError @1.0");
  CHECK(trace == Trace{"started @1.0"});
}

// ------------------------------------------------------------ nested blocks

corio::Coro<std::string> inner_times_out_outer_goes_on(corio::Timeout& inner, Trace& trace) {
  trace.push_back(co_await outcome(inner.run(fetch(5, "never"))));
  co_await corio::sleep(1);
  co_return "outer body done";
}

corio::Coro<std::string> inner_expires_first(Trace& trace) {
  corio::Timeout outer = corio::timeout(10);
  corio::Timeout inner = corio::timeout(2);
  std::string result = co_await outcome(outer.run(inner_times_out_outer_goes_on(inner, trace)));
  CHECK(inner.expired());
  CHECK_FALSE(outer.expired());
  CHECK(cancelling() == 0);
  CHECK(corio::detail::LoopAccess::timers_armed(loop()) == 0);
  co_return result;
}

TEST_CASE("nested timeouts, the inner deadline first: the inner block raises TimeoutError and the outer goes on",
          "[ch10][timeout]") {
  Trace trace;
  CHECK(corio::run(inner_expires_first(trace), corio_test::virtual_time()) == "returned outer body done @3.0");
  CHECK(trace == Trace{"TimeoutError @2.0"});
}

// Records what the inner block let out, and lets it go on.
corio::Coro<std::string> inner_block(corio::Timeout& inner, Trace& trace) {
  try {
    co_await inner.run(fetch_that_cleans_up(trace));
  } catch (const corio::TimeoutError&) {
    trace.push_back(at("inner block let out TimeoutError"));
    throw;
  } catch (const corio::CancelledError&) {
    trace.push_back(at("inner block let out CancelledError"));
    throw;
  }
  co_return "never";
}

corio::Coro<std::string> nested(double outer_delay, double inner_delay, Trace& trace) {
  corio::Timeout outer = corio::timeout(outer_delay);
  corio::Timeout inner = corio::timeout(inner_delay);
  std::string result = co_await outcome(outer.run(inner_block(inner, trace)));
  trace.push_back(std::string("outer expired ") + (outer.expired() ? "true" : "false") + ", inner expired " +
                  (inner.expired() ? "true" : "false"));
  CHECK(cancelling() == 0);
  CHECK(corio::detail::LoopAccess::timers_armed(loop()) == 0);
  co_return result;
}

TEST_CASE("nested timeouts, the outer deadline first: CancelledError passes the inner block, the outer raises "
          "TimeoutError",
          "[ch10][timeout]") {
  Trace trace;
  CHECK(corio::run(nested(2, 10, trace), corio_test::virtual_time()) == "TimeoutError @2.0");
  CHECK(trace == Trace{"body saw CancelledError @2.0", "inner block let out CancelledError @2.0",
                       "outer expired true, inner expired false"});
}

TEST_CASE("nested timeouts with the same deadline: the inner lets the CancelledError pass, the outer raises "
          "TimeoutError",
          "[ch10][timeout]") {
  Trace trace;
  CHECK(corio::run(nested(3, 3, trace), corio_test::virtual_time()) == "TimeoutError @3.0");
  CHECK(trace == Trace{"body saw CancelledError @3.0", "inner block let out CancelledError @3.0",
                       "outer expired true, inner expired true"});
}

// ----------------------------------------------- cancellations from outside

corio::Coro<std::string> timed_block_in_a_task(corio::Timeout& t) {
  std::string result = co_await outcome(t.run(fetch(5, "never")));
  co_return result + " cancelling=" + std::to_string(cancelling());
}

corio::Coro<std::string> cancelled_from_outside(double cancel_at, double deadline, bool& expired) {
  corio::Timeout t = corio::timeout_at(deadline);
  corio::Task<std::string> task = corio::create_task(timed_block_in_a_task(t));
  corio::TimerHandle canceller = loop().call_at(cancel_at, [task] { task.cancel(); });
  std::string result = co_await task;
  expired = t.expired();
  canceller.cancel();
  co_return result;
}

TEST_CASE("a cancellation from outside passes a timeout block as CancelledError, and stays counted",
          "[ch10][timeout]") {
  bool expired = true;
  CHECK(corio::run(cancelled_from_outside(1, 10, expired), corio_test::virtual_time()) ==
        "CancelledError @1.0 cancelling=1");
  CHECK_FALSE(expired);
}

TEST_CASE("a cancellation from outside at the very moment of the deadline stays a CancelledError", "[ch10][timeout]") {
  bool expired = false;
  CHECK(corio::run(cancelled_from_outside(2, 2, expired), corio_test::virtual_time()) ==
        "CancelledError @2.0 cancelling=1");
  CHECK(expired);  // the deadline did pass; the block still is not the one to answer for it
}

corio::Coro<std::string> times_out_after_an_ignored_cancel() {
  try {
    co_await corio::sleep(10);
  } catch (const corio::CancelledError&) {
  }
  CHECK(cancelling() == 1);  // caught, not taken back
  std::string result = co_await outcome(corio::timeout(2).run(fetch(5, "never")));
  co_return result + " cancelling=" + std::to_string(cancelling());
}

corio::Coro<std::string> cancel_then_timeout() {
  corio::Task<std::string> task = corio::create_task(times_out_after_an_ignored_cancel());
  co_await corio::sleep(1);
  task.cancel();
  co_return co_await task;
}

TEST_CASE("a timeout in a task with a cancellation already counted still raises TimeoutError and restores the count",
          "[ch10][timeout]") {
  CHECK(corio::run(cancel_then_timeout(), corio_test::virtual_time()) == "TimeoutError @3.0 cancelling=1");
}

// ----------------------------------------------------------------- wait_for

corio::Coro<std::string> wait_for_in_time() {
  Trace got;
  got.push_back(at(co_await corio::wait_for(fetch(1, "coro"), 5)));
  corio::Task<std::string> task = corio::create_task(fetch(1, "task"));
  got.push_back(at(co_await corio::wait_for(task, 5)));
  corio::Future<std::string> future;
  corio::TimerHandle setter = loop().call_later(1, [future]() mutable { future.set_result("future"); });
  got.push_back(at(co_await corio::wait_for(future, 5)));
  got.push_back(at(co_await corio::wait_for(fetch(100, "no limit"), std::nullopt)));
  CHECK(corio::detail::LoopAccess::timers_armed(loop()) == 0);
  std::string all;
  for (const std::string& g : got) all += g + "; ";
  co_return all;
}

TEST_CASE("wait_for gives the result of a coroutine, a task or a future that is in time; nullopt sets no limit",
          "[ch10][timeout]") {
  CHECK(corio::run(wait_for_in_time(), corio_test::virtual_time()) ==
        "coro @1.0; task @2.0; future @3.0; no limit @103.0; ");
}

corio::Coro<std::string> wait_for_then_await_again() {
  corio::Task<std::string> task = corio::create_task(fetch(1, "a page long enough to live on the heap"));
  corio::Future<std::string> future;
  corio::TimerHandle setter = loop().call_later(1, [future]() mutable { future.set_result("a future's long result"); });
  std::string a = co_await corio::wait_for(task, 5.0);
  std::string b = co_await task;
  std::string c = co_await corio::wait_for(future, 5.0);
  std::string d = co_await std::move(future);
  co_return a + "|" + b + "|" + c + "|" + d;
}

TEST_CASE("wait_for on a task or future leaves its result there: awaiting it again gives it again", "[ch10][timeout]") {
  CHECK(corio::run(wait_for_then_await_again(), corio_test::virtual_time()) ==
        "a page long enough to live on the heap|a page long enough to live on the heap|a future's long result|a "
        "future's long result");
}

// Cancelled, it takes 2 s more to tidy up before it lets the cancellation go.
corio::Coro<std::string> slow_with_slow_cleanup(Trace& trace) {
  bool cancelled = false;
  try {
    co_await corio::sleep(10);
  } catch (const corio::CancelledError&) {
    cancelled = true;
    trace.push_back(at("inner cancelled"));
  }
  if (cancelled) {
    co_await corio::sleep(2);
    trace.push_back(at("inner cleanup done"));
    throw corio::CancelledError();
  }
  co_return "never";
}

corio::Coro<std::string> wait_for_coro_expires(Trace& trace) {
  std::string result = co_await outcome(corio::wait_for(slow_with_slow_cleanup(trace), 3));
  CHECK(corio::detail::LoopAccess::timers_armed(loop()) == 0);
  CHECK(cancelling() == 0);
  co_return result;
}

TEST_CASE("wait_for on expiry cancels a coroutine and waits for its cleanup before TimeoutError", "[ch10][timeout]") {
  Trace trace;
  CHECK(corio::run(wait_for_coro_expires(trace), corio_test::virtual_time()) == "TimeoutError @5.0");
  CHECK(trace == Trace{"inner cancelled @3.0", "inner cleanup done @5.0"});
}

corio::Coro<std::string> wait_for_task_expires(Trace& trace) {
  corio::Task<std::string> task = corio::create_task(slow_with_slow_cleanup(trace));
  std::string result = co_await outcome(corio::wait_for(task, 3));
  CHECK(task.done());
  CHECK(task.cancelled());
  co_return result;
}

TEST_CASE("wait_for on expiry cancels a task and waits until it has finished, cleanup included", "[ch10][timeout]") {
  Trace trace;
  CHECK(corio::run(wait_for_task_expires(trace), corio_test::virtual_time()) == "TimeoutError @5.0");
  CHECK(trace == Trace{"inner cancelled @3.0", "inner cleanup done @5.0"});
}

corio::Coro<std::string> wait_for_future_expires() {
  corio::Future<std::string> future;
  std::string result = co_await outcome(corio::wait_for(future, 3));
  CHECK(future.cancelled());
  co_return result;
}

TEST_CASE("wait_for on expiry cancels a future", "[ch10][timeout]") {
  CHECK(corio::run(wait_for_future_expires(), corio_test::virtual_time()) == "TimeoutError @3.0");
}

corio::Coro<std::string> answers_the_cancellation(bool with_value) {
  bool cancelled = false;
  try {
    co_await corio::sleep(10);
  } catch (const corio::CancelledError&) {
    cancelled = true;
  }
  if (cancelled && !with_value) throw std::runtime_error("cleanup failed");
  co_return cancelled ? "value despite the cancellation" : "slept";
}

corio::Coro<std::string> wait_for_answered(bool with_value) {
  co_return co_await outcome(corio::wait_for(answers_the_cancellation(with_value), 3));
}

TEST_CASE("wait_for: an inner coroutine that returns a value when cancelled gives that value, no TimeoutError",
          "[ch10][timeout]") {
  CHECK(corio::run(wait_for_answered(true), corio_test::virtual_time()) ==
        "returned value despite the cancellation @3.0");
}

TEST_CASE("wait_for: an error raised by the inner coroutine while cancelled comes out instead of TimeoutError",
          "[ch10][timeout]") {
  CHECK(corio::run(wait_for_answered(false), corio_test::virtual_time()) == "error 'cleanup failed' @3.0");
}

corio::Coro<std::string> zero_delay_on_done_ones() {
  corio::Task<std::string> task = corio::create_task(fetch(1, "task result"));
  co_await task;
  corio::Future<std::string> future;
  future.set_result("future result");
  std::string from_task = co_await corio::wait_for(task, 0);
  std::string from_future = co_await corio::wait_for(future, 0);
  co_return at(from_task + ", " + from_future);
}

TEST_CASE("wait_for with delay 0 gives the result of a task or future that is done", "[ch10][timeout]") {
  CHECK(corio::run(zero_delay_on_done_ones(), corio_test::virtual_time()) == "task result, future result @1.0");
}

corio::Coro<std::string> zero_delay_on_a_pending_task() {
  corio::Task<std::string> task = corio::create_task(fetch(1, "late"));
  std::string result = co_await outcome(corio::wait_for(task, 0));
  CHECK(task.cancelled());
  co_return result;
}

TEST_CASE("wait_for with delay 0 on a pending task cancels it and raises TimeoutError at once", "[ch10][timeout]") {
  CHECK(corio::run(zero_delay_on_a_pending_task(), corio_test::virtual_time()) == "TimeoutError @0.0");
}

corio::Coro<std::string> quick(bool& started) {
  started = true;
  co_return "quick";
}

corio::Coro<std::string> zero_delay_on_a_coroutine(bool& started) {
  co_return co_await outcome(corio::wait_for(quick(started), 0));
}

// asyncio.wait_for(coro, 0) cancels the new task before its first step.
TEST_CASE("wait_for with delay 0 on a coroutine cancels it before it starts, and raises TimeoutError",
          "[ch10][timeout]") {
  bool started = false;
  CHECK(corio::run(zero_delay_on_a_coroutine(started), corio_test::virtual_time()) == "TimeoutError @0.0");
  CHECK_FALSE(started);
}

corio::Coro<std::string> wait_for_cancelled_from_outside(Trace& trace) {
  corio::Task<std::string> waiter = corio::create_task(outcome(corio::wait_for(slow_with_slow_cleanup(trace), 10)));
  co_await corio::sleep(1);
  waiter.cancel();
  co_return co_await waiter;
}

TEST_CASE("wait_for cancelled from outside cancels the inner one, waits for it, and lets CancelledError through",
          "[ch10][timeout]") {
  Trace trace;
  CHECK(corio::run(wait_for_cancelled_from_outside(trace), corio_test::virtual_time()) == "CancelledError @3.0");
  CHECK(trace == Trace{"inner cancelled @1.0", "inner cleanup done @3.0"});
}

// ------------------------------------------------------ outside of any task

// A coroutine that is no task: it starts at once inside its caller (a plain
// loop callback here) and ends on its own.
struct Bare {
  struct promise_type {
    Bare get_return_object() { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() { std::terminate(); }
  };
};

Bare timed_outside_a_task(std::string& error) {
  try {
    co_await corio::timeout(5).run(fetch(1, "page"));
    error = "no error";
  } catch (const corio::RuntimeError& e) {
    error = e.what();
  }
}

TEST_CASE("a timeout block outside any task is a RuntimeError that says no task is running", "[ch10][timeout]") {
  Diagnostics diagnostics;  // the block's coroutine is never started
  std::string error;
  corio::Loop loop(corio_test::virtual_time());
  loop.call_soon([&] {
    timed_outside_a_task(error);
    loop.stop();
  });
  loop.run_forever();
  CHECK_THAT(error, Contains("no task is running"));
  CHECK(corio::detail::LoopAccess::timers_armed(loop) == 0);
}

// asyncio's idioms `await wait_for(q.get(), t)` and `await wait_for(cond.wait(), t)`:
// the awaiter is moved into the inner task; on the timeout it is cancelled,
// and nothing is lost (the queue keeps its next item; the lock comes back).
corio::Coro<Trace> awaiters_under_wait_for() {
  Trace trace;
  corio::Queue<int> q;
  try {
    co_await corio::wait_for(q.get(), 1);
  } catch (const corio::TimeoutError&) {
    trace.push_back("get timed out at " + std::to_string(now()).substr(0, 3));
  }
  q.put_nowait(7);
  int got = co_await corio::wait_for(q.get(), 1);
  trace.push_back("got " + std::to_string(got) + ", " + std::to_string(q.qsize()) + " left");
  corio::Condition cond;
  co_await cond.acquire();
  try {
    co_await corio::wait_for(cond.wait(), 0.5);
  } catch (const corio::TimeoutError&) {
    trace.push_back(std::string("wait timed out at ") + std::to_string(now()).substr(0, 3) +
                    (cond.locked() ? ", lock held" : ", lock free"));
  }
  cond.release();
  try {
    co_await corio::wait_for(corio::sleep(5), 0.5);
  } catch (const corio::TimeoutError&) {
    trace.push_back("sleep timed out at " + std::to_string(now()).substr(0, 3));
  }
  co_return trace;
}

TEST_CASE("wait_for takes a queue get, a condition wait or a sleep, as asyncio's does", "[ch10][timeout]") {
  CHECK(corio::run(awaiters_under_wait_for(), corio_test::virtual_time()) ==
        Trace{"get timed out at 1.0", "got 7, 0 left", "wait timed out at 1.5, lock held", "sleep timed out at 2.0"});
}

// wait_for of a wait: on expiry the wait is cancelled, and a cancelled wait
// lets go of its children, which run on (asyncio's wait does the same).
corio::Coro<Trace> wait_for_a_wait() {
  Trace trace;
  std::vector<corio::Task<int>> tasks;
  for (int i = 1; i <= 2; ++i) {
    tasks.push_back(corio::create_task([](int n) -> corio::Coro<int> {
      co_await corio::sleep(n);
      co_return n;
    }(i)));
  }
  try {
    co_await corio::wait_for(corio::wait(tasks), 1.5);
  } catch (const corio::TimeoutError&) {
    trace.push_back("timed out at " + std::to_string(now()).substr(0, 3) + (tasks[0].done() ? ", first done" : "") +
                    (tasks[1].done() ? ", second done" : ", second runs on"));
  }
  int second = co_await tasks[1];
  trace.push_back(std::to_string(second) + " at " + std::to_string(now()).substr(0, 3));
  co_return trace;
}

TEST_CASE("wait_for takes a wait: it times out, and the wait's tasks run on", "[ch10][timeout]") {
  CHECK(corio::run(wait_for_a_wait(), corio_test::virtual_time()) ==
        Trace{"timed out at 1.5, first done, second runs on", "2 at 2.0"});
}

// asyncio's documented idiom for a time limit that must not cancel the work:
// `await wait_for(shield(task), 1)` raises TimeoutError, and task runs on.
corio::Coro<Trace> wait_for_a_shield() {
  Trace trace;
  corio::Task<int> work = corio::create_task([]() -> corio::Coro<int> {
    co_await corio::sleep(3);
    co_return 42;
  }());
  try {
    co_await corio::wait_for(corio::shield(work), 1);
  } catch (const corio::TimeoutError&) {
    trace.push_back("timed out at " + std::to_string(now()).substr(0, 3) +
                    (work.done() ? ", work done" : ", work runs on"));
  }
  int value = co_await work;
  trace.push_back(std::to_string(value) + " at " + std::to_string(now()).substr(0, 3));
  co_return trace;
}

TEST_CASE("wait_for(shield(task), t) times out and leaves the task running, as asyncio's documentation shows",
          "[ch10][timeout]") {
  CHECK(corio::run(wait_for_a_shield(), corio_test::virtual_time()) ==
        Trace{"timed out at 1.0, work runs on", "42 at 3.0"});
}

}  // namespace

// ------------------------------------------------------- NaN, huge and infinite times

corio::Coro<int> marks_started(bool& started) {
  started = true;
  co_return 1;
}

corio::Coro<std::string> nan_times() {
  double nan = std::nan("");
  std::string errors;
  bool started = false;
  try {
    (void)co_await corio::wait_for(marks_started(started), nan);
  } catch (const corio::InvalidArgument& e) {
    errors += std::string(e.what()) + " | ";
  }
  try {
    (void)co_await corio::timeout_at(nan).run(marks_started(started));
  } catch (const corio::InvalidArgument& e) {
    errors += std::string(e.what()) + " | ";
  }
  try {
    (void)co_await corio::timeout(nan).run(marks_started(started));
  } catch (const corio::InvalidArgument& e) {
    errors += std::string(e.what()) + " | ";
  }
  corio::Timeout deadline = corio::timeout(5);
  auto body = [&]() -> corio::Coro<> {
    try {
      deadline.reschedule(nan);
    } catch (const corio::InvalidArgument& e) {
      errors += std::string(e.what()) + " | ";
    }
    co_return;
  };
  co_await deadline.run(body());
  for (int i = 0; i < 3; ++i) co_await corio::sleep(0);  // a child started by mistake would run now
  if (started) errors += "a child started";
  CHECK(corio::detail::LoopAccess::timers_armed(loop()) == 0);
  co_return errors;
}

TEST_CASE(
    "a NaN time is refused by wait_for, timeout, timeout_at and reschedule under their own names, "
    "and nothing starts",
    "[ch10][timeout]") {
  Diagnostics diagnostics;  // the coroutines never awaited are reported
  std::string errors = corio::run(nan_times(), corio_test::virtual_time());
  CHECK_THAT(errors, Contains("wait_for: ") && Contains("timeout_at: ") && Contains("timeout: ") &&
                         Contains("Timeout::reschedule: ") && Contains("NaN"));
  CHECK_THAT(errors, !Contains("call_at") && !Contains("a child started"));
}

corio::Coro<std::string> infinite_times() {
  Trace got;
  got.push_back(at(co_await corio::wait_for(fetch(1, "inf"), std::numeric_limits<double>::infinity())));
  got.push_back(at(co_await corio::wait_for(fetch(1, "huge"), 1e300)));
  got.push_back(at(co_await corio::timeout_at(std::numeric_limits<double>::infinity()).run(fetch(1, "at inf"))));
  CHECK(corio::detail::LoopAccess::timers_armed(loop()) == 0);
  std::string all;
  for (const std::string& g : got) all += g + "; ";
  co_return all;
}

TEST_CASE("an infinite or huge timeout never expires in practice", "[ch10][timeout]") {
  CHECK(corio::run(infinite_times(), corio_test::virtual_time()) == "inf @1.0; huge @2.0; at inf @3.0; ");
}

// The child ends, and queues the waiting task, in the iteration the deadline
// fires in: the deadline cancels a task whose wait is already over. asyncio
// 3.11's wait_for returns the child's result then; so does corio's.
TEST_CASE("wait_for returns the result of a child that finished in the iteration its deadline came", "[ch10][timeout]") {
  corio::run([]() -> corio::Coro<> {
    corio::Future<int> done_at_deadline;
    corio::get_running_loop().call_later(1.0, [&] { done_at_deadline.set_result(7); });  // before the deadline's timer
    int got = co_await corio::wait_for(done_at_deadline, 1.0);
    CHECK(got == 7);
    CHECK(corio::get_running_loop().time() == 1.0);

    corio::Future<int> failed_at_deadline;
    corio::get_running_loop().call_later(1.0, [&] {
      failed_at_deadline.set_exception(std::make_exception_ptr(std::runtime_error("child failed")));
    });
    std::string error;
    try {
      co_await corio::wait_for(failed_at_deadline, 1.0);
    } catch (const std::exception& e) {
      error = e.what();
    }
    CHECK(error == "child failed");  // its own error, not TimeoutError

    corio::Future<int> never;
    bool timed_out = false;
    try {
      co_await corio::wait_for(never, 1.0);
    } catch (const corio::TimeoutError&) {
      timed_out = true;
    }
    CHECK(timed_out);
    CHECK(never.cancelled());
  }(), corio_test::virtual_time());
}
