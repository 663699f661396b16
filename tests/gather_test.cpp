// @chapter 06
// gather(): results in argument order whatever the completion order, the
// first error at the very moment it happens while the siblings run on,
// errors in place with return_exceptions, and every frame destroyed once.
#include <catch2/catch.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include <corio/corio.hpp>
#include <corio/waiting/gather.hpp>

#include "support/corio_test.hpp"

using Catch::Matchers::Contains;
using corio_test::Diagnostics;
using corio_test::Life;
using corio_test::Lives;

namespace {

double now() { return corio::get_running_loop().time(); }

// Sleeps, records when it finished, and returns its value.
corio::Coro<int> after(double delay, int value, std::vector<std::string>* finished = nullptr) {
  co_await corio::sleep(delay);
  if (finished) finished->push_back(std::to_string(value) + "@" + std::to_string(now()).substr(0, 3));
  co_return value;
}

corio::Coro<int> fail_after(double delay, std::string message) {
  co_await corio::sleep(delay);
  throw std::runtime_error(message);
}

corio::Coro<std::vector<int>> three_in_reverse() {
  auto [a, b, c] = co_await corio::gather(after(3, 1), after(2, 2), after(1, 3));
  CHECK(now() == 3.0);
  co_return std::vector<int>{a, b, c};
}

TEST_CASE("gather returns the results in argument order, not in completion order", "[ch06]") {
  CHECK(corio::run(three_in_reverse(), corio_test::virtual_time()) == std::vector<int>{1, 2, 3});
}

// E02 (docs/guide.md): three fetches of 2 s, 1 s and 0.5 s.
corio::Coro<std::string> fetch_data(std::string source, double delay, std::vector<std::string>& printed) {
  printed.push_back("Fetching from " + source + "...");
  co_await corio::sleep(delay);
  co_return "Data from " + source;
}

corio::Coro<double> three_fetches(std::vector<std::string>& printed) {
  double start = now();
  auto results = co_await corio::gather(fetch_data("API", 2, printed), fetch_data("Database", 1, printed),
                                        fetch_data("Cache", 0.5, printed));
  std::apply([&](const auto&... r) { (printed.push_back(r), ...); }, results);
  co_return now() - start;
}

TEST_CASE("E02: three fetches start in argument order and take 2.0 s, the slowest, not 3.5 s", "[ch06][E02]") {
  std::vector<std::string> printed;
  CHECK(corio::run(three_fetches(printed), corio_test::virtual_time()) == 2.0);
  CHECK(printed == std::vector<std::string>{"Fetching from API...", "Fetching from Database...",
                                            "Fetching from Cache...", "Data from API", "Data from Database",
                                            "Data from Cache"});
}

corio::Coro<> nothing_after(double delay) { co_await corio::sleep(delay); }

corio::Coro<std::string> word_after(double delay, std::string word) {
  co_await corio::sleep(delay);
  co_return word;
}

corio::Coro<> mixed_types() {
  corio::Task<std::string> task = corio::create_task(word_after(0.5, "task"));
  corio::Future<double> future;
  corio::get_running_loop().call_later(1.5, [future]() mutable { future.set_result(2.5); });
  auto results = co_await corio::gather(after(1, 7), task, future, nothing_after(0.25));
  static_assert(std::is_same_v<decltype(results), std::tuple<int, std::string, double, std::monostate>>);
  CHECK(std::get<0>(results) == 7);
  CHECK(std::get<1>(results) == "task");
  CHECK(std::get<2>(results) == 2.5);
  CHECK(now() == 1.5);
  CHECK(co_await task == "task");  // the task's result is still there for others
}

TEST_CASE("gather mixes Coros, Tasks and Futures of different types into one tuple", "[ch06]") {
  corio::run(mixed_types(), corio_test::virtual_time());
}

corio::Coro<std::vector<int>> gather_a_vector() {
  std::vector<corio::Coro<int>> coros;
  for (int i = 0; i < 5; ++i) coros.push_back(after((i * 3) % 5, i));  // finish in the order 0, 2, 4, 1, 3
  std::vector<int> results = co_await corio::gather(std::move(coros));
  CHECK(now() == 4.0);
  co_return results;
}

TEST_CASE("gather over a vector returns a vector in argument order", "[ch06]") {
  CHECK(corio::run(gather_a_vector(), corio_test::virtual_time()) == std::vector<int>{0, 1, 2, 3, 4});
}

corio::Coro<std::vector<std::string>> gather_tasks() {
  std::vector<corio::Task<std::string>> tasks;
  tasks.push_back(corio::create_task(word_after(2, "slow")));
  tasks.push_back(corio::create_task(word_after(1, "fast")));
  co_return co_await corio::gather(tasks);
}

TEST_CASE("gather over a vector of tasks keeps their order too", "[ch06]") {
  CHECK(corio::run(gather_tasks(), corio_test::virtual_time()) == std::vector<std::string>{"slow", "fast"});
}

corio::Coro<int> gather_nothing() {
  bool other_ran = false;
  corio::get_running_loop().call_soon([&] { other_ran = true; });
  std::tuple<> none = co_await corio::gather();
  (void)none;
  std::vector<int> empty = co_await corio::gather(std::vector<corio::Task<int>>{});
  CHECK(empty.empty());
  CHECK_FALSE(other_ran);  // returned at once: no loop iteration in between
  co_await corio::sleep(0);
  CHECK(other_ran);
  co_return 0;
}

TEST_CASE("gather of nothing returns an empty result at once", "[ch06]") {
  corio::run(gather_nothing(), corio_test::virtual_time());
}

corio::Coro<> first_error_at_once(std::vector<std::string>& finished, double& caught_at) {
  try {
    co_await corio::gather(after(1, 1, &finished), fail_after(2, "boom at 2"), after(3, 3, &finished));
    FAIL("gather should have thrown");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()) == "boom at 2");
    caught_at = now();
  }
  CHECK(finished == std::vector<std::string>{"1@1.0"});
  co_await corio::sleep(5);  // the third child was not cancelled: it finishes at 3.0
}

