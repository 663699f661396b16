// @chapter 10
// TaskGroup: run() returns once every child has finished; the first failure
// cancels the siblings and the block, and every error comes out together as
// one ExceptionGroup; a cancellation from outside cancels the children and
// passes on as CancelledError; create_task is refused outside the group's
// life without leaving a coroutine behind; groups nest and take timeouts.
#include <catch2/catch.hpp>

#include <coroutine>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <corio/corio.hpp>

#include "support/corio_test.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::UnorderedEquals;
using corio_test::Diagnostics;
using corio_test::Life;
using corio_test::Lives;

namespace {

using Trace = std::vector<std::string>;

corio::Loop& loop() { return corio::get_running_loop(); }
double now() { return loop().time(); }

std::string at(const std::string& what) {
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, " @%.1f", now());
  return what + stamp;
}

std::uint32_t cancelling() { return corio::current_task().cancelling(); }

corio::Coro<int> after(double delay, int value) {
  co_await corio::sleep(delay);
  co_return value;
}

corio::Coro<int> fails_after(double delay, std::string message) {
  co_await corio::sleep(delay);
  throw std::runtime_error(message);
}

// Sleeps; cancelled, it records it, takes `cleanup` seconds to tidy up, and
// lets the cancellation go on.
corio::Coro<int> sleeper(std::string name, double delay, double cleanup, Trace& trace) {
  bool cancelled = false;
  try {
    co_await corio::sleep(delay);
  } catch (const corio::CancelledError&) {
    cancelled = true;
    trace.push_back(at(name + " cancelled"));
  }
  if (cancelled) {
    if (cleanup > 0) co_await corio::sleep(cleanup);
    trace.push_back(at(name + " cleaned up"));
    throw corio::CancelledError();
  }
  co_return 0;
}

// An error as text; an ExceptionGroup as the list of its errors.
std::string describe(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const corio::ExceptionGroup& group) {
    std::string text = "ExceptionGroup[";
    for (std::size_t i = 0; i < group.exceptions().size(); ++i) {
      text += (i == 0 ? "" : "; ") + describe(group.exceptions()[i]);
    }
    return text + "]";
  } catch (const corio::TimeoutError&) {
    return "TimeoutError";
  } catch (const corio::CancelledError&) {
    return "CancelledError";
  } catch (const std::exception& e) {
    return e.what();
  }
}

// What a group's run() ended with, and when.
template <class T>
corio::Coro<std::string> outcome(corio::Coro<T> run) {
  std::string what;
  try {
    co_await std::move(run);
    what = "returned";
  } catch (...) {
    what = describe(std::current_exception());
  }
  co_return at(what);
}

// ----------------------------------------------------------- the happy path

corio::Coro<std::string> starts_three(corio::TaskGroup& group, std::vector<corio::Task<int>>& tasks) {
  tasks.push_back(group.create_task(after(1, 10)));
  tasks.push_back(group.create_task(after(3, 30), "slowest"));
  tasks.push_back(group.create_task(after(2, 20)));
  co_return at("body done");
}

corio::Coro<std::string> waits_for_every_child() {
  corio::TaskGroup group;
  std::vector<corio::Task<int>> tasks;
  std::string body = co_await group.run(starts_three(group, tasks));
  CHECK(now() == 3.0);  // the slowest child, not the body, sets the end
  REQUIRE(tasks.size() == 3);
  for (const corio::Task<int>& task : tasks) CHECK(task.done());
  CHECK(tasks[0].result() == 10);
  CHECK(tasks[1].result() == 30);
  CHECK(tasks[2].result() == 20);
  CHECK(tasks[1].get_name() == "slowest");
  CHECK(cancelling() == 0);
  co_return body;
}

TEST_CASE("TaskGroup::run waits for every child and returns the body's value; the children's results stay readable",
          "[ch10][taskgroup]") {
  CHECK(corio::run(waits_for_every_child(), corio_test::virtual_time()) == "body done @0.0");
}

corio::Coro<> body_outlasts_children(corio::TaskGroup& group, Trace& trace) {
  group.create_task([](Trace& t) -> corio::Coro<> {
    co_await corio::sleep(1);
    t.push_back(at("child done"));
  }(trace));
  co_await corio::sleep(5);
  trace.push_back(at("body done"));
}

