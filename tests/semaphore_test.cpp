// @chapter 07
// Semaphore and BoundedSemaphore: permits never exceed the bound, waiters
// get them in the order they asked, a newcomer cannot jump the queue, the
// scoped form releases on every way out, and no permit or frame is lost.
#include <catch2/catch.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include <corio/corio.hpp>
#include <corio/sync/semaphore.hpp>

#include "support/corio_test.hpp"

using corio_test::Diagnostics;
using corio_test::Life;
using corio_test::Lives;

namespace {

struct Flight {
  int now = 0;
  int max = 0;
  int done = 0;
};

// E06's simulated client: a request takes half a second.
corio::Coro<> client_get(Flight& flight) {
  flight.max = std::max(flight.max, ++flight.now);
  co_await corio::sleep(0.5);
  --flight.now;
  ++flight.done;
}

corio::Coro<> fetch_with_limit(corio::Semaphore& sem, Flight& flight) {
  auto held = co_await sem.hold();
  co_await client_get(flight);
}

corio::Coro<double> hundred_requests(corio::Semaphore& sem, Flight& flight) {
  std::vector<corio::Task<>> tasks;
  for (int i = 0; i < 100; ++i) tasks.push_back(corio::create_task(fetch_with_limit(sem, flight)));
  for (corio::Task<>& task : tasks) co_await task;
  co_return corio::get_running_loop().time();
}

TEST_CASE("100 requests through Semaphore(10) never have more than 10 in flight and take exactly 5.0 s",
          "[ch07][E06]") {
  corio::Semaphore sem(10);
  Flight flight;
  double took = corio::run(hundred_requests(sem, flight), corio_test::virtual_time());
  CHECK(flight.max == 10);
  CHECK(flight.done == 100);
  CHECK(took == 5.0);  // 100 / 10 * 0.5 s
  CHECK(sem.value() == 10);
  CHECK_FALSE(sem.locked());
}

corio::Coro<> count_holders(corio::Semaphore& sem, Flight& flight) {
  co_await sem.acquire();
  flight.max = std::max(flight.max, ++flight.now);
  co_await corio::sleep(0);
  --flight.now;
  ++flight.done;
  sem.release();
}

corio::Coro<> many_holders(corio::Semaphore& sem, Flight& flight, int n) {
  std::vector<corio::Task<>> tasks;
  for (int i = 0; i < n; ++i) tasks.push_back(corio::create_task(count_holders(sem, flight)));
  for (corio::Task<>& task : tasks) co_await task;
}

TEST_CASE("permits never exceed the bound, however many tasks contend for them", "[ch07]") {
  int value = GENERATE(1, 3, 10);
  corio::Semaphore sem(value);
  Flight flight;
  corio::run(many_holders(sem, flight, 1000), corio_test::virtual_time());
  CHECK(flight.max == value);
  CHECK(flight.done == 1000);
  CHECK(sem.value() == static_cast<std::size_t>(value));
}

corio::Coro<> take_and_record(corio::Semaphore& sem, int id, std::vector<int>& order) {
  co_await sem.acquire();
  order.push_back(id);
}

corio::Coro<> release_one_by_one(corio::Semaphore& sem, std::vector<int>& order) {
  std::vector<corio::Task<>> tasks;
  for (int id = 0; id < 5; ++id) tasks.push_back(corio::create_task(take_and_record(sem, id, order)));
  co_await corio::sleep(0);  // all five are queued now, 0 first
  CHECK(order.empty());
  for (int i = 0; i < 5; ++i) {
    sem.release();
    co_await corio::sleep(0);
    CHECK(order.size() == static_cast<std::size_t>(i + 1));
  }
  for (corio::Task<>& task : tasks) co_await task;
}

TEST_CASE("each release wakes the longest waiter: waiters get permits in the order they asked", "[ch07]") {
  corio::Semaphore sem(0);
  std::vector<int> order;
  corio::run(release_one_by_one(sem, order), corio_test::virtual_time());
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4});
}