TEST_CASE("the first error reaches the caller when the child fails; the siblings keep running", "[ch06]") {
  std::vector<std::string> finished;
  double caught_at = -1;
  corio::run(first_error_at_once(finished, caught_at), corio_test::virtual_time());
  CHECK(caught_at == 2.0);
  CHECK(finished == std::vector<std::string>{"1@1.0", "3@3.0"});
}

corio::Coro<> two_failures(corio::Task<int>& later) {
  later = corio::create_task(fail_after(2, "second"));
  CHECK_THROWS_WITH(co_await corio::gather(fail_after(1, "first"), later), "first");
  co_await corio::sleep(2);
  CHECK(later.done());
}

TEST_CASE("after the first error, a sibling's later error is marked retrieved, as asyncio does", "[ch06]") {
  Diagnostics diagnostics;
  {
    corio::Task<int> later;
    corio::run(two_failures(later), corio_test::virtual_time());
  }
  CHECK(diagnostics.messages.empty());
}

// A child that failed before the gather was awaited settles it in its walk,
// before the walk reaches the children after it; those are still marked
// retrieved when they fail later (asyncio's done-callback on every child
// does the same).
corio::Coro<> failed_before_the_walk(std::vector<corio::Task<int>>& kept) {
  std::vector<corio::Task<int>> tasks;
  for (const char* message : {"pending before", "failed already", "pending after"}) {
    tasks.push_back(corio::create_task(fail_after(message[0] == 'f' ? 0 : 2, message)));
  }
  corio::Task<int> failed = corio::create_task(fail_after(0, "tuple: failed already"));
  corio::Task<int> pending = corio::create_task(fail_after(2, "tuple: pending after"));
  kept = tasks;
  kept.insert(kept.end(), {failed, pending});
  co_await corio::sleep(1);
  CHECK_THROWS_WITH(co_await corio::gather(std::move(tasks)), "failed already");
  CHECK_THROWS_WITH(co_await corio::gather(failed, pending), "tuple: failed already");
  co_await corio::sleep(2);
  for (const corio::Task<int>& task : kept) CHECK(task.done());
}

TEST_CASE("after a child that failed before the walk, the later siblings' errors are marked retrieved too", "[ch06]") {
  Diagnostics diagnostics;
  {
    std::vector<corio::Task<int>> kept;
    corio::run(failed_before_the_walk(kept), corio_test::virtual_time());
  }
  CHECK(diagnostics.messages.empty());
}