corio::Coro<double> slow_body() {
  Trace trace;
  corio::TaskGroup group;
  co_await group.run(body_outlasts_children(group, trace));
  CHECK(trace == Trace{"child done @1.0", "body done @5.0"});
  co_return now();
}

TEST_CASE("TaskGroup::run with a body slower than its children returns when the body does", "[ch10][taskgroup]") {
  CHECK(corio::run(slow_body(), corio_test::virtual_time()) == 5.0);
}

corio::Coro<int> grandchild_starter(corio::TaskGroup& group, Trace& trace) {
  co_await corio::sleep(1);
  group.create_task([](Trace& t) -> corio::Coro<> {
    co_await corio::sleep(2);
    t.push_back(at("started by a child, done"));
  }(trace));
  co_return 1;
}

corio::Coro<double> child_adds_a_child() {
  Trace trace;
  corio::TaskGroup group;
  co_await group.run([](corio::TaskGroup& g, Trace& t) -> corio::Coro<> {
    g.create_task(grandchild_starter(g, t));
    co_return;
  }(group, trace));
  CHECK(trace == Trace{"started by a child, done @3.0"});
  co_return now();
}

TEST_CASE("a child may add children to its group while the group waits; run() waits for those too",
          "[ch10][taskgroup]") {
  CHECK(corio::run(child_adds_a_child(), corio_test::virtual_time()) == 3.0);
}

// -------------------------------------------------------------- failures

struct Started {
  std::optional<corio::Task<int>> failing;
  std::optional<corio::Task<int>> sibling;
};

corio::Coro<> one_child_fails(corio::TaskGroup& group, Started& started, Trace& trace) {
  started.failing = group.create_task(fails_after(1, "child A failed"));
  started.sibling = group.create_task(sleeper("child B", 10, 2, trace));
  co_await sleeper("body", 10, 0.5, trace);
}

corio::Coro<std::string> first_failure(Started& started, Trace& trace, std::string& what) {
  corio::TaskGroup group;
  try {
    co_await group.run(one_child_fails(group, started, trace));
  } catch (const corio::ExceptionGroup& e) {
    what = e.what();
  }
  CHECK(cancelling() == 0);  // the group took its own cancellation of the body back
  co_return at("ended");
}

TEST_CASE("the first child failure cancels the siblings and the body, waits for their cleanup, and raises "
          "ExceptionGroup",
          "[ch10][taskgroup]") {
  Started started;
  Trace trace;
  std::string what;
  CHECK(corio::run(first_failure(started, trace, what), corio_test::virtual_time()) == "ended @3.0");
  CHECK_THAT(trace, UnorderedEquals(Trace{"child B cancelled @1.0", "body cancelled @1.0", "body cleaned up @1.5",
                                          "child B cleaned up @3.0"}));
  CHECK(what == "unhandled errors in a TaskGroup (1 sub-exception): child A failed");
  REQUIRE(started.sibling);
  CHECK(started.sibling->cancelled());
  REQUIRE(started.failing);
  CHECK_FALSE(started.failing->cancelled());
  CHECK(describe(started.failing->exception()) == "child A failed");
}

corio::Coro<std::string> group_outcome(corio::TaskGroup& group, corio::Coro<> body) {
  std::string result = co_await outcome(group.run(std::move(body)));
  co_return result + " cancelling=" + std::to_string(cancelling());
}

corio::Coro<> two_fail_together(corio::TaskGroup& group, Trace& trace) {
  group.create_task(fails_after(1, "A failed"));
  group.create_task(sleeper("B", 10, 0, trace));
  group.create_task(fails_after(1, "C failed"));
  co_await corio::sleep(10);
}

corio::Coro<> exception_group_holds_both(std::string& what, std::size_t& count, Trace& errors) {
  Trace trace;
  corio::TaskGroup group;
  try {
    co_await group.run(two_fail_together(group, trace));
  } catch (const corio::ExceptionGroup& e) {
    what = e.what();
    count = e.exceptions().size();
    for (const std::exception_ptr& error : e.exceptions()) errors.push_back(describe(error));
  }
  CHECK(now() == 1.0);
  CHECK(trace == Trace{"B cancelled @1.0", "B cleaned up @1.0"});
}

