// @chapter 07
// Lock: one holder at a time, passed on in the order coroutines asked for
// it; releasing a lock nobody holds throws; the scoped form releases on
// every way out.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include <corio/corio.hpp>
#include <corio/sync/lock.hpp>

#include "support/corio_test.hpp"

using corio_test::Life;
using corio_test::Lives;

namespace {

corio::Coro<> deposit(corio::Lock* lock, int& balance, int amount) {
  if (lock) co_await lock->acquire();
  int read = balance;
  co_await corio::sleep(0.1);  // a round trip to the database, say
  balance = read + amount;
  if (lock) lock->release();
}

corio::Coro<double> ten_deposits(corio::Lock* lock, int& balance) {
  double start = corio::get_running_loop().time();
  std::vector<corio::Task<>> tasks;
  for (int i = 0; i < 10; ++i) tasks.push_back(corio::create_task(deposit(lock, balance, 10)));
  for (corio::Task<>& task : tasks) co_await task;
  co_return corio::get_running_loop().time() - start;
}

TEST_CASE("a lock held across an await keeps a read-modify-write whole; without it updates are lost", "[ch07]") {
  int balance = 0;
  double took = corio::run(ten_deposits(nullptr, balance), corio_test::virtual_time());
  CHECK(balance == 10);  // every task read 0: nine deposits lost
  CHECK(took == 0.1);

  corio::Lock lock;
  balance = 0;
  took = corio::run(ten_deposits(&lock, balance), corio_test::virtual_time());
  CHECK(balance == 100);
  CHECK(took == Approx(1.0).margin(1e-9));  // one at a time: ten round trips
  CHECK_FALSE(lock.locked());
}

corio::Coro<> take_in_turn(corio::Lock& lock, int id, std::vector<int>& order) {
  co_await lock.acquire();
  order.push_back(id);
  co_await corio::sleep(0);
  lock.release();
}

corio::Coro<> queue_and_cut_in(corio::Lock& lock, std::vector<int>& order) {
  co_await lock.acquire();
  std::vector<corio::Task<>> tasks;
  for (int id = 1; id <= 4; ++id) tasks.push_back(corio::create_task(take_in_turn(lock, id, order)));
  co_await corio::sleep(0);  // 1..4 are queued, in that order
  lock.release();            // the lock passes to 1, which has not run yet
  CHECK(lock.locked());
  co_await lock.acquire();  // so main, a newcomer now, goes after 4
  order.push_back(0);
  lock.release();
  for (corio::Task<>& task : tasks) co_await task;
}

TEST_CASE("the lock is fair: waiters get it in the order they asked, and a newcomer queues behind them",
          "[ch07]") {
  corio::Lock lock;
  std::vector<int> order;
  corio::run(queue_and_cut_in(lock, order), corio_test::virtual_time());
  CHECK(order == std::vector<int>{1, 2, 3, 4, 0});
}

TEST_CASE("releasing a lock nobody holds throws RuntimeError", "[ch07]") {
  corio::Lock lock;
  CHECK_FALSE(lock.locked());
  CHECK_THROWS_MATCHES(lock.release(), corio::RuntimeError,
                       Catch::Message("Lock is not acquired. (release() was called on a lock nobody holds; release "
                                      "once per acquire())"));
}

corio::Coro<> lock_twice(corio::Lock& lock, std::vector<std::string>& trace) {
  co_await lock.acquire();
  trace.push_back(lock.locked() ? "locked" : "unlocked");
  lock.release();
  trace.push_back(lock.locked() ? "locked" : "unlocked");
  CHECK_THROWS_AS(lock.release(), corio::RuntimeError);
}

TEST_CASE("acquire locks, release unlocks, and a second release throws", "[ch07]") {
  corio::Lock lock;
  std::vector<std::string> trace;
  corio::run(lock_twice(lock, trace), corio_test::virtual_time());
  CHECK(trace == std::vector<std::string>{"locked", "unlocked"});
}

corio::Coro<> fail_holding(corio::Lock& lock, [[maybe_unused]] Life life) {
  auto held = co_await lock.hold();
  co_await corio::sleep(0.5);
  throw std::runtime_error("write failed");
}

corio::Coro<> succeed_holding(corio::Lock& lock, [[maybe_unused]] Life life, double& got_it_at) {
  auto held = co_await lock.hold();
  got_it_at = corio::get_running_loop().time();
}

corio::Coro<> guard_on_error(corio::Lock& lock, Lives& lives, double& got_it_at) {
  corio::Task<> failing = corio::create_task(fail_holding(lock, Life(lives)));
  corio::Task<> next = corio::create_task(succeed_holding(lock, Life(lives), got_it_at));
  CHECK_THROWS_WITH(co_await failing, "write failed");
  co_await next;
}

TEST_CASE("the guard from hold() releases the lock when the holder throws, and the next waiter gets it",
          "[ch07]") {
  corio::Lock lock;
  Lives lives;
  double got_it_at = -1;
  corio::run(guard_on_error(lock, lives, got_it_at), corio_test::virtual_time());
  CHECK(got_it_at == 0.5);
  CHECK_FALSE(lock.locked());
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
}

// asyncio's Lock.acquire() returns True: `if (await lock.acquire()):`.
corio::Coro<> acquire_returns_true(corio::Lock& lock) {
  bool first = co_await lock.acquire();
  CHECK(first);
  corio::Task<bool> second = corio::create_task(lock.acquire());
  co_await corio::sleep(0);
  CHECK_FALSE(second.done());
  lock.release();
  bool waited = co_await second;
  CHECK(waited);
  CHECK(lock.locked());
  lock.release();
}

TEST_CASE("Lock::acquire() returns true, as asyncio's does, whether it waited or not", "[ch07]") {
  corio::Lock lock;
  corio::run(acquire_returns_true(lock), corio_test::virtual_time());
}

}  // namespace
