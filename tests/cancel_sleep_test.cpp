// @chapter 09
// A cancelled sleep lets go: its timer leaves the heap, nothing stays hooked.
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
using corio_test::sleep_and_trace;

namespace {

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

// A task that cancels itself and yields with nothing else ready: the
// yield cannot be skipped, since the CancelledError is thrown there.
corio::Coro<> cancel_self_then_yield(bool& after) {
  corio::current_task().cancel();
  co_await corio::sleep(0);
  after = true;
}

corio::Coro<bool> yield_after_cancelling_itself() {
  bool after = false;
  corio::Task<> task = corio::create_task(cancel_self_then_yield(after));
  try {
    co_await task;
  } catch (const corio::CancelledError&) {
  }
  CHECK(task.cancelled());
  co_return after;
}

TEST_CASE("a task that cancels itself, then yields alone, gets its CancelledError at that yield", "[ch09]") {
  CHECK_FALSE(corio::run(yield_after_cancelling_itself(), corio_test::virtual_time()));
}

}  // namespace