corio::Coro<> newcomer_waits(corio::Semaphore& sem, std::vector<std::string>& trace) {
  co_await sem.acquire();
  corio::Task<> first = corio::create_task(
      [](corio::Semaphore& s, std::vector<std::string>& t) -> corio::Coro<> {
        co_await s.acquire();
        t.push_back("waiter");
        s.release();
      }(sem, trace));
  co_await corio::sleep(0);  // the waiter queues
  sem.release();             // hands the permit to the waiter, which has not run yet
  trace.push_back("released");
  CHECK(sem.locked());
  CHECK(sem.value() == 0);
  co_await sem.acquire();  // a newcomer: it queues behind the waiter
  trace.push_back("newcomer");
  sem.release();
  co_await first;
}

TEST_CASE("a newcomer cannot jump the queue: a released permit already belongs to the waiter", "[ch07]") {
  corio::Semaphore sem(1);
  std::vector<std::string> trace;
  corio::run(newcomer_waits(sem, trace), corio_test::virtual_time());
  CHECK(trace == std::vector<std::string>{"released", "waiter", "newcomer"});
  CHECK(sem.value() == 1);
}

corio::Coro<> acquire_free(corio::Semaphore& sem, std::vector<std::string>& trace) {
  corio::Task<> other = corio::create_task(
      [](std::vector<std::string>& t) -> corio::Coro<> {
        t.push_back("other task");
        co_return;
      }(trace));
  co_await sem.acquire();
  co_await sem.acquire();
  trace.push_back("two permits taken");
  CHECK(sem.locked());
  sem.release();
  sem.release();
  co_await other;
}

TEST_CASE("acquire with a permit free goes on at once, without giving the loop a turn", "[ch07]") {
  corio::Semaphore sem(2);
  std::vector<std::string> trace;
  corio::run(acquire_free(sem, trace), corio_test::virtual_time());
  CHECK(trace == std::vector<std::string>{"two permits taken", "other task"});
}

TEST_CASE("release above the initial value: a Semaphore counts up, a BoundedSemaphore throws ValueError", "[ch07]") {
  corio::Semaphore plain(2);
  plain.release();
  CHECK(plain.value() == 3);

  corio::BoundedSemaphore bounded(2);
  CHECK_THROWS_MATCHES(bounded.release(), corio::ValueError,
                       Catch::Message("BoundedSemaphore released too many times: all 2 permits are free already; "
                                      "release() only what acquire() took"));
  CHECK(bounded.value() == 2);
  // ValueError is corio's InvalidArgument too.
  CHECK_THROWS_AS(corio::BoundedSemaphore(0).release(), corio::InvalidArgument);
}

corio::Coro<> bounded_cycle(corio::BoundedSemaphore& sem) {
  co_await sem.acquire();
  co_await sem.acquire();
  sem.release();
  sem.release();
  CHECK_THROWS_AS(sem.release(), corio::ValueError);
}

TEST_CASE("a BoundedSemaphore accepts each release that matches an acquire", "[ch07]") {
  corio::BoundedSemaphore sem(2);
  corio::run(bounded_cycle(sem), corio_test::virtual_time());
  CHECK(sem.value() == 2);
}

TEST_CASE("a negative initial value throws ValueError", "[ch07]") {
  CHECK_THROWS_MATCHES(corio::Semaphore(-1), corio::ValueError,
                       Catch::Message("Semaphore initial value must be >= 0 (got -1); it is the number of holders "
                                      "allowed at once"));
  CHECK_THROWS_AS(corio::BoundedSemaphore(-3), corio::ValueError);
}

corio::Coro<> hold_and_throw(corio::Semaphore& sem) {
  auto held = co_await sem.hold();
  CHECK(sem.value() == 0);
  co_await corio::sleep(0.1);
  throw std::runtime_error("request failed");
}

corio::Coro<> hold_and_return(corio::Semaphore& sem, int& inside) {
  auto held = co_await sem.hold();
  inside = static_cast<int>(sem.value());
}

corio::Coro<> scoped_uses(corio::Semaphore& sem, int& inside) {
  co_await hold_and_return(sem, inside);
  CHECK(sem.value() == 1);
  CHECK_THROWS_WITH(co_await hold_and_throw(sem), "request failed");
  CHECK(sem.value() == 1);
  {
    auto held = co_await sem.hold();
    auto moved = std::move(held);  // the permit goes with the move, and is released once
    CHECK(sem.value() == 0);
  }
  CHECK(sem.value() == 1);
}

TEST_CASE("the guard from hold() releases on a normal exit, on an exception, and once after a move", "[ch07]") {
  corio::Semaphore sem(1);
  int inside = -1;
  corio::run(scoped_uses(sem, inside), corio_test::virtual_time());
  CHECK(inside == 0);
  CHECK(sem.value() == 1);
}

