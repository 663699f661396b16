// @chapter 09
// shield(): a cancellation of the awaiting task stops only its wait; the
// shielded task runs on to its result.
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

namespace {

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

// A shield is a child of gather like any awaitable: cancelling the gather
// cancels its child task, which stops only that task's wait.
corio::Coro<> gather_a_shield(Lives& lives) {
  corio::Task<int> inner = corio::create_task(slow_value(lives));
  auto both = [](corio::Task<int> shielded) -> corio::Coro<int> {
    auto [a, b] = co_await corio::gather(corio::shield(shielded), corio::sleep(10));
    co_return a;
  };
  corio::Task<int> outer = corio::create_task(both(inner));
  co_await corio::sleep(1);
  outer.cancel();
  co_await tick();
  co_await tick();
  CHECK(outer.cancelled());
  CHECK_FALSE(inner.done());
  int value = co_await inner;
  CHECK(value == 42);
  CHECK(now() == 5.0);
}

TEST_CASE("gather takes a shield(): cancelling the gather leaves the shielded task running", "[ch09]") {
  Lives lives;
  corio::run(gather_a_shield(lives), corio_test::virtual_time());
  CHECK(lives.made == 1);
  CHECK(lives.alive() == 0);
}

}  // namespace