TEST_CASE("two children failing at the same moment both land in the ExceptionGroup, and what() lists them",
          "[ch10][taskgroup]") {
  std::string what;
  std::size_t count = 0;
  Trace errors;
  corio::run(exception_group_holds_both(what, count, errors), corio_test::virtual_time());
  CHECK(count == 2);
  CHECK_THAT(errors, UnorderedEquals(Trace{"A failed", "C failed"}));
  CHECK_THAT(what, Contains("unhandled errors in a TaskGroup (2 sub-exceptions): ") && Contains("A failed") &&
                       Contains("C failed") && Contains("; "));
}

corio::Coro<> body_fails(corio::TaskGroup& group, Trace& trace) {
  group.create_task(sleeper("child", 10, 0, trace));
  co_await corio::sleep(1);
  throw std::runtime_error("body failed");
}

TEST_CASE("a body that raises: its error goes into the ExceptionGroup and the children are cancelled",
          "[ch10][taskgroup]") {
  Trace trace;
  CHECK(corio::run(
            [](Trace& t) -> corio::Coro<std::string> {
              corio::TaskGroup group;
              co_return co_await group_outcome(group, body_fails(group, t));
            }(trace),
            corio_test::virtual_time()) == "ExceptionGroup[body failed] @1.0 cancelling=0");
  CHECK(trace == Trace{"child cancelled @1.0", "child cleaned up @1.0"});
}

// Cancelled by the group, the body raises an error of its own instead.
corio::Coro<> body_fails_when_cancelled(corio::TaskGroup& group) {
  group.create_task(fails_after(1, "child failed"));
  bool cancelled = false;
  try {
    co_await corio::sleep(10);
  } catch (const corio::CancelledError&) {
    cancelled = true;
  }
  if (cancelled) throw std::runtime_error("body failed too");
}

TEST_CASE("a child's error and then the body's: both in the ExceptionGroup, the children's first",
          "[ch10][taskgroup]") {
  CHECK(corio::run(
            []() -> corio::Coro<std::string> {
              corio::TaskGroup group;
              co_return co_await group_outcome(group, body_fails_when_cancelled(group));
            }(),
            corio_test::virtual_time()) == "ExceptionGroup[child failed; body failed too] @1.0 cancelling=0");
}

corio::Coro<> child_error_dropped(Lives& lives) {
  corio::TaskGroup group;
  try {
    co_await group.run([](corio::TaskGroup& g, Lives& l) -> corio::Coro<> {
      g.create_task([](Life) -> corio::Coro<int> {
        co_await corio::sleep(1);
        throw std::runtime_error("child failed");
      }(Life(l)));  // the Task handle is dropped at once
      co_return;
    }(group, lives));
  } catch (const corio::ExceptionGroup&) {
  }
}

TEST_CASE("a child's error, handed to the ExceptionGroup, is not reported as never retrieved", "[ch10][taskgroup]") {
  Diagnostics diagnostics;
  Lives lives;
  corio::run(child_error_dropped(lives), corio_test::virtual_time());
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
  CHECK_FALSE(diagnostics.any_contains("never retrieved"));
  CHECK(diagnostics.messages.empty());
}

// ------------------------------------------------ cancellation from outside

corio::Coro<> children_and_body_wait(corio::TaskGroup& group, Trace& trace, bool body_waits) {
  group.create_task(sleeper("child B", 10, 1, trace));
  group.create_task(sleeper("child C", 10, 0, trace));
  if (body_waits) co_await sleeper("body", 10, 0, trace);
}

corio::Coro<std::string> group_in_a_task(Trace& trace, bool body_waits) {
  corio::TaskGroup group;
  co_return co_await group_outcome(group, children_and_body_wait(group, trace, body_waits));
}

corio::Coro<std::string> cancel_group_at_2(Trace& trace, bool body_waits) {
  corio::Task<std::string> task = corio::create_task(group_in_a_task(trace, body_waits));
  co_await corio::sleep(2);
  task.cancel();
  co_return co_await task;
}

TEST_CASE("a group cancelled from outside cancels its children and raises CancelledError, not ExceptionGroup",
          "[ch10][taskgroup]") {
  bool body_waits = GENERATE(true, false);  // cancelled in the body, or while run() waits for the children
  Trace trace;
  CHECK(corio::run(cancel_group_at_2(trace, body_waits), corio_test::virtual_time()) ==
        "CancelledError @3.0 cancelling=1");
  Trace expected{"child B cancelled @2.0", "child C cancelled @2.0", "child C cleaned up @2.0",
                 "child B cleaned up @3.0"};
  if (body_waits) {
    expected.push_back("body cancelled @2.0");
    expected.push_back("body cleaned up @2.0");
  }
  CHECK_THAT(trace, UnorderedEquals(expected));
}

