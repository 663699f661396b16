// @chapter 06
// wait() in its three modes, with exact virtual times and exact done and
// pending sets, and as_completed() giving results in completion order.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include <corio/waiting/as_completed.hpp>
#include <corio/corio.hpp>
#include <corio/waiting/wait.hpp>

#include "support/corio_test.hpp"

using Catch::Matchers::Contains;
using corio_test::Diagnostics;
using corio_test::Life;
using corio_test::Lives;

namespace {

double now() { return corio::get_running_loop().time(); }

corio::Coro<std::string> job(std::string name, double delay) {
  co_await corio::sleep(delay);
  co_return name;
}

corio::Coro<std::string> failing_job(std::string name, double delay) {
  co_await corio::sleep(delay);
  throw std::runtime_error(name + " failed");
}

using Tasks = std::vector<corio::Task<std::string>>;

// The names of the tasks, in the order given.
std::vector<std::string> names(const Tasks& tasks) {
  std::vector<std::string> out;
  for (const auto& t : tasks) out.push_back(t.get_name());
  return out;
}

Tasks three(double a, double b, double c, bool b_fails = false) {
  Tasks tasks;
  tasks.push_back(corio::create_task(job("a", a), "a"));
  tasks.push_back(corio::create_task(b_fails ? failing_job("b", b) : job("b", b), "b"));
  tasks.push_back(corio::create_task(job("c", c), "c"));
  return tasks;
}

corio::Coro<> all_completed() {
  auto [done, pending] = co_await corio::wait(three(3, 1, 2));
  CHECK(now() == 3.0);
  CHECK(names(done) == std::vector<std::string>{"a", "b", "c"});
  CHECK(pending.empty());
}

TEST_CASE("wait(ALL_COMPLETED) returns when the last task is done, with every task in done", "[ch06]") {
  corio::run(all_completed(), corio_test::virtual_time());
}

corio::Coro<> first_completed() {
  Tasks tasks = three(3, 1, 2);
  auto [done, pending] = co_await corio::wait(tasks, corio::FIRST_COMPLETED);
  CHECK(now() == 1.0);
  CHECK(names(done) == std::vector<std::string>{"b"});
  CHECK(names(pending) == std::vector<std::string>{"a", "c"});
  CHECK(done[0].result() == "b");
  // The pending ones were not cancelled: they finish on their own time.
  CHECK(co_await pending[0] == "a");
  CHECK(now() == 3.0);
}

TEST_CASE("wait(FIRST_COMPLETED) returns when one task is done; the others stay pending and run on", "[ch06]") {
  corio::run(first_completed(), corio_test::virtual_time());
}

corio::Coro<> first_exception() {
  auto [done, pending] = co_await corio::wait(three(1, 2, 3, true), corio::FIRST_EXCEPTION);
  CHECK(now() == 2.0);
  CHECK(names(done) == std::vector<std::string>{"a", "b"});
  CHECK(names(pending) == std::vector<std::string>{"c"});
  CHECK_THROWS_WITH(done[1].result(), "b failed");
  co_await pending[0];
}

TEST_CASE("wait(FIRST_EXCEPTION) returns when a task fails, and does not throw its error", "[ch06]") {
  corio::run(first_exception(), corio_test::virtual_time());
}

corio::Coro<> first_exception_without_one() {
  auto [done, pending] = co_await corio::wait(three(1, 2, 3), corio::FIRST_EXCEPTION);
  CHECK(now() == 3.0);
  CHECK(done.size() == 3);
  CHECK(pending.empty());
}

TEST_CASE("wait(FIRST_EXCEPTION) acts as ALL_COMPLETED when nothing fails", "[ch06]") {
  corio::run(first_exception_without_one(), corio_test::virtual_time());
}

corio::Coro<> errors_stay_in_the_tasks() {
  auto [done, pending] = co_await corio::wait(three(1, 2, 3, true));
  CHECK(now() == 3.0);
  CHECK(pending.empty());
  REQUIRE(done.size() == 3);
  CHECK(done[1].exception() != nullptr);
}

TEST_CASE("wait(ALL_COMPLETED) never throws a task's error; it stays in the task", "[ch06]") {
  Diagnostics diagnostics;
  corio::run(errors_stay_in_the_tasks(), corio_test::virtual_time());
  CHECK(diagnostics.messages.empty());  // exception() retrieved it
}

corio::Coro<> same_iteration() {
  auto [done, pending] = co_await corio::wait(three(1, 1, 2), corio::FIRST_COMPLETED);
  CHECK(now() == 1.0);
  CHECK(names(done) == std::vector<std::string>{"a", "b"});  // both finished before wait resumed
  CHECK(names(pending) == std::vector<std::string>{"c"});
  co_await pending[0];
}

TEST_CASE("wait sorts the tasks when it resumes: two that finish together are both done", "[ch06]") {
  corio::run(same_iteration(), corio_test::virtual_time());
}

corio::Coro<> already_done() {
  Tasks tasks = three(1, 2, 0);
  co_await tasks[2];
  CHECK(now() == 0.0);
  bool other_ran = false;
  corio::get_running_loop().call_soon([&] { other_ran = true; });
  auto [done, pending] = co_await corio::wait(tasks, corio::FIRST_COMPLETED);
  CHECK_FALSE(other_ran);  // settled already: no suspension at all
  CHECK(names(done) == std::vector<std::string>{"c"});
  CHECK(pending.size() == 2);
  co_await corio::wait(pending);
  CHECK(now() == 2.0);
}

TEST_CASE("wait returns at once when the tasks already settle it", "[ch06]") {
  corio::run(already_done(), corio_test::virtual_time());
}

corio::Coro<> futures() {
  std::vector<corio::Future<int>> fs(3);
  corio::get_running_loop().call_later(0.5, [f = fs[1]]() mutable { f.set_result(2); });
  auto [done, pending] = co_await corio::wait(fs, corio::FIRST_COMPLETED);
  CHECK(now() == 0.5);
  REQUIRE(done.size() == 1);
  CHECK(done[0].result() == 2);
  CHECK(pending.size() == 2);
}

TEST_CASE("wait takes Futures as well as Tasks", "[ch06]") { corio::run(futures(), corio_test::virtual_time()); }

// asyncio's wait is a coroutine, so a task can run it: the wait moves into
// the task's frame before it is awaited, and the task ends when it would.
corio::Coro<> wait_as_a_task() {
  corio::Task<corio::WaitResult<corio::Task<std::string>>> waiting =
      corio::create_task(corio::wait(three(3, 1, 2), corio::FIRST_COMPLETED));
  auto [done, pending] = co_await waiting;
  CHECK(now() == 1.0);
  CHECK(names(done) == std::vector<std::string>{"b"});
  CHECK(names(pending) == std::vector<std::string>{"a", "c"});
  for (auto& t : pending) co_await t;
  CHECK(now() == 3.0);
}

TEST_CASE("a wait can be a task: create_task(wait(...)) returns when the wait would", "[ch06]") {
  corio::run(wait_as_a_task(), corio_test::virtual_time());
}

// asyncio makes a set of its argument, so there a task given twice is one
// child; corio keeps the vector as given, place for place (decision 185).
corio::Coro<> repeats_count_twice() {
  corio::Task<std::string> a = corio::create_task(job("a", 1), "a");
  Tasks twice{a, a};  // named first: GCC 12 destroys twice a braced temporary made inside a co_await
  auto [done, pending] = co_await corio::wait(twice);
  CHECK(names(done) == std::vector<std::string>{"a", "a"});
  CHECK(pending.empty());
  corio::Task<std::string> b = corio::create_task(job("b", 1), "b");
  auto results = corio::as_completed(Tasks{b, b});
  CHECK(results.remaining() == 2);
  std::vector<std::string> seen;
  while (results.remaining() > 0) seen.push_back(co_await results.next());
  CHECK(seen == std::vector<std::string>{"b", "b"});
  CHECK(now() == 2.0);
}

TEST_CASE("a task given twice to wait or as_completed counts twice (asyncio's set counts it once)", "[ch06]") {
  corio::run(repeats_count_twice(), corio_test::virtual_time());
}

corio::Coro<> wait_for_nothing() { co_await corio::wait(Tasks{}); }

TEST_CASE("wait refuses an empty set of tasks, as asyncio does", "[ch06]") {
  CHECK_THROWS_AS(corio::run(wait_for_nothing(), corio_test::virtual_time()), corio::InvalidArgument);
  CHECK_THROWS_WITH(corio::run(wait_for_nothing(), corio_test::virtual_time()), Contains("empty"));
}

// as_completed

corio::Coro<> in_completion_order(std::vector<std::string>& seen) {
  std::vector<corio::Coro<std::string>> coros;
  coros.push_back(job("slow", 3));
  coros.push_back(failing_job("broken", 2));
  coros.push_back(job("fast", 1));
  auto results = corio::as_completed(std::move(coros));
  CHECK(results.remaining() == 3);
  while (results.remaining() > 0) {
    try {
      std::string name = co_await results.next();
      seen.push_back(name + "@" + std::to_string(now()).substr(0, 3));
    } catch (const std::runtime_error& e) {
      seen.push_back(std::string(e.what()) + "@" + std::to_string(now()).substr(0, 3));
    }
  }
  CHECK_THROWS_AS(results.next(), corio::InvalidStateError);
}

TEST_CASE("as_completed gives each result when its child completes, errors thrown in their turn", "[ch06]") {
  std::vector<std::string> seen;
  corio::run(in_completion_order(seen), corio_test::virtual_time());
  CHECK(seen == std::vector<std::string>{"fast@1.0", "broken failed@2.0", "slow@3.0"});
}

// A second consumer arriving after the waiter was woken but before it ran
// must be refused, not handed the entry promised to the first.
corio::Coro<> second_consumer_in_the_wake_up_window(std::string& refused, std::string& first_got) {
  std::vector<corio::Coro<std::string>> coros;
  coros.push_back(job("only", 1));
  auto results = corio::as_completed(std::move(coros));
  co_await corio::sleep(0);  // the job arms its 1 s timer first, so at 1.0 it completes just before this callback
  corio::get_running_loop().call_later(1.0, [&] {
    try {
      (void)results.next();
    } catch (const corio::RuntimeError& e) {
      refused = e.what();
    }
  });
  first_got = co_await results.next();
}

TEST_CASE("as_completed refuses a second consumer between the first one's wake-up and its resumption", "[ch06]") {
  std::string refused;
  std::string first_got;
  corio::run(second_consumer_in_the_wake_up_window(refused, first_got), corio_test::virtual_time());
  CHECK_THAT(refused, Contains("two coroutines"));
  CHECK(first_got == "only");
}

corio::Coro<std::vector<std::string>> tasks_in_completion_order() {
  Tasks tasks = three(2, 0, 1);
  co_await corio::sleep(1.5);  // b and c are done before as_completed starts: listed in argument order
  auto completed = corio::as_completed(tasks);
  std::vector<std::string> seen;
  while (completed.remaining() > 0) {
    corio::Task<std::string> task = co_await completed.next_done();
    CHECK(task.done());
    seen.push_back(task.get_name() + "@" + std::to_string(now()).substr(0, 3));
  }
  co_return seen;
}

TEST_CASE("as_completed's next_done gives the finished tasks themselves", "[ch06]") {
  CHECK(corio::run(tasks_in_completion_order(), corio_test::virtual_time()) ==
        std::vector<std::string>{"b@1.5", "c@1.5", "a@2.0"});
}

corio::Coro<> nothing_completes() {
  auto completed = corio::as_completed(Tasks{});
  CHECK(completed.remaining() == 0);
  CHECK_THROWS_AS(completed.next(), corio::InvalidStateError);
  co_return;
}

TEST_CASE("as_completed over nothing has nothing to give", "[ch06]") {
  corio::run(nothing_completes(), corio_test::virtual_time());
}

corio::Coro<int> living(Lives& lives, double delay) {
  Life life(lives);
  co_await corio::sleep(delay);
  co_return 1;
}

corio::Coro<> wait_lives(Lives& lives) {
  std::vector<corio::Task<int>> tasks;
  for (double d : {1.0, 2.0, 3.0}) tasks.push_back(corio::create_task(living(lives, d)));
  auto [done, pending] = co_await corio::wait(tasks, corio::FIRST_COMPLETED);
  CHECK(lives.alive() == 2);
  co_await corio::wait(pending);
  std::vector<corio::Coro<int>> coros;
  for (double d : {2.0, 1.0}) coros.push_back(living(lives, d));
  auto completed = corio::as_completed(std::move(coros));
  co_await completed.next();  // the other is left running, and finishes later
  co_await corio::sleep(2);
}

TEST_CASE("every frame waited on by wait or as_completed is destroyed exactly once", "[ch06]") {
  Lives lives;
  corio::run(wait_lives(lives), corio_test::virtual_time());
  CHECK(lives.made == 5);
  CHECK(lives.ended == 5);
  CHECK(lives.twice == 0);
}

corio::Coro<> wait_on(std::vector<corio::Future<int>> futures, Lives& lives) {
  Life life(lives);
  co_await corio::wait(std::move(futures));
}

corio::Coro<> leave_waiting(std::vector<corio::Future<int>>& futures, Lives& lives) {
  futures.resize(2);
  corio::create_task(wait_on(futures, lives));  // the loop holds the task
  {
    // The as_completed object holds the only handles of two more futures.
    auto completed = corio::as_completed(std::vector<corio::Future<int>>(2));
    auto also = corio::as_completed(futures);
    CHECK(completed.remaining() == 2);
  }
  co_await corio::sleep(1);
}

TEST_CASE("frames and objects gone mid-wait leave no waiter on the children", "[ch06]") {
  Diagnostics diagnostics;
  Lives lives;
  std::vector<corio::Future<int>> futures;
  corio_test::run_and_close(leave_waiting(futures, lives));
  CHECK(diagnostics.any_contains("Task was destroyed but it is pending"));
  CHECK(lives.made == 1);
  CHECK(lives.ended == 1);
  // A node left behind would be notified here (AddressSanitizer, in make
  // check, reports the dead frame it points into).
  futures[0].set_result(1);
  futures[1].set_result(2);
  CHECK(futures[1].done());
}

}  // namespace