corio::Coro<corio::Future<int>> a_future() { co_return corio::Future<int>(); }

// Each call gets a pending future of this loop first, then one of a loop
// that is gone; the first is set at the end, where a node left on it would
// be woken.
corio::Coro<std::vector<std::string>> foreign_refused(corio::Future<int> foreign) {
  corio::Future<int> local;
  const std::vector<corio::Future<int>> both{local, foreign};
  std::vector<std::string> errors;
  auto pair = corio::gather(local, foreign);
  for (int attempt = 0; attempt < 2; ++attempt) {  // the second finds no node left by the first
    try {
      co_await pair;
    } catch (const corio::RuntimeError& e) {
      errors.push_back(e.what());
    }
  }
  try {
    co_await corio::gather(both);
  } catch (const corio::RuntimeError& e) {
    errors.push_back(e.what());
  }
  try {
    co_await corio::wait(both);
  } catch (const corio::RuntimeError& e) {
    errors.push_back(e.what());
  }
  try {
    auto order = corio::as_completed(both);
  } catch (const corio::RuntimeError& e) {
    errors.push_back(e.what());
  }
  local.set_result(7);
  int got = co_await local;
  CHECK(got == 7);
  co_return errors;
}

TEST_CASE("gather, wait and as_completed refuse a pending future of another loop, and leave no node hooked", "[ch06]") {
  corio::Future<int> foreign = corio::run(a_future(), corio_test::virtual_time());
  std::vector<std::string> errors = corio::run(foreign_refused(foreign), corio_test::virtual_time());
  REQUIRE(errors.size() == 5);
  CHECK_THAT(errors[0], Contains("gather: got Future attached to a different loop"));
  CHECK(errors[1] == errors[0]);
  CHECK_THAT(errors[2], Contains("gather: got Future attached to a different loop"));
  CHECK_THAT(errors[3], Contains("wait: got Future attached to a different loop"));
  CHECK_THAT(errors[4], Contains("as_completed: got Future attached to a different loop"));
}

// An awaitable of the user's, awaited through its own operator co_await (an
// object with __await__, to asyncio): each becomes a task of its own.
struct Nap {
  double seconds;
  auto operator co_await() const { return corio::sleep(seconds); }
};

corio::Coro<double> gather_user_awaitables() {
  auto [a, b] = co_await corio::gather(Nap{1}, Nap{2});
  static_assert(std::is_same_v<decltype(a), std::monostate>);
  co_return now();
}

TEST_CASE("gather takes an object with an operator co_await of its own, as asyncio takes any awaitable", "[ch06]") {
  CHECK(corio::run(gather_user_awaitables(), corio_test::virtual_time()) == 2.0);
}

corio::Coro<> errors_in_place() {
  auto [a, b, c] =
      co_await corio::gather(corio::return_exceptions, after(1, 1), fail_after(0.5, "down"), nothing_after(2));
  CHECK(now() == 2.0);  // every child, failed or not, is waited for
  REQUIRE(a.has_value());
  CHECK(a.value() == 1);
  CHECK(a.error() == nullptr);
  REQUIRE_FALSE(b.has_value());
  CHECK_THROWS_WITH(b.value(), "down");
  CHECK_THROWS_WITH(std::rethrow_exception(b.error()), "down");
  CHECK(c.has_value());
  static_assert(std::is_same_v<decltype(c), corio::Outcome<void>>);
}

TEST_CASE("E09: with return_exceptions failures come back in place, beside the other results", "[ch06][E09]") {
  Diagnostics diagnostics;
  corio::run(errors_in_place(), corio_test::virtual_time());
  CHECK(diagnostics.messages.empty());  // the error was handed over: retrieved
}

corio::Coro<std::vector<std::string>> vector_in_place() {
  std::vector<corio::Coro<int>> coros;
  coros.push_back(after(1, 10));
  coros.push_back(fail_after(1, "bad"));
  coros.push_back(after(0.5, 30));
  std::vector<std::string> shown;
  for (const corio::Outcome<int>& r : co_await corio::gather(corio::return_exceptions, std::move(coros))) {
    try {
      shown.push_back(std::to_string(r.value()));
    } catch (const std::exception& e) {
      shown.push_back(std::string("error: ") + e.what());
    }
  }
  co_return shown;
}