// Cancelled, it fails instead of letting the cancellation go on.
corio::Coro<> fails_when_cancelled() {
  bool cancelled = false;
  try {
    co_await corio::sleep(10);
  } catch (const corio::CancelledError&) {
    cancelled = true;
  }
  if (cancelled) throw std::runtime_error("child failed while cancelled");
}

corio::Coro<std::string> errors_beat_outside_cancel() {
  corio::TaskGroup group;
  std::string result = co_await group_outcome(group, [](corio::TaskGroup& g) -> corio::Coro<> {
    g.create_task(fails_when_cancelled());
    co_await corio::sleep(10);
  }(group));
  // As in Python 3.13: the outside cancellation is not lost; it is raised at
  // the next wait.
  std::string next = "next wait returned";
  try {
    co_await corio::sleep(1);
  } catch (const corio::CancelledError&) {
    next = "next wait raised CancelledError";
  }
  co_return result + ", " + at(next);
}

corio::Coro<std::string> cancel_erroring_group_at_2() {
  corio::Task<std::string> task = corio::create_task(errors_beat_outside_cancel());
  co_await corio::sleep(2);
  task.cancel();
  co_return co_await task;
}

TEST_CASE("cancelled from outside while a child fails: ExceptionGroup wins, and the cancellation still reaches the "
          "next wait",
          "[ch10][taskgroup]") {
  CHECK(corio::run(cancel_erroring_group_at_2(), corio_test::virtual_time()) ==
        "ExceptionGroup[child failed while cancelled] @2.0 cancelling=1, next wait raised CancelledError @2.0");
}

// ------------------------------------------------- create_task refused

corio::Coro<> refused_outside_its_life(Trace& errors, Lives& lives) {
  corio::TaskGroup group;
  try {
    group.create_task([](Life) -> corio::Coro<int> { co_return 1; }(Life(lives)));
  } catch (const corio::RuntimeError& e) {
    errors.push_back(e.what());
  }
  co_await group.run(after(0, 0));
  try {
    group.create_task([](Life) -> corio::Coro<int> { co_return 2; }(Life(lives)));
  } catch (const corio::RuntimeError& e) {
    errors.push_back(e.what());
  }
}

TEST_CASE("create_task before run() or after the group finished is a RuntimeError, the coroutine dropped quietly",
          "[ch10][taskgroup]") {
  Diagnostics diagnostics;
  Trace errors;
  Lives lives;
  corio::run(refused_outside_its_life(errors, lives), corio_test::virtual_time());
  REQUIRE(errors.size() == 2);
  CHECK_THAT(errors[0], Contains("TaskGroup::create_task") && Contains("not been entered"));
  CHECK_THAT(errors[1], Contains("TaskGroup::create_task") && Contains("finished"));
  CHECK(lives.made > 0);
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
  CHECK_FALSE(diagnostics.any_contains("never awaited"));
}

corio::Coro<> adds_while_shutting_down(corio::TaskGroup& group, std::string& error, Lives& lives, bool& ran) {
  group.create_task(fails_after(1, "child failed"));
  bool cancelled = false;
  try {
    co_await corio::sleep(10);
  } catch (const corio::CancelledError&) {
    cancelled = true;
  }
  try {
    group.create_task([](Life, bool& r) -> corio::Coro<int> {
      r = true;
      co_return 1;
    }(Life(lives), ran));
  } catch (const corio::RuntimeError& e) {
    error = e.what();
  }
  if (cancelled) throw corio::CancelledError();
}

TEST_CASE("create_task while the group shuts down after a failure is a RuntimeError; the coroutine never runs and "
          "is not reported",
          "[ch10][taskgroup]") {
  Diagnostics diagnostics;
  std::string error;
  Lives lives;
  bool ran = false;
  CHECK(corio::run(
            [](std::string& e, Lives& l, bool& r) -> corio::Coro<std::string> {
              corio::TaskGroup group;
              co_return co_await group_outcome(group, adds_while_shutting_down(group, e, l, r));
            }(error, lives, ran),
            corio_test::virtual_time()) == "ExceptionGroup[child failed] @1.0 cancelling=0");
  CHECK_THAT(error, Contains("shutting down"));
  CHECK_FALSE(ran);
  CHECK(lives.made > 0);
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
  CHECK_FALSE(diagnostics.any_contains("never awaited"));
}

