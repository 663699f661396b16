// @chapter 03
// Future<T> by hand, as chapter 03 uses it: results and errors, the states
// that refuse a second answer, done-callbacks that run through the loop, and
// the report of an error nobody looked at.
#include <catch2/catch.hpp>

#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <corio/errors.hpp>
#include <corio/tasks/future.hpp>
#include <corio/loop/loop.hpp>

#include "support/corio_test.hpp"

using Catch::Matchers::Contains;
using corio_test::Life;
using corio_test::Lives;

namespace {

std::string message_of(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace

TEST_CASE("a future's result is the value given to set_result", "[ch03]") {
  corio::Loop loop;
  corio::Future<int> f(loop);
  CHECK_FALSE(f.done());
  f.set_result(42);
  CHECK(f.done());
  CHECK(f.result() == 42);
  CHECK(f.result() == 42);  // as often as asked
  CHECK(f.exception() == nullptr);
}

TEST_CASE("copies of a future share one state", "[ch03]") {
  corio::Loop loop;
  corio::Future<std::string> f(loop);
  corio::Future<std::string> copy = f;
  f.set_result("shared");
  CHECK(copy.done());
  CHECK(copy.result() == "shared");
}

TEST_CASE("result() of a pending future throws InvalidStateError", "[ch03]") {
  corio::Loop loop;
  corio::Future<int> f(loop);
  CHECK_THROWS_AS(f.result(), corio::InvalidStateError);
  CHECK_THROWS_WITH(f.result(), Contains("Future::result") && Contains("pending"));
  CHECK_THROWS_AS(f.exception(), corio::InvalidStateError);
  CHECK_FALSE(f.done());  // asking changed nothing
  f.set_result(1);
  CHECK(f.result() == 1);
}

TEST_CASE("a done future refuses a second result or an exception", "[ch03]") {
  corio::Loop loop;
  corio::Future<int> f(loop);
  f.set_result(1);
  CHECK_THROWS_AS(f.set_result(2), corio::InvalidStateError);
  CHECK_THROWS_WITH(f.set_result(2), Contains("Future::set_result") && Contains("already done"));
  CHECK_THROWS_AS(f.set_exception(std::runtime_error("late")), corio::InvalidStateError);
  CHECK_THROWS_WITH(f.set_exception(std::runtime_error("late")), Contains("Future::set_exception"));
  CHECK(f.result() == 1);  // the first answer stands
  CHECK(f.exception() == nullptr);
}

TEST_CASE("a failed future refuses a result or a second exception", "[ch03]") {
  corio::Loop loop;
  corio::Future<int> f(loop);
  f.set_exception(std::runtime_error("first"));
  CHECK_THROWS_AS(f.set_result(2), corio::InvalidStateError);
  CHECK_THROWS_AS(f.set_exception(std::runtime_error("second")), corio::InvalidStateError);
  CHECK(message_of(f.exception()) == "first");
}

TEST_CASE("set_exception with a null exception_ptr throws InvalidArgument and leaves the future pending",
          "[ch03]") {
  corio::Loop loop;
  corio::Future<int> f(loop);
  CHECK_THROWS_AS(f.set_exception(std::exception_ptr()), corio::InvalidArgument);
  CHECK_FALSE(f.done());
}

TEST_CASE("exception() returns the error and result() rethrows it", "[ch03]") {
  corio_test::Diagnostics diagnostics;
  corio::Loop loop;
  corio::Future<int> f(loop);
  f.set_exception(std::make_exception_ptr(std::out_of_range("no such key")));
  CHECK(f.done());
  std::exception_ptr error = f.exception();
  REQUIRE(error != nullptr);
  CHECK(message_of(error) == "no such key");
  CHECK_THROWS_AS(f.result(), std::out_of_range);
  CHECK_THROWS_WITH(f.result(), "no such key");
}

TEST_CASE("done-callbacks run through the loop, in the order added, and receive the future", "[ch03]") {
  corio::Loop loop;
  corio::Future<int> f(loop);
  std::vector<std::string> trace;
  for (std::string name : {"a", "b", "c"}) {
    f.add_done_callback(
        [&trace, name](corio::Future<int>& done) { trace.push_back(name + std::to_string(done.result())); });
  }
  loop.call_soon([] {});
  loop.run_once();
  CHECK(trace.empty());  // nothing runs before the future is done
  f.set_result(7);
  CHECK(trace.empty());  // nor inside set_result
  loop.run_once();
  CHECK(trace == std::vector<std::string>{"a7", "b7", "c7"});
  loop.call_soon([] {});
  loop.run_once();
  CHECK(trace.size() == 3);  // each runs once
}

TEST_CASE("done-callbacks queue behind callbacks already ready", "[ch03]") {
  corio::Loop loop;
  corio::Future<int> f(loop);
  std::vector<std::string> trace;
  f.add_done_callback([&](corio::Future<int>&) { trace.push_back("done"); });
  loop.call_soon([&] { trace.push_back("before"); });
  f.set_result(0);
  loop.call_soon([&] { trace.push_back("after"); });
  loop.run_once();
  CHECK(trace == std::vector<std::string>{"before", "done", "after"});
}

TEST_CASE("a done-callback sees a failed future's error", "[ch03]") {
  corio_test::Diagnostics diagnostics;
  corio::Loop loop;
  std::string seen;
  {
    corio::Future<int> f(loop);
    f.add_done_callback([&](corio::Future<int>& done) { seen = message_of(done.exception()); });
    f.set_exception(std::runtime_error("refused"));
  }
  // The callback keeps the future alive until it has run.
  loop.run_once();
  CHECK(seen == "refused");
  CHECK(diagnostics.messages.empty());
}

// asyncio removes by identity and returns how many it removed; corio
// removes by the handle add_done_callback gave, which names one callback.
TEST_CASE("remove_done_callback takes off the callback its handle names: 1, then 0; none once it is scheduled",
          "[ch03]") {
  corio::Loop loop;
  corio::Future<int> f(loop);
  std::vector<std::string> trace;
  corio::DoneCallbackHandle a = f.add_done_callback([&](corio::Future<int>&) { trace.push_back("a"); });
  corio::DoneCallbackHandle b = f.add_done_callback([&](corio::Future<int>&) { trace.push_back("b"); });
  corio::DoneCallbackHandle c = f.add_done_callback([&](corio::Future<int>&) { trace.push_back("c"); });
  corio::Future<int> other(loop);
  CHECK(other.remove_done_callback(b) == 0);  // not one of this future's
  CHECK(f.remove_done_callback(b) == 1);
  CHECK(f.remove_done_callback(b) == 0);
  CHECK(f.remove_done_callback(corio::DoneCallbackHandle()) == 0);
  f.set_result(1);
  CHECK(f.remove_done_callback(c) == 0);  // scheduled already: it runs, as in asyncio
  loop.run_once();
  CHECK(trace == std::vector<std::string>{"a", "c"});
  CHECK(f.remove_done_callback(a) == 0);
}

TEST_CASE("a done-callback added after completion still runs on the next iteration", "[ch03]") {
  corio::Loop loop;
  corio::Future<int> f(loop);
  f.set_result(5);
  int got = 0;
  f.add_done_callback([&](corio::Future<int>& done) { got = done.result(); });
  CHECK(got == 0);  // not inline
  loop.run_once();
  CHECK(got == 5);
}

TEST_CASE("an exception escaping a done-callback is reported and the others still run", "[ch03]") {
  corio_test::Diagnostics diagnostics;
  corio::Loop loop;
  corio::Future<int> f(loop);
  int runs = 0;
  f.add_done_callback([](corio::Future<int>&) { throw std::runtime_error("callback broke"); });
  f.add_done_callback([&](corio::Future<int>&) { ++runs; });
  f.set_result(1);
  loop.run_once();
  CHECK(runs == 1);
  CHECK(diagnostics.any_contains("Exception in callback: callback broke"));
}

TEST_CASE("Future<void> completes without a value", "[ch03]") {
  corio::Loop loop;
  corio::Future<void> f(loop);
  corio::Future<> same_type = f;  // void is the default
  CHECK_THROWS_AS(f.result(), corio::InvalidStateError);
  bool called = false;
  f.add_done_callback([&](corio::Future<void>& done) {
    done.result();
    called = true;
  });
  f.set_result();
  CHECK(same_type.done());
  CHECK_NOTHROW(f.result());
  CHECK_THROWS_AS(f.set_result(), corio::InvalidStateError);
  loop.run_once();
  CHECK(called);
}

TEST_CASE("Future<void> carries an error like any other", "[ch03]") {
  corio::Loop loop;
  corio::Future<void> f(loop);
  f.set_exception(std::runtime_error("void failed"));
  CHECK_THROWS_WITH(f.result(), "void failed");
}

TEST_CASE("a failed future destroyed with its error never retrieved is reported", "[ch03]") {
  corio_test::Diagnostics diagnostics;
  corio::Loop loop;
  {
    corio::Future<int> f(loop);
    f.set_exception(std::runtime_error("lost error"));
  }
  REQUIRE(diagnostics.messages.size() == 1);
  CHECK_THAT(diagnostics.messages[0], Contains("Future exception was never retrieved") && Contains("lost error"));
}

TEST_CASE("an exception never retrieved goes to the loop's exception handler, with the future", "[ch03]") {
  corio_test::Diagnostics diagnostics;
  corio::Loop loop;
  std::vector<std::string> seen;
  const void* future = nullptr;
  loop.set_exception_handler([&](corio::Loop&, const corio::ExceptionContext& context) {
    future = context.future;
    try {
      std::rethrow_exception(context.exception);
    } catch (const std::invalid_argument& e) {
      seen.push_back(context.message + ": invalid_argument: " + e.what());
    }
  });
  {
    corio::Future<int> f(loop);
    f.set_exception(std::invalid_argument("lost error"));
  }
  CHECK(seen == std::vector<std::string>{"Future exception was never retrieved: invalid_argument: lost error"});
  CHECK(future != nullptr);
  CHECK(diagnostics.messages.empty());
}

TEST_CASE("a future that outlives its loop reports its lost error to the default handler", "[ch03]") {
  corio_test::Diagnostics diagnostics;
  std::optional<corio::Future<int>> f;
  {
    corio::Loop loop;
    loop.set_exception_handler([](corio::Loop&, const corio::ExceptionContext&) { FAIL("the loop is gone"); });
    f.emplace(loop);
    f->set_exception(std::runtime_error("late"));
  }
  f.reset();
  CHECK(diagnostics.messages == std::vector<std::string>{"Future exception was never retrieved: late"});
}

TEST_CASE("a failed future is reported once, when its last copy goes", "[ch03]") {
  corio_test::Diagnostics diagnostics;
  corio::Loop loop;
  std::vector<corio::Future<int>> copies;
  {
    corio::Future<int> f(loop);
    f.set_exception(std::runtime_error("lost"));
    copies.assign(3, f);
  }
  CHECK(diagnostics.messages.empty());
  copies.pop_back();
  copies.pop_back();
  CHECK(diagnostics.messages.empty());
  copies.clear();
  CHECK(diagnostics.messages.size() == 1);
}

TEST_CASE("no report for a failed future whose error was retrieved", "[ch03]") {
  corio_test::Diagnostics diagnostics;
  corio::Loop loop;
  SECTION("through exception()") {
    corio::Future<int> f(loop);
    f.set_exception(std::runtime_error("seen"));
    CHECK(f.exception() != nullptr);
  }
  SECTION("through result()") {
    corio::Future<int> f(loop);
    f.set_exception(std::runtime_error("seen"));
    CHECK_THROWS(f.result());
  }
  SECTION("by a done-callback") {
    corio::Future<int> f(loop);
    f.add_done_callback([](corio::Future<int>& done) { CHECK(done.exception() != nullptr); });
    f.set_exception(std::runtime_error("seen"));
    loop.run_once();
  }
  SECTION("a successful future has nothing to report") {
    corio::Future<int> f(loop);
    f.set_result(1);
  }
  SECTION("nor has a future dropped pending") {
    corio::Future<int> f(loop);
  }
  CHECK(diagnostics.messages.empty());
}

TEST_CASE("a done-callback on a future dropped pending is destroyed exactly once, never run", "[ch03]") {
  Lives lives;
  corio::Loop loop;
  bool ran = false;
  {
    corio::Future<int> f(loop);
    f.add_done_callback([&ran, life = Life(lives)](corio::Future<int>&) { ran = true; });
    f.add_done_callback([&ran, life = Life(lives)](corio::Future<int>&) { ran = true; });
    CHECK(lives.alive() == 2);
  }
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
  CHECK_FALSE(ran);
  CHECK_THROWS_WITH(loop.run_once(), Contains("would wait forever"));  // and nothing was queued
}

TEST_CASE("done-callbacks that hold their own future are freed, future and all: once run, or when the loop closes",
          "[ch03]") {
  Lives lives;
  {
    corio::Loop loop;
    corio::Future<int> done(loop);
    corio::Future<int> never(loop);
    int seen = 0;
    done.add_done_callback([done, &seen, life = Life(lives)](corio::Future<int>& f) { seen = f.result(); });
    never.add_done_callback([never, life = Life(lives)](corio::Future<int>&) {});
    never.add_done_callback([never, life = Life(lives)](corio::Future<int>&) {});
    done.set_result(4);
    loop.run_once();
    CHECK(seen == 4);
    CHECK(lives.alive() == 2);  // the callbacks on the future that never completes, while the loop lives
  }
  CHECK(lives.alive() == 0);  // a cycle: each callback held the future that held them
  CHECK(lives.twice == 0);
}

TEST_CASE("done-callbacks are destroyed exactly once after they run", "[ch03]") {
  Lives lives;
  corio::Loop loop;
  corio::Future<int> f(loop);
  f.add_done_callback([life = Life(lives)](corio::Future<int>&) {});
  f.set_result(1);
  CHECK(lives.alive() == 1);  // queued
  loop.run_once();
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
}

TEST_CASE("a done-callback still queued when the loop is destroyed is freed, and its future with it", "[ch03]") {
  Lives lives;
  corio_test::Diagnostics diagnostics;
  {
    corio::Loop loop;
    corio::Future<int> f(loop);
    f.add_done_callback([life = Life(lives)](corio::Future<int>&) {});
    f.set_exception(std::runtime_error("never looked at"));
  }
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
  // The future died with the callback's reference, its error still unseen.
  CHECK(diagnostics.any_contains("Future exception was never retrieved: never looked at"));
}

namespace {
// A Life small enough for the word a future shares with its error: one
// pointer, no more.
class SmallLife {
 public:
  explicit SmallLife(Lives& lives) : lives_(&lives) { ++lives_->made; }
  SmallLife(const SmallLife& other) : lives_(other.lives_) { ++lives_->made; }
  SmallLife& operator=(const SmallLife&) = delete;
  ~SmallLife() { ++lives_->ended; }

 private:
  Lives* lives_;
};
}  // namespace

TEST_CASE("a result shares the error's word when it fits, else has room of its own; either is destroyed once",
          "[ch03]") {
  // Four words whatever the result, if it fits one: the state and count, the
  // loop, the error or the result, the waiters. No vtable pointer.
  CHECK(sizeof(corio::detail::HeapState<void>) == 4 * sizeof(void*));
  CHECK(sizeof(corio::detail::HeapState<int>) == 4 * sizeof(void*));
  CHECK(sizeof(corio::detail::HeapState<SmallLife>) == 4 * sizeof(void*));
  CHECK(sizeof(corio::detail::HeapState<Life>) == 4 * sizeof(void*) + sizeof(Life));
  corio::Loop loop;
  Lives small;
  Lives large;
  {
    corio::Future<SmallLife> a(loop);
    corio::Future<Life> b(loop);
    a.set_result(SmallLife(small));
    b.set_result(Life(large));
    CHECK(small.alive() == 1);
    CHECK(large.alive() == 1);
    corio::Future<SmallLife> failed(loop);
    failed.set_exception(std::runtime_error("no result"));
    CHECK_THROWS_WITH(failed.result(), "no result");
    CHECK(message_of(failed.exception()) == "no result");
  }
  CHECK(small.made == 2);  // the argument and the stored copy; the failed future made none
  CHECK(small.alive() == 0);
  CHECK(large.alive() == 0);
  CHECK(large.twice == 0);
}
