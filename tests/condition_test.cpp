// @chapter 07
// Condition: wait() releases the lock and returns holding it again; notify(n)
// wakes n waiters oldest first, notify_all() all of them; wait_for loops on
// a predicate; both refuse a caller without the lock.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <corio/sync/condition.hpp>
#include <corio/corio.hpp>

#include "support/corio_test.hpp"

using corio_test::Diagnostics;
using corio_test::Life;
using corio_test::Lives;

namespace {

corio::Coro<> waiter(corio::Condition& cond, int id, std::vector<std::string>& trace) {
  auto held = co_await cond.hold();
  co_await cond.wait();
  trace.push_back("woke " + std::to_string(id) + (cond.locked() ? " holding the lock" : " without the lock"));
}

corio::Coro<> notify_some(corio::Condition& cond, std::vector<std::string>& trace) {
  std::vector<corio::Task<>> tasks;
  for (int id = 0; id < 5; ++id) tasks.push_back(corio::create_task(waiter(cond, id, trace)));
  co_await corio::sleep(0);
  CHECK_FALSE(cond.locked());  // every waiter released the lock as it began to wait
  {
    auto held = co_await cond.hold();
    cond.notify();
    trace.push_back("notify(1)");
  }
  co_await corio::sleep(0.1);
  {
    auto held = co_await cond.hold();
    cond.notify(2);
    trace.push_back("notify(2)");
    co_await corio::sleep(0.1);  // the notified wait for the lock, which is still held
    trace.push_back("release");
  }
  co_await corio::sleep(0.1);
  {
    auto held = co_await cond.hold();
    cond.notify_all();
    trace.push_back("notify_all()");
  }
  for (corio::Task<>& task : tasks) co_await task;
}

TEST_CASE("notify(n) wakes n waiters oldest first, notify_all() the rest, each returning with the lock",
          "[ch07]") {
  corio::Condition cond;
  std::vector<std::string> trace;
  corio::run(notify_some(cond, trace), corio_test::virtual_time());
  CHECK(trace == std::vector<std::string>{
                     "notify(1)", "woke 0 holding the lock",
                     "notify(2)", "release", "woke 1 holding the lock", "woke 2 holding the lock",
                     "notify_all()", "woke 3 holding the lock", "woke 4 holding the lock"});
  CHECK_FALSE(cond.locked());
}

corio::Coro<> without_lock(corio::Condition& cond) {
  CHECK_THROWS_MATCHES(co_await cond.wait(), corio::RuntimeError,
                       Catch::Message("cannot wait on un-acquired lock: acquire the condition's lock before wait(), "
                                      "e.g. `auto held = co_await cond.hold();`"));
  co_return;
}

TEST_CASE("wait() and notify() without the lock throw RuntimeError", "[ch07]") {
  corio::Condition cond;
  corio::run(without_lock(cond), corio_test::virtual_time());
  CHECK_THROWS_MATCHES(cond.notify(), corio::RuntimeError,
                       Catch::Message("cannot notify on un-acquired lock: acquire the condition's lock before "
                                      "notify()"));
  CHECK_THROWS_AS(cond.notify_all(), corio::RuntimeError);
}

struct Stock {
  int items = 0;
};

corio::Coro<int> consume(corio::Condition& cond, Stock& stock, int want, std::vector<std::string>& trace) {
  auto held = co_await cond.hold();
  int seen = co_await cond.wait_for([&] { return stock.items >= want ? stock.items : 0; });
  stock.items -= want;
  trace.push_back("took " + std::to_string(want) + " at " + std::to_string(corio::get_running_loop().time()));
  co_return seen;
}

corio::Coro<> produce(corio::Condition& cond, Stock& stock, std::vector<std::string>& trace,
                      std::vector<int>& seen) {
  corio::Task<int> big = corio::create_task(consume(cond, stock, 3, trace));
  corio::Task<int> small = corio::create_task(consume(cond, stock, 1, trace));
  for (int i = 0; i < 4; ++i) {
    co_await corio::sleep(1.0);
    auto held = co_await cond.hold();
    ++stock.items;
    cond.notify_all();
  }
  seen.push_back(co_await big);
  seen.push_back(co_await small);
}

TEST_CASE("wait_for checks the predicate after every wakeup and returns its last result", "[ch07]") {
  corio::Condition cond;
  Stock stock;
  std::vector<std::string> trace;
  std::vector<int> seen;
  corio::run(produce(cond, stock, trace, seen), corio_test::virtual_time());
  // small takes the first item at 1 s; big sees 3 only at 4 s.
  CHECK(trace == std::vector<std::string>{"took 1 at 1.000000", "took 3 at 4.000000"});
  CHECK(seen == std::vector<int>{3, 1});
  CHECK(stock.items == 0);
}

corio::Coro<> true_at_once(corio::Condition& cond, std::vector<std::string>& trace) {
  auto held = co_await cond.hold();
  bool ok = co_await cond.wait_for([] { return true; });
  trace.push_back(ok ? "no wait" : "?");
}

TEST_CASE("wait_for with a predicate already true does not wait", "[ch07]") {
  corio::Condition cond;
  std::vector<std::string> trace;
  corio::run(true_at_once(cond, trace), corio_test::virtual_time());
  CHECK(trace == std::vector<std::string>{"no wait"});
}

corio::Coro<> shared_lock(corio::Lock& lock, corio::Condition& cond, std::vector<std::string>& trace) {
  corio::Task<> w = corio::create_task(waiter(cond, 7, trace));
  co_await corio::sleep(0);
  co_await lock.acquire();  // the condition's lock is this very lock
  CHECK(cond.locked());
  cond.notify();
  lock.release();
  co_await w;
}

TEST_CASE("a condition made with a lock shares that lock", "[ch07]") {
  corio::Lock lock;
  corio::Condition cond(lock);
  std::vector<std::string> trace;
  corio::run(shared_lock(lock, cond, trace), corio_test::virtual_time());
  CHECK(trace == std::vector<std::string>{"woke 7 holding the lock"});
  CHECK_FALSE(lock.locked());
}

corio::Coro<> wait_forever(corio::Condition& cond, [[maybe_unused]] Life life) {
  auto held = co_await cond.hold();
  co_await cond.wait();
}

corio::Coro<> leave_waiting(corio::Condition& cond, Lives& lives) {
  corio::create_task(wait_forever(cond, Life(lives)));  // notified: then waits for the lock
  corio::create_task(wait_forever(cond, Life(lives)));  // still waits on the condition
  co_await corio::sleep(0);
  co_await cond.acquire();
  cond.notify();
}

TEST_CASE("frames destroyed while they wait, on the condition or for its lock, are destroyed once and leave "
          "nothing behind",
          "[ch07]") {
  corio::Condition cond;
  Lives lives;
  {
    Diagnostics diagnostics;
    corio_test::run_and_close(leave_waiting(cond, lives));
    CHECK(diagnostics.messages.size() == 2);
  }
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
  // The frames' guards ran as they died: the first released the lock main
  // kept, the second found it free and, rightly, released nothing.
  CHECK_FALSE(cond.locked());
  CHECK_THROWS_AS(cond.release(), corio::RuntimeError);
}

// cond.wait() as a task: it releases the lock its creator holds, and the
// task ends holding it again, after a notify (asyncio's Lock has no owner
// either, so create_task(cond.wait()) works the same there).
corio::Coro<std::vector<std::string>> condition_wait_as_a_task() {
  corio::Condition cond;
  std::vector<std::string> seen;
  co_await cond.acquire();
  corio::Task<void> waiter = corio::create_task(cond.wait());
  co_await corio::sleep(0);
  seen.push_back(cond.locked() ? "locked" : "released");
  co_await cond.acquire();
  cond.notify();
  cond.release();
  co_await waiter;
  seen.push_back(cond.locked() ? "locked" : "released");
  cond.release();
  co_return seen;
}

TEST_CASE("a condition wait becomes a task of its own: it releases the lock, and ends holding it", "[ch07]") {
  CHECK(corio::run(condition_wait_as_a_task(), corio_test::virtual_time()) ==
        std::vector<std::string>{"released", "locked"});
}

}  // namespace
