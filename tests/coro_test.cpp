// @chapter 04
// Coro<T>: lazy, run inline when awaited, run once, and its frame destroyed
// exactly once whatever happened to it.
#include <catch2/catch.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <corio/corio.hpp>

#include "support/corio_test.hpp"

using corio_test::Diagnostics;
using corio_test::Life;
using corio_test::Lives;

namespace {

corio::Coro<int> mark(int& side_effect) {
  side_effect = 1;
  co_return 7;
}

corio::Coro<> await_mark_later(corio::Coro<int> coro, int& side_effect, int& seen_before_await) {
  seen_before_await = side_effect;
  co_await coro;
}

TEST_CASE("calling a coroutine function only makes a Coro: its body waits for the first await", "[ch04][E03]") {
  int side_effect = 0;
  int seen_before_await = -1;
  corio::Coro<int> coro = mark(side_effect);
  CHECK(side_effect == 0);
  CHECK_FALSE(coro.done());
  corio::run(await_mark_later(std::move(coro), side_effect, seen_before_await), corio_test::virtual_time());
  CHECK(seen_before_await == 0);
  CHECK(side_effect == 1);
}

corio::Coro<std::string> shout(std::string word, std::vector<std::string>& trace) {
  trace.push_back("shout " + word);
  co_return word + "!";
}

corio::Coro<std::string> talk(std::vector<std::string>& trace) {
  trace.push_back("before");
  std::string said = co_await shout("hey", trace);
  trace.push_back("after " + said);
  co_return said;
}

TEST_CASE("awaiting a Coro runs it inline and gives back its value", "[ch04]") {
  std::vector<std::string> trace;
  std::string said = corio::run(talk(trace), corio_test::virtual_time());
  CHECK(said == "hey!");
  CHECK(trace == std::vector<std::string>{"before", "shout hey", "after hey!"});
}

corio::Coro<double> clock_after_inline_await() {
  corio::Loop& loop = corio::get_running_loop();
  int side_effect = 0;
  co_await mark(side_effect);
  co_return loop.time();
}

TEST_CASE("awaiting a Coro that never suspends takes no virtual time", "[ch04]") {
  CHECK(corio::run(clock_after_inline_await(), corio_test::virtual_time()) == 0.0);
}

corio::Coro<std::unique_ptr<int>> boxed(int value) { co_return std::make_unique<int>(value); }

corio::Coro<int> unbox() {
  std::unique_ptr<int> box = co_await boxed(41);
  co_return *box + 1;
}

TEST_CASE("a Coro can return a move-only value", "[ch04]") {
  CHECK(corio::run(unbox(), corio_test::virtual_time()) == 42);
}

corio::Coro<int> fail(std::string why) {
  throw std::runtime_error(why);
  co_return 0;
}

corio::Coro<std::string> catch_failure() {
  try {
    co_await fail("disk on fire");
  } catch (const std::runtime_error& e) {
    co_return std::string("caught: ") + e.what();
  }
  co_return "not caught";
}

TEST_CASE("an exception thrown in an awaited Coro propagates through co_await", "[ch04]") {
  CHECK(corio::run(catch_failure(), corio_test::virtual_time()) == "caught: disk on fire");
}

corio::Coro<int> depth(int n) {
  if (n == 0) co_return 0;
  int below = co_await depth(n - 1);
  co_return below + 1;
}

corio::Coro<int> add_one(int x) { co_return x + 1; }

corio::Coro<int> count_up(int times) {
  int total = 0;
  for (int i = 0; i < times; ++i) total = co_await add_one(total);
  co_return total;
}

corio::Coro<int> sleepy_depth(int n) {
  if (n == 0) {
    co_await corio::sleep(1);
    co_return 0;
  }
  int below = co_await sleepy_depth(n - 1);
  co_return below + 1;
}

TEST_CASE("Coros nest: values travel up a chain of awaits", "[ch04]") {
  SECTION("ten levels deep") { CHECK(corio::run(depth(10), corio_test::virtual_time()) == 10); }
  // Symmetric transfer lets an optimizing compiler jump between frames
  // instead of calling, but only lets it: GCC without optimization, or under
  // AddressSanitizer, calls, and each level then costs stack. So these
  // chains are long, yet short enough for `make check`.
  SECTION("a thousand levels deep") { CHECK(corio::run(depth(1'000), corio_test::virtual_time()) == 1'000); }
  SECTION("a thousand Coros awaited one after another") {
    CHECK(corio::run(count_up(1'000), corio_test::virtual_time()) == 1'000);
  }
  SECTION("the innermost one sleeps and the whole chain resumes") {
    CHECK(corio::run(sleepy_depth(100), corio_test::virtual_time()) == 100);
  }
}

corio::Coro<std::string> await_twice() {
  int side_effect = 0;
  corio::Coro<int> coro = mark(side_effect);
  co_await coro;
  try {
    co_await coro;
  } catch (const corio::RuntimeError& e) {
    co_return e.what();
  }
  co_return "awaited twice";
}

TEST_CASE("awaiting a Coro a second time throws RuntimeError naming it", "[ch04]") {
  std::string message = corio::run(await_twice(), corio_test::virtual_time());
  CHECK_THAT(message, Catch::Matchers::Contains("cannot reuse already awaited coroutine 'mark'"));
}

struct alignas(16) Wide {
  double a;
  double b;
};
corio::Coro<> gives_nothing() { co_return; }
corio::Coro<std::string> gives_text() { co_return "text"; }
corio::Coro<Wide> gives_wide() { co_return Wide{1, 2}; }

template <class T>
corio::Coro<std::string> names_before_and_after(corio::Coro<T> coro) {
  std::string names = coro.name();
  co_await coro;
  co_return names + " " + coro.name();
}

// A frame keeps its function's name as a distance from its own code
// (coro.hpp): the name must come back whole, before the body runs and after
// it ended, whatever the promise holds.
TEST_CASE("a Coro names its function before it runs and after it ended, whatever its result type", "[ch04]") {
  int side_effect = 0;
  CHECK(corio::run(names_before_and_after(mark(side_effect)), corio_test::virtual_time()) == "mark mark");
  CHECK(corio::run(names_before_and_after(gives_nothing()), corio_test::virtual_time()) ==
        "gives_nothing gives_nothing");
  CHECK(corio::run(names_before_and_after(gives_text()), corio_test::virtual_time()) == "gives_text gives_text");
  CHECK(corio::run(names_before_and_after(gives_wide()), corio_test::virtual_time()) == "gives_wide gives_wide");
}

corio::Coro<std::string> await_moved_from() {
  int side_effect = 0;
  corio::Coro<int> coro = mark(side_effect);
  corio::Coro<int> taken = std::move(coro);
  std::string message = "awaited an empty Coro";
  try {
    co_await coro;
  } catch (const corio::RuntimeError& e) {
    message = e.what();
  }
  co_await taken;  // the frame went along with the move
  CHECK(side_effect == 1);
  co_return message;
}

TEST_CASE("awaiting a moved-from Coro throws RuntimeError", "[ch04]") {
  std::string message = corio::run(await_moved_from(), corio_test::virtual_time());
  CHECK_THAT(message, Catch::Matchers::Contains("empty"));
}

corio::Coro<> greet_later() { co_return; }

TEST_CASE("a Coro dropped without being awaited is reported, naming its function", "[ch04][E17]") {
  Diagnostics diagnostics;
  { auto dropped = greet_later(); }
  REQUIRE(diagnostics.messages.size() == 1);
  CHECK(diagnostics.messages[0] == "RuntimeWarning: coroutine 'greet_later' was never awaited");
}

corio::Coro<> forget_one() {
  int side_effect = 0;
  auto forgotten = mark(side_effect);
  co_await corio::sleep(0);
  CHECK(side_effect == 0);
}

TEST_CASE("a Coro forgotten inside a coroutine is reported when that frame lets it go", "[ch04][E17]") {
  Diagnostics diagnostics;
  corio::run(forget_one(), corio_test::virtual_time());
  CHECK(diagnostics.messages == std::vector<std::string>{"RuntimeWarning: coroutine 'mark' was never awaited"});
}

TEST_CASE("awaited and moved-from Coros are not reported as never awaited", "[ch04][E17]") {
  Diagnostics diagnostics;
  int side_effect = 0;
  corio::run(await_mark_later(mark(side_effect), side_effect, side_effect), corio_test::virtual_time());
  {
    auto first = greet_later();
    auto second = std::move(first);
    corio::run(std::move(second), corio_test::virtual_time());
  }
  CHECK(diagnostics.messages.empty());
}

TEST_CASE("close() discards a coroutine that will never run, without the never-awaited warning", "[ch04]") {
  Diagnostics diagnostics;
  int side_effect = 0;
  {
    auto closed = mark(side_effect);
    closed.close();
    CHECK(std::string(closed.name()) == "<empty>");
    closed.close();  // a second close() does nothing, as in Python
  }
  CHECK(side_effect == 0);
  CHECK(diagnostics.messages.empty());
}

corio::Coro<> close_while_running(corio::Coro<int>*& self, std::string& error) {
  co_await corio::sleep(0);
  try {
    self->close();
  } catch (const corio::RuntimeError& e) {
    error = e.what();
  }
}

corio::Coro<int> close_itself(corio::Coro<int>*& self, std::string& error) {
  co_await close_while_running(self, error);
  co_return 1;
}

corio::Coro<int> await_then_close(std::string& error) {
  corio::Coro<int>* self = nullptr;
  corio::Coro<int> running = close_itself(self, error);
  self = &running;
  int value = co_await running;
  running.close();  // finished: discarded quietly
  co_return value;
}

TEST_CASE("close() of a running coroutine throws RuntimeError; of a finished one it discards it", "[ch04]") {
  Diagnostics diagnostics;
  std::string error;
  CHECK(corio::run(await_then_close(error), corio_test::virtual_time()) == 1);
  CHECK_THAT(error, Catch::Matchers::StartsWith("Coro::close: coroutine 'close_itself' is running"));
  CHECK(diagnostics.messages.empty());
}

corio::Coro<int> hold([[maybe_unused]] Life life, Lives& lives, bool sleep_first) {
  Life local(lives);
  if (sleep_first) co_await corio::sleep(1);
  co_return lives.alive();
}

corio::Coro<int> hold_and_fail([[maybe_unused]] Life life) {
  throw std::runtime_error("failed while holding a life");
  co_return 0;
}

corio::Coro<> frames_of_awaited_coros(Lives& lives, int& alive_inside) {
  alive_inside = co_await hold(Life(lives), lives, true);
  CHECK(lives.alive() == 0);  // the temporary Coro, and with it the frame, died at the end of the statement
  try {
    co_await hold_and_fail(Life(lives));
  } catch (const std::runtime_error&) {
    CHECK(lives.alive() == 0);
  }
}

corio::Coro<> sleep_forever([[maybe_unused]] Life life) { co_await corio::sleep(1'000); }

corio::Coro<> stopped_while_nested(Lives& lives) {
  corio::get_running_loop().call_later(1.0, [] { corio::get_running_loop().stop(); });
  Life local(lives);
  co_await sleep_forever(Life(lives));
}

TEST_CASE("a Coro's frame is destroyed exactly once", "[ch04]") {
  Lives lives;
  SECTION("after it was awaited, ran to the end and its Coro went away") {
    int alive_inside = 0;
    corio::run(frames_of_awaited_coros(lives, alive_inside), corio_test::virtual_time());
    CHECK(alive_inside >= 2);  // at least the frame's copy of the parameter, and the local
  }
  SECTION("when it never ran") {
    Diagnostics diagnostics;
    { auto never = hold(Life(lives), lives, false); }
    CHECK(diagnostics.any_contains("coroutine 'hold' was never awaited"));
  }
  SECTION("when it is suspended in a sleep as the loop ends") {
    Diagnostics diagnostics;  // from chapter 05 on, the main coroutine is a task, reported as pending
    // Whether run() also complains that its coroutine did not finish is run_test's concern.
    try {
      corio::run(stopped_while_nested(lives), corio_test::virtual_time());
    } catch (const corio::RuntimeError&) {
    }
  }
  CHECK(lives.made > 0);
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
}

corio::Coro<std::string> wait_for_future(double& woke_at) {
  corio::Loop& loop = corio::get_running_loop();
  corio::Future<std::string> future;
  loop.call_later(1.5, [future]() mutable { future.set_result("ready"); });
  std::string value = co_await future;
  woke_at = loop.time();
  co_return value;
}

corio::Coro<std::string> wait_for_failed_future() {
  corio::Future<int> future;
  corio::get_running_loop().call_later(2.0,
                                       [future]() mutable { future.set_exception(std::runtime_error("no answer")); });
  try {
    co_await future;
  } catch (const std::runtime_error& e) {
    co_return e.what();
  }
  co_return "no error";
}

corio::Coro<int> await_done_future() {
  corio::Future<int> future;
  future.set_result(5);
  int value = co_await future;
  int again = co_await future;
  co_return value + again;
}

TEST_CASE("a coroutine awaits a Future until another callback completes it", "[ch04]") {
  SECTION("with a result, at exactly the time it was set") {
    double woke_at = -1;
    CHECK(corio::run(wait_for_future(woke_at), corio_test::virtual_time()) == "ready");
    CHECK(woke_at == 1.5);
  }
  SECTION("with an exception, thrown at the co_await") {
    CHECK(corio::run(wait_for_failed_future(), corio_test::virtual_time()) == "no answer");
  }
  SECTION("already done: the result at once, as often as asked") {
    CHECK(corio::run(await_done_future(), corio_test::virtual_time()) == 10);
  }
}

corio::Coro<int> one() { co_return 1; }

corio::Coro<long> a_million_synchronous_awaits() {
  long sum = 0;
  for (int i = 0; i < 1'000'000; ++i) sum += co_await one();
  co_return sum;
}

TEST_CASE("a million awaits of Coros that never suspend run in a flat stack, at any optimisation level", "[ch04]") {
  // Each one ends inside its awaiter's await_suspend, which then lets the
  // caller go on: no symmetric transfer, so no tail call is needed (GCC makes
  // none at -O0 or under ASan, where this overflowed the stack).
  CHECK(corio::run(a_million_synchronous_awaits(), corio_test::virtual_time()) == 1'000'000);
}

corio::Coro<std::string> three_awaits_of_copies(corio::Future<std::string> future) {
  auto copy = [&future] { return future; };  // a getter that returns the future by value
  std::string first = co_await copy();
  std::string second = co_await copy();
  std::string third = co_await std::move(future);
  co_return first + "|" + second + "|" + third + "|" + future.result();
}

corio::Coro<std::string> set_later_and_await(corio::Future<std::string> future) {
  corio::get_running_loop().call_later(1.0, [future]() mutable { future.set_result("a long page of results"); });
  co_return co_await three_awaits_of_copies(future);
}

TEST_CASE("awaiting an rvalue copy of a shared Future copies the result: every awaiter gets it", "[ch04]") {
  std::string got = corio::run(
      []() -> corio::Coro<std::string> { co_return co_await set_later_and_await(corio::Future<std::string>()); }(),
      corio_test::virtual_time());
  CHECK(got == "a long page of results|a long page of results|a long page of results|a long page of results");
}

}  // namespace
