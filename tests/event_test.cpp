// @chapter 07
// Event: set() wakes every waiter, through the loop, on the next iteration;
// wait() on a set event returns at once; clear() makes wait() wait again;
// each waiter is a small node in its own frame.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <corio/corio.hpp>
#include <corio/sync/event.hpp>

#include "support/corio_test.hpp"

using corio_test::Diagnostics;
using corio_test::Life;
using corio_test::Lives;

namespace {

corio::Coro<> wait_and_record(corio::Event& ev, int id, std::vector<std::string>& trace) {
  co_await ev.wait();
  trace.push_back("woke " + std::to_string(id));
}

corio::Coro<> set_wakes_all(corio::Event& ev, std::vector<std::string>& trace) {
  std::vector<corio::Task<>> tasks;
  for (int id = 0; id < 3; ++id) tasks.push_back(corio::create_task(wait_and_record(ev, id, trace)));
  co_await corio::sleep(0);  // all three wait
  ev.set();
  trace.push_back("set");
  CHECK(ev.is_set());
  co_await corio::sleep(0);  // the next iteration: the waiters ran, then main
  trace.push_back("main again");
  for (corio::Task<>& task : tasks) co_await task;
}

TEST_CASE("set() wakes every waiter, oldest first, on the next iteration and not inside set()", "[ch07]") {
  corio::Event ev;
  std::vector<std::string> trace;
  corio::run(set_wakes_all(ev, trace), corio_test::virtual_time());
  CHECK(trace == std::vector<std::string>{"set", "woke 0", "woke 1", "woke 2", "main again"});
}

corio::Coro<> wait_on_set(corio::Event& ev, std::vector<std::string>& trace) {
  corio::Task<> other = corio::create_task(
      [](std::vector<std::string>& t) -> corio::Coro<> {
        t.push_back("other task");
        co_return;
      }(trace));
  ev.set();
  co_await ev.wait();
  trace.push_back("wait returned");
  co_await other;
}

TEST_CASE("wait() on a set event returns at once, without giving the loop a turn", "[ch07]") {
  corio::Event ev;
  std::vector<std::string> trace;
  corio::run(wait_on_set(ev, trace), corio_test::virtual_time());
  CHECK(trace == std::vector<std::string>{"wait returned", "other task"});
}

corio::Coro<> clear_then_wait(corio::Event& ev, std::vector<std::string>& trace) {
  corio::Task<> first = corio::create_task(wait_and_record(ev, 1, trace));
  co_await corio::sleep(0);
  ev.set();
  ev.clear();  // too late to stop the waiter set() woke
  CHECK_FALSE(ev.is_set());
  co_await first;
  corio::Task<> second = corio::create_task(wait_and_record(ev, 2, trace));
  co_await corio::sleep(1.0);
  trace.push_back("after 1 s: still waiting");  // clear() made wait() wait again
  ev.set();
  ev.set();  // a set event: nothing more happens
  co_await second;
  trace.push_back("at " + std::to_string(corio::get_running_loop().time()));
}

TEST_CASE("clear() makes wait() wait again, but does not take back the wakeups set() gave", "[ch07]") {
  corio::Event ev;
  std::vector<std::string> trace;
  corio::run(clear_then_wait(ev, trace), corio_test::virtual_time());
  CHECK(trace == std::vector<std::string>{"woke 1", "after 1 s: still waiting", "woke 2", "at 1.000000"});
}

corio::Coro<int> wait_with_life(corio::Event& ev, [[maybe_unused]] Life life) {
  co_await ev.wait();
  co_return 1;
}

corio::Coro<> start_signal(corio::Event& ev, Lives& lives, int& total, double& at) {
  std::vector<corio::Task<int>> tasks;
  for (int i = 0; i < 1000; ++i) tasks.push_back(corio::create_task(wait_with_life(ev, Life(lives))));
  co_await corio::sleep(2.5);
  ev.set();
  for (corio::Task<int>& task : tasks) total += co_await task;
  at = corio::get_running_loop().time();
}

TEST_CASE("1000 tasks waiting on one event all go on when it is set, and each frame dies once", "[ch07]") {
  corio::Event ev;
  Lives lives;
  int total = 0;
  double at = -1;
  corio::run(start_signal(ev, lives, total, at), corio_test::virtual_time());
  CHECK(total == 1000);
  CHECK(at == 2.5);
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
}

corio::Coro<> wait_forever(corio::Event& ev, [[maybe_unused]] Life life) { co_await ev.wait(); }

corio::Coro<> leave_waiting(corio::Event& ev, Lives& lives) {
  corio::create_task(wait_forever(ev, Life(lives)));
  corio::create_task(wait_forever(ev, Life(lives)));
  co_await corio::sleep(0);
}

TEST_CASE("a frame destroyed while it waits leaves the event's list, so a later set() touches nothing gone",
          "[ch07]") {
  corio::Event ev;
  Lives lives;
  {
    Diagnostics diagnostics;
    corio_test::run_and_close(leave_waiting(ev, lives));
    CHECK(diagnostics.messages.size() == 2);
  }
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
  ev.set();  // nobody waits: under AddressSanitizer a dangling node would show here
  CHECK(ev.is_set());
}

// Until it is in line the node's back link holds the event, so the awaiter
// is the node and nothing more.
// @before 09
// TEST_CASE("an event's awaiter is its waiter node alone: three words in the waiting frame", "[ch07]") {
//   CHECK(sizeof(corio::detail::WaiterNode) == 3 * sizeof(void*));
//   CHECK(sizeof(corio::detail::EventAwaiter) == 3 * sizeof(void*));
// }
// @end
// @since 09
// Chapter 09 adds one word: the awaiter's kind, which says how it is told
// it was cancelled.
TEST_CASE("an event's awaiter is its waiter node alone: four words in the waiting frame", "[ch09]") {
  CHECK(sizeof(corio::detail::WaiterNode) == 4 * sizeof(void*));
  CHECK(sizeof(corio::detail::EventAwaiter) == 4 * sizeof(void*));
}
// @end

// The event an awaiter keeps in its node's back link survives the move into
// a task's frame, and each awaiter joins its own event's line.
corio::Coro<> moved_awaiters_keep_their_event(corio::Event& a, corio::Event& b) {
  std::vector<corio::Task<bool>> on_a, on_b;
  for (int i = 0; i < 3; ++i) {
    on_a.push_back(corio::create_task(a.wait()));
    on_b.push_back(corio::create_task(b.wait()));
  }
  co_await corio::sleep(0);
  b.set();
  co_await corio::sleep(0);
  for (auto& t : on_a) CHECK_FALSE(t.done());
  for (auto& t : on_b) CHECK(t.done());
  a.set();
  for (auto& t : on_a) CHECK(co_await t);
}

TEST_CASE("awaiters moved into tasks wait on their own event, each in its own line", "[ch07]") {
  corio::Event a, b;
  corio::run(moved_awaiters_keep_their_event(a, b), corio_test::virtual_time());
}

// asyncio's Event.wait() returns True, so `if (await ev.wait()):` ports
// unchanged: at once on a set event, and after waiting for set().
corio::Coro<> wait_returns_true(corio::Event& ev) {
  corio::Task<bool> waiter = corio::create_task(ev.wait());
  co_await corio::sleep(0);
  CHECK_FALSE(waiter.done());
  ev.set();
  bool woke = co_await waiter;
  CHECK(woke);
  if (co_await ev.wait()) co_return;
  FAIL("wait() on a set event did not return true");
}

TEST_CASE("Event::wait() returns true, as asyncio's does, whether it waited or not", "[ch07]") {
  corio::Event ev;
  corio::run(wait_returns_true(ev), corio_test::virtual_time());
}

}  // namespace
