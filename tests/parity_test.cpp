// @chapter 09
// asyncio's behaviour where a port of asyncio code would notice a difference
// (issue 9), for what cancellation and timeouts bring to the earlier
// chapters' waits: gather(return_exceptions) with cancelled children, wait
// and as_completed with a timeout, a gather cancelled from outside; from
// chapter 10, ExceptionGroup by type and wait_for over any awaiter. Each was
// checked against CPython 3.11.
#include <catch2/catch.hpp>

#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <corio/corio.hpp>

#include "support/corio_test.hpp"

namespace {

double now() { return corio::get_running_loop().time(); }

// True when the place holds a CancelledError.
template <class T>
bool holds_cancelled(const corio::Outcome<T>& place) {
  if (place.has_value()) return false;
  try {
    std::rethrow_exception(place.error());
  } catch (const corio::CancelledError&) {
    return true;
  } catch (...) {
    return false;
  }
}

corio::Coro<int> value_after(double seconds, int value) {
  co_await corio::sleep(seconds);
  co_return value;
}

// ---------------------------------------------------------------- gather(return_exceptions) with cancelled children

// asyncio: a cancelled child of gather(..., return_exceptions=True) gives a
// CancelledError in its place; the gather itself is not cancelled.
corio::Coro<> gather_cancelled_tuple() {
  corio::Task<int> sleeper = corio::create_task(value_after(10, 1));
  corio::Task<int> quick = corio::create_task(value_after(1, 2));
  corio::Future<int> future;
  co_await corio::sleep(0);
  sleeper.cancel();
  future.cancel();
  auto [a, b, c] = co_await corio::gather(corio::return_exceptions, sleeper, quick, future);
  CHECK(holds_cancelled(a));
  CHECK(b.value() == 2);
  CHECK(holds_cancelled(c));
  CHECK(now() == 1.0);
}

TEST_CASE("gather(return_exceptions) puts a cancelled task's or future's CancelledError in its place", "[ch09]") {
  corio::run(gather_cancelled_tuple(), corio_test::virtual_time());
}

corio::Coro<> gather_cancelled_vector(bool futures) {
  std::vector<corio::Outcome<int>> places;
  if (futures) {
    std::vector<corio::Future<int>> children(3);
    children[1].cancel();
    children[0].set_result(7);
    children[2].cancel();
    places = co_await corio::gather(corio::return_exceptions, children);
  } else {
    std::vector<corio::Task<int>> children;
    for (int i = 0; i < 3; ++i) children.push_back(corio::create_task(value_after(i, i)));
    children[1].cancel();
    children[2].cancel();
    places = co_await corio::gather(corio::return_exceptions, children);
  }
  REQUIRE(places.size() == 3);
  CHECK(places[0].has_value());
  CHECK(holds_cancelled(places[1]));
  CHECK(holds_cancelled(places[2]));
}

TEST_CASE("gather(return_exceptions) over a vector puts each cancelled child's CancelledError in its place", "[ch09]") {
  bool futures = GENERATE(false, true);
  corio::run(gather_cancelled_vector(futures), corio_test::virtual_time());
}

// E07's worker-pool shutdown (docs/guide.md), as asyncio code writes it: `for w in workers: w.cancel()`, then
// `await asyncio.gather(*workers, return_exceptions=True)`.
corio::Coro<> worker(corio::Queue<int>& queue, int& done) {
  for (;;) {
    int job = co_await queue.get();
    co_await corio::sleep(job);
    ++done;
    queue.task_done();
  }
}

corio::Coro<> worker_pool_shutdown() {
  corio::Queue<int> queue;
  for (int job = 1; job <= 4; ++job) queue.put_nowait(job);
  int done = 0;
  std::vector<corio::Task<>> workers;
  for (int i = 0; i < 2; ++i) workers.push_back(corio::create_task(worker(queue, done)));
  co_await queue.join();
  CHECK(done == 4);
  CHECK(now() == 6.0);
  for (corio::Task<>& w : workers) w.cancel();
  std::vector<corio::Outcome<void>> places = co_await corio::gather(corio::return_exceptions, workers);
  REQUIRE(places.size() == 2);
  CHECK(holds_cancelled(places[0]));
  CHECK(holds_cancelled(places[1]));
  CHECK(workers[0].cancelled());
  CHECK(workers[1].cancelled());
}

TEST_CASE("a worker pool shuts down: cancel every worker, then gather(return_exceptions) gives CancelledErrors",
          "[ch09]") {
  corio::run(worker_pool_shutdown(), corio_test::virtual_time());
}

// ---------------------------------------------------------------- wait and as_completed with a timeout

corio::Coro<> wait_with_timeout(corio::Loop& loop) {
  corio::Task<int> fast = corio::create_task(value_after(1, 1));
  corio::Task<int> slow = corio::create_task(value_after(5, 2));
  std::vector<corio::Task<int>> both{fast, slow};
  auto [done, pending] = co_await corio::wait(both, corio::ALL_COMPLETED, 2.0);
  CHECK(now() == 2.0);  // at the timeout, nothing raised
  REQUIRE(done.size() == 1);
  CHECK(done[0].result() == 1);
  REQUIRE(pending.size() == 1);
  CHECK_FALSE(slow.done());
  CHECK(slow.cancelling() == 0);  // nothing cancelled
  int slow_value = co_await slow;
  CHECK(slow_value == 2);
  CHECK(now() == 5.0);

  std::vector<corio::Task<int>> quick{corio::create_task(value_after(1, 3))};
  auto [first, rest] = co_await corio::wait(quick, corio::FIRST_COMPLETED, 10.0);
  CHECK(now() == 6.0);  // the rule held first
  CHECK(first.size() == 1);
  CHECK(rest.empty());
  CHECK(corio::detail::LoopAccess::timers_armed(loop) == 0);  // the timeout's timer went with the wait

  std::vector<corio::Task<int>> later{corio::create_task(value_after(1, 4))};
  auto [none, all] = co_await corio::wait(later, corio::FIRST_COMPLETED, 0.5);
  CHECK(now() == 6.5);
  CHECK(none.empty());
  CHECK(all.size() == 1);
  co_await later[0];

  // A task that runs a wait keeps its timeout (the wait is moved into it).
  std::vector<corio::Task<int>> last{corio::create_task(value_after(3, 5))};
  auto timed = corio::create_task(corio::wait(last, corio::ALL_COMPLETED, 1.0));
  auto [early, late] = co_await timed;
  CHECK(now() == 8.0);
  CHECK(early.empty());
  CHECK(late.size() == 1);
  co_await last[0];
}

TEST_CASE("wait with a timeout returns (done, pending) at the timeout, raising and cancelling nothing", "[ch09]") {
  corio::Loop* loop = nullptr;
  corio::run(
      [](corio::Loop*& at) -> corio::Coro<> {
        at = &corio::get_running_loop();
        co_await wait_with_timeout(*at);
      }(loop),
      corio_test::virtual_time());
}

corio::Coro<> as_completed_with_timeout() {
  std::vector<corio::Task<int>> tasks;
  for (int seconds : {1, 3, 5}) tasks.push_back(corio::create_task(value_after(seconds, seconds)));
  auto results = corio::as_completed(tasks, 4.0);
  std::vector<std::string> trace;
  while (results.remaining() > 0) {
    try {
      int value = co_await results.next();
      trace.push_back(std::to_string(value) + "@" + std::to_string(now()).substr(0, 3));
    } catch (const corio::TimeoutError&) {
      trace.push_back("TimeoutError@" + std::to_string(now()).substr(0, 3));
    }
  }
  CHECK(trace == std::vector<std::string>{"1@1.0", "3@3.0", "TimeoutError@4.0"});
  CHECK_FALSE(tasks[2].done());  // left running
  CHECK(tasks[2].cancelling() == 0);
  int last = co_await tasks[2];
  CHECK(last == 5);
  CHECK(now() == 5.0);
}

TEST_CASE("as_completed with a timeout: each next() after it raises TimeoutError, and the tasks run on", "[ch09]") {
  corio::run(as_completed_with_timeout(), corio_test::virtual_time());
}

corio::Coro<> as_completed_timeout_before_next() {
  std::vector<corio::Task<int>> tasks;
  for (int seconds : {1, 3}) tasks.push_back(corio::create_task(value_after(seconds, seconds)));
  auto results = corio::as_completed(tasks, 2.0);
  co_await corio::sleep(2.5);  // the timeout passed while nobody waited in next()
  int first = co_await results.next();
  CHECK(first == 1);
  bool timed_out = false;
  try {
    co_await results.next();
  } catch (const corio::TimeoutError&) {
    timed_out = true;
  }
  CHECK(timed_out);
  CHECK(results.remaining() == 0);
  CHECK(now() == 2.5);
  co_await tasks[1];
}

TEST_CASE("as_completed's timeout counts from the call: results in before it come first, then TimeoutError", "[ch09]") {
  corio::run(as_completed_timeout_before_next(), corio_test::virtual_time());
}

// @since 10
// ---------------------------------------------------------------- ExceptionGroup by type

struct Refused : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct BadReply : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::vector<std::string> whats(const std::optional<corio::ExceptionGroup>& group) {
  std::vector<std::string> out;
  if (!group) return out;
  for (const std::exception_ptr& error : group->exceptions()) {
    try {
      std::rethrow_exception(error);
    } catch (const corio::ExceptionGroup& nested) {
      out.push_back("group(" + std::to_string(nested.exceptions().size()) + ")");
    } catch (const std::exception& e) {
      out.push_back(e.what());
    }
  }
  return out;
}

TEST_CASE("ExceptionGroup: message() alone, split<E>() and subgroup<E>() by type, nested groups included", "[ch10]") {
  corio::ExceptionGroup inner("inner", {std::make_exception_ptr(Refused("b")), std::make_exception_ptr(BadReply("c"))});
  corio::ExceptionGroup group(
      "unhandled errors in a TaskGroup",
      {std::make_exception_ptr(Refused("a")), std::make_exception_ptr(inner), std::make_exception_ptr(BadReply("d"))});
  CHECK(group.message() == "unhandled errors in a TaskGroup");
  CHECK_THAT(group.what(), Catch::Matchers::StartsWith("unhandled errors in a TaskGroup (3 sub-exceptions)"));

  auto [refused, rest] = group.split<Refused>();
  REQUIRE(refused);
  REQUIRE(rest);
  CHECK(refused->message() == "unhandled errors in a TaskGroup");
  CHECK(whats(refused) == std::vector<std::string>{"a", "group(1)"});
  CHECK(whats(rest) == std::vector<std::string>{"group(1)", "d"});

  CHECK(whats(group.subgroup<BadReply>()) == std::vector<std::string>{"group(1)", "d"});
  CHECK_FALSE(group.subgroup<std::logic_error>());
  auto [all, none] = group.split<std::runtime_error>();  // the group is a runtime_error itself, as in Python
  CHECK(all->exceptions().size() == 3);
  CHECK_FALSE(none);
  auto [errors, no_rest] = group.split<std::exception>();
  CHECK(errors);
  CHECK_FALSE(no_rest);
}

// ---------------------------------------------------------------- awaiters a user writes, wherever a task goes

corio::Coro<> awaiters_everywhere() {
  corio::Event ev;
  corio::Lock lock;
  corio::Semaphore sem(0);
  corio::Queue<int> q;
  q.put_nowait(1);

  bool timed_out = false;
  try {
    co_await corio::wait_for(ev.wait(), 1);
  } catch (const corio::TimeoutError&) {
    timed_out = true;
  }
  CHECK(timed_out);
  CHECK(now() == 1.0);

  corio::get_running_loop().call_later(1, [&] {
    (void)q.get_nowait();
    q.task_done();
  });
  co_await corio::wait_for(q.join(), 5);
  CHECK(now() == 2.0);

  co_await lock.acquire();
  corio::get_running_loop().call_later(1, [&] { lock.release(); });
  bool locked = co_await corio::shield(lock.acquire());
  CHECK(locked);
  CHECK(now() == 3.0);

  corio::get_running_loop().call_later(1, [&] {
    ev.set();
    sem.release();
  });
  auto [woke, acquired] = co_await corio::gather(ev.wait(), sem.acquire());
  CHECK(woke);
  CHECK(acquired);
  CHECK(now() == 4.0);
  lock.release();
}

TEST_CASE("wait_for, shield and gather take ev.wait(), q.join(), lock.acquire() and sem.acquire() as they are",
          "[ch10]") {
  corio::run(awaiters_everywhere(), corio_test::virtual_time());
}
// @end

// ---------------------------------------------------------------- a gather to cancel: create_task(gather(...))

corio::Coro<> cancel_a_gather_task() {
  corio::Task<int> a = corio::create_task(value_after(1, 1));
  corio::Task<int> b = corio::create_task(value_after(10, 2));
  auto both = corio::create_task(corio::gather(a, b));
  CHECK_FALSE(both.done());
  co_await corio::sleep(2);
  CHECK_FALSE(both.done());
  CHECK(both.cancel());  // asyncio's gather(...).cancel(): every unfinished child is cancelled
  try {
    co_await both;
    FAIL("the gather was not cancelled");
  } catch (const corio::CancelledError&) {
  }
  CHECK(both.done());
  CHECK(both.cancelled());
  CHECK(b.cancelled());
  CHECK(a.result() == 1);
  CHECK(now() == 2.0);
}

TEST_CASE("create_task(gather(...)) is a gather to cancel and ask done(), as asyncio's gather future", "[ch09]") {
  corio::run(cancel_a_gather_task(), corio_test::virtual_time());
}

}  // namespace