corio::Coro<std::string> runs_twice() {
  corio::TaskGroup group;
  co_await group.run(after(1, 1));
  std::string error;
  try {
    co_await group.run(after(1, 2));
  } catch (const corio::RuntimeError& e) {
    error = e.what();
  }
  co_return error;
}

TEST_CASE("a TaskGroup runs one block: a second run() is a RuntimeError", "[ch10][taskgroup]") {
  Diagnostics diagnostics;  // the refused block's coroutine is never started
  CHECK_THAT(corio::run(runs_twice(), corio_test::virtual_time()), Contains("run a block already"));
}

// ------------------------------------------------------------ nesting

corio::Coro<> inner_group(Trace& trace) {
  corio::TaskGroup inner;
  co_await inner.run([](corio::TaskGroup& g, Trace& t) -> corio::Coro<> {
    g.create_task(fails_after(1, "inner child failed"));
    g.create_task(sleeper("inner sibling", 10, 0, t));
    co_return;
  }(inner, trace));
}

corio::Coro<std::string> nested_in_a_child(Trace& trace) {
  corio::TaskGroup outer;
  co_return co_await group_outcome(outer, [](corio::TaskGroup& g, Trace& t) -> corio::Coro<> {
    g.create_task(inner_group(t));
    g.create_task(sleeper("outer sibling", 10, 1, t));
    co_await sleeper("outer body", 10, 0, t);
  }(outer, trace));
}

TEST_CASE("nested TaskGroups: an inner group's ExceptionGroup fails the outer group's child and comes out nested",
          "[ch10][taskgroup]") {
  Trace trace;
  CHECK(corio::run(nested_in_a_child(trace), corio_test::virtual_time()) ==
        "ExceptionGroup[ExceptionGroup[inner child failed]] @2.0 cancelling=0");
  CHECK_THAT(trace, UnorderedEquals(Trace{"inner sibling cancelled @1.0", "inner sibling cleaned up @1.0",
                                          "outer sibling cancelled @1.0", "outer body cancelled @1.0",
                                          "outer body cleaned up @1.0", "outer sibling cleaned up @2.0"}));
}

corio::Coro<std::string> nested_in_the_body(Trace& trace, double inner_failure) {
  corio::TaskGroup outer;
  co_return co_await group_outcome(outer, [](corio::TaskGroup& o, Trace& t, double when) -> corio::Coro<> {
    o.create_task(fails_after(1, "outer child failed"));
    corio::TaskGroup inner;
    co_await inner.run([](corio::TaskGroup& i, Trace& tr, double w) -> corio::Coro<> {
      i.create_task(sleeper("inner child", 10, 0, tr));
      if (w > 0) i.create_task(fails_after(w, "inner child failed"));
      co_await sleeper("inner body", 10, 0, tr);
    }(inner, t, when));
  }(outer, trace, inner_failure));
}

TEST_CASE("nested in one task: the outer group's failure cancels the inner group's body and children",
          "[ch10][taskgroup]") {
  Trace trace;
  CHECK(corio::run(nested_in_the_body(trace, 0), corio_test::virtual_time()) ==
        "ExceptionGroup[outer child failed] @1.0 cancelling=0");
  CHECK_THAT(trace, UnorderedEquals(Trace{"inner body cancelled @1.0", "inner body cleaned up @1.0",
                                          "inner child cancelled @1.0", "inner child cleaned up @1.0"}));
}

TEST_CASE("nested in one task, both groups failing at the same moment: both errors come out, nothing hangs",
          "[ch10][taskgroup]") {
  Trace trace;
  CHECK(corio::run(nested_in_the_body(trace, 1), corio_test::virtual_time()) ==
        "ExceptionGroup[outer child failed; ExceptionGroup[inner child failed]] @1.0 cancelling=0");
}

// ------------------------------------------------------------ with timeouts