corio::Coro<> waiter_with_life([[maybe_unused]] Life life, corio::Semaphore& sem) {
  auto held = co_await sem.hold();
  co_await corio::sleep(0.25);
}

corio::Coro<> lives_through(corio::Semaphore& sem, Lives& lives) {
  std::vector<corio::Task<>> tasks;
  for (int i = 0; i < 20; ++i) tasks.push_back(corio::create_task(waiter_with_life(Life(lives), sem)));
  for (corio::Task<>& task : tasks) co_await task;
}

TEST_CASE("every waiter's frame is destroyed exactly once", "[ch07]") {
  corio::Semaphore sem(4);
  Lives lives;
  corio::run(lives_through(sem, lives), corio_test::virtual_time());
  CHECK(lives.made > 0);
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
}

corio::Coro<> wait_forever([[maybe_unused]] Life life, corio::Semaphore& sem) { co_await sem.acquire(); }

corio::Coro<> leave_waiters(corio::Semaphore& sem, Lives& lives) {
  co_await sem.acquire();
  corio::create_task(wait_forever(Life(lives), sem));
  corio::create_task(wait_forever(Life(lives), sem));
  co_await corio::sleep(0);
}

TEST_CASE("a frame destroyed while it waits leaves the queue: the permit goes to nobody gone", "[ch07]") {
  corio::Semaphore sem(1);
  Lives lives;
  {
    Diagnostics diagnostics;
    corio_test::run_and_close(leave_waiters(sem, lives));
    CHECK(diagnostics.messages.size() == 2);
  }
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
  sem.release();  // nobody waits any more: the permit is free
  CHECK(sem.value() == 1);
}

TEST_CASE("a frame destroyed after it was handed a permit, before it ran, gives the permit back", "[ch07]") {
  corio::Semaphore sem(0);
  Lives lives;
  {
    Diagnostics diagnostics;
    corio::Loop loop(corio_test::virtual_time());
    // Iteration 1 makes the waiter; in iteration 2 it queues, and then the
    // permit is handed to it in the very iteration that stops the loop.
    loop.call_soon([&] { corio::create_task(wait_forever(Life(lives), sem)); });
    loop.call_soon([&] {
      loop.call_soon([&] {
        sem.release();
        loop.stop();
      });
    });
    loop.run_forever();
    CHECK(sem.value() == 0);  // the permit is the waiter's, which has not run
    CHECK(lives.alive() == 1);
  }  // the loop closes: the pending waiter is destroyed
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
  CHECK(sem.value() == 1);
}

corio::Coro<> wait_on(corio::Semaphore& sem) { co_await sem.acquire(); }

TEST_CASE("coroutines of two loops cannot wait on one semaphore at once", "[ch07]") {
  Diagnostics diagnostics;
  corio::Semaphore sem(0);
  // The first loop stops with a coroutine waiting on sem, and stays alive
  // (with its waiter) while a second loop runs.
  corio::Loop first(corio_test::virtual_time());
  first.call_soon([&] { corio::create_task(wait_on(sem)); });
  first.call_soon([&] { first.call_soon([&] { first.stop(); }); });
  first.run_forever();
  REQUIRE(sem.locked());
  CHECK_THROWS_MATCHES(corio::run(wait_on(sem), corio_test::virtual_time()), corio::RuntimeError,
                       Catch::Message("Semaphore is bound to a different event loop: coroutines of another loop "
                                      "are waiting on it; use one primitive per loop"));
}

// asyncio's Semaphore.acquire() returns True: `if (await sem.acquire()):`.
corio::Coro<> sem_acquire_returns_true(corio::Semaphore& sem) {
  bool first = co_await sem.acquire();
  CHECK(first);
  corio::Task<bool> second = corio::create_task(sem.acquire());
  co_await corio::sleep(0);
  CHECK_FALSE(second.done());
  sem.release();
  bool waited = co_await second;
  CHECK(waited);
  CHECK(sem.value() == 0);
}

TEST_CASE("Semaphore::acquire() returns true, as asyncio's does, whether it waited or not", "[ch07]") {
  corio::Semaphore sem(1);
  corio::run(sem_acquire_returns_true(sem), corio_test::virtual_time());
}

}  // namespace