TEST_CASE("E09: return_exceptions over a vector keeps each failure in its place", "[ch06][E09]") {
  CHECK(corio::run(vector_in_place(), corio_test::virtual_time()) ==
        std::vector<std::string>{"10", "error: bad", "30"});
}

corio::Coro<int> living(Lives& lives, double delay, bool fail) {
  Life life(lives);
  co_await corio::sleep(delay);
  if (fail) throw std::runtime_error("living failed");
  co_return 1;
}

corio::Coro<> gather_lives(Lives& lives) {
  co_await corio::gather(living(lives, 1, false), living(lives, 2, false));
  co_await corio::gather(corio::return_exceptions, living(lives, 1, true), living(lives, 0.5, false));
  try {
    co_await corio::gather(living(lives, 1, true), living(lives, 3, false));
  } catch (const std::runtime_error&) {
  }
  CHECK(lives.alive() == 1);  // the sibling of the error runs on
  co_await corio::sleep(3);
}

TEST_CASE("every gathered frame is destroyed exactly once, on every path", "[ch06]") {
  Lives lives;
  corio::run(gather_lives(lives), corio_test::virtual_time());
  CHECK(lives.made == 6);
  CHECK(lives.ended == 6);
  CHECK(lives.twice == 0);
}

corio::Coro<> gather_futures(corio::Future<int> a, corio::Future<int> b, Lives& lives) {
  Life life(lives);
  co_await corio::gather(a, b);
}

corio::Coro<> gather_vector(std::vector<corio::Future<int>> futures, Lives& lives) {
  Life life(lives);
  co_await corio::gather(std::move(futures));
}

corio::Coro<> leave_gather_waiting(std::optional<corio::Future<int>>& a, std::optional<corio::Future<int>>& b,
                                   Lives& lives) {
  a.emplace();
  b.emplace();
  corio::create_task(gather_futures(*a, *b, lives));  // the loop holds the tasks
  corio::create_task(gather_vector({*a, *b}, lives));
  co_await corio::sleep(1);
}

TEST_CASE("a frame destroyed while it waits in gather leaves no waiter on the children", "[ch06]") {
  Diagnostics diagnostics;
  Lives lives;
  std::optional<corio::Future<int>> a;
  std::optional<corio::Future<int>> b;
  corio_test::run_and_close(leave_gather_waiting(a, b, lives));
  CHECK(diagnostics.any_contains("Task was destroyed but it is pending"));
  CHECK(lives.made == 2);
  CHECK(lives.ended == 2);
  // Had a node stayed on a future, completing it would reach the dead frame
  // (AddressSanitizer, in make check, reports that).
  a->set_result(1);
  b->set_result(2);
  CHECK(b->done());
}

// A gather over a vector takes the node block the thread's last range wait
// let go, holds it while it waits, and gives it back; the thread keeps its
// largest block. The children see the block taken while the gather waits.
corio::Coro<int> spare_room_now() { co_return static_cast<int>(corio::detail::spare_node_capacity()); }

corio::Coro<int> number(int i) { co_return i; }

corio::Coro<> reuse_node_blocks() {
  std::vector<corio::Task<int>> many;
  for (int i = 0; i < 1000; ++i) many.push_back(corio::create_task(number(i)));
  std::vector<int> got = co_await corio::gather(std::move(many));
  CHECK(got[999] == 999);
  std::size_t kept = corio::detail::spare_node_capacity();
  CHECK(kept >= 1000);
  std::vector<corio::Task<int>> few;
  for (int i = 0; i < 3; ++i) few.push_back(corio::create_task(spare_room_now()));
  std::vector<int> seen = co_await corio::gather(std::move(few));
  CHECK(seen == std::vector<int>{0, 0, 0});
  CHECK(corio::detail::spare_node_capacity() == kept);  // back, and the larger one stays
  std::vector<corio::Task<int>> waited;
  waited.push_back(corio::create_task(spare_room_now()));
  co_await corio::wait(waited);
  CHECK(waited[0].result() == 0);  // wait() takes it too
  CHECK(corio::detail::spare_node_capacity() == kept);
}

TEST_CASE("a gather over a vector reuses the node block of the last one, and gives it back", "[ch06]") {
  corio::run(reuse_node_blocks(), corio_test::virtual_time());
}

}  // namespace