corio::Coro<std::string> group_under_a_timeout(Trace& trace) {
  corio::TaskGroup group;
  std::string result =
      co_await outcome(corio::timeout(2).run(group.run([](corio::TaskGroup& g, Trace& t) -> corio::Coro<> {
        g.create_task(sleeper("child", 10, 1, t));
        co_await sleeper("body", 10, 0, t);
      }(group, trace))));
  CHECK(cancelling() == 0);
  CHECK(corio::detail::LoopAccess::timers_armed(loop()) == 0);
  co_return result;
}

TEST_CASE("a TaskGroup under a timeout: at the deadline the children are cancelled and waited for, then "
          "TimeoutError",
          "[ch10][taskgroup][timeout]") {
  Trace trace;
  CHECK(corio::run(group_under_a_timeout(trace), corio_test::virtual_time()) == "TimeoutError @3.0");
  CHECK_THAT(trace, UnorderedEquals(Trace{"child cancelled @2.0", "body cancelled @2.0", "body cleaned up @2.0",
                                          "child cleaned up @3.0"}));
}

// The Timeout lives in this frame, as long as its block.
corio::Coro<std::string> timed_child() {
  corio::Timeout deadline = corio::timeout(1);
  co_return co_await outcome(deadline.run(after(5, 0)));
}

corio::Coro<std::string> timeout_inside_a_child() {
  corio::TaskGroup group;
  std::optional<corio::Task<std::string>> timed;
  co_await group.run([](corio::TaskGroup& g, std::optional<corio::Task<std::string>>& t) -> corio::Coro<> {
    t = g.create_task(timed_child());
    g.create_task(after(3, 3));
    co_return;
  }(group, timed));
  co_return timed->result() + ", " + at("group done");
}

TEST_CASE("a timeout inside a child, caught there, fails nothing in the group", "[ch10][taskgroup][timeout]") {
  CHECK(corio::run(timeout_inside_a_child(), corio_test::virtual_time()) == "TimeoutError @1.0, group done @3.0");
}

// ------------------------------------------------------ outside of any task

struct Bare {
  struct promise_type {
    Bare get_return_object() { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() { std::terminate(); }
  };
};

Bare group_outside_a_task(std::string& error) {
  corio::TaskGroup group;
  try {
    co_await group.run(after(1, 1));
    error = "no error";
  } catch (const corio::RuntimeError& e) {
    error = e.what();
  }
}

TEST_CASE("a TaskGroup run outside any task is a RuntimeError that says no task is running", "[ch10][taskgroup]") {
  Diagnostics diagnostics;  // the block's coroutine is never started
  std::string error;
  corio::Loop loop(corio_test::virtual_time());
  loop.call_soon([&] {
    group_outside_a_task(error);
    loop.stop();
  });
  loop.run_forever();
  CHECK_THAT(error, Contains("no task is running"));
}

corio::Coro<std::uint64_t> many_children(int n, bool fail_at_the_end) {
  corio::TaskGroup group;
  std::uint64_t before = corio::detail::task_group_children_visited();
  co_await group.run([](corio::TaskGroup& g, int count, bool fail) -> corio::Coro<> {
    for (int i = 0; i < count; ++i) {
      // Half finish oldest first, half newest first: no order favours a list.
      double delay = i % 2 == 0 ? 1.0 + i : 2.0 * count - i;
      g.create_task(after(delay, i));
    }
    if (fail) g.create_task(fails_after(0.5, "first"));
    co_return;
  }(group, n, fail_at_the_end));
  co_return corio::detail::task_group_children_visited() - before;
}

corio::Coro<std::string> many_children_one_failing(int n) {
  try {
    co_await many_children(n, true);
  } catch (const corio::ExceptionGroup& e) {
    co_return e.what();
  }
  co_return "no error";
}

TEST_CASE("a TaskGroup looks at each child once when it ends and once more if the group aborts (linear work)",
          "[ch10][taskgroup]") {
  constexpr int kChildren = 20'000;
  // Finding the child in a vector and erasing it visited ~N^2/2 = 2e8 here.
  CHECK(corio::run(many_children(kChildren, false), corio_test::virtual_time()) == kChildren);
  std::uint64_t before = corio::detail::task_group_children_visited();
  CHECK(corio::run(many_children_one_failing(kChildren), corio_test::virtual_time()) ==
        "unhandled errors in a TaskGroup (1 sub-exception): first");
  // The failing child, then the abort over the others, then each of them ending.
  CHECK(corio::detail::task_group_children_visited() - before == 1 + 2 * std::uint64_t{kChildren});
}

}  // namespace
