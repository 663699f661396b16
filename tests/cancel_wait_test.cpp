// @chapter 09
// Cancelling a task in wait(), gather() or as_completed()'s next(): wait()
// lets its children run on, gather() cancels them, next() leaves the result.
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
using corio_test::now;
using corio_test::tick;
using corio_test::ended_cancelled;

namespace {

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

}  // namespace
