// @chapter 11
// Debug mode: each callback or coroutine step that ran for at least
// slow_callback_duration seconds is reported. Threshold 0 reports every
// step, a huge one none: both exact, with no clock to wait for.
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <regex>
#include <string>

#include <catch2/catch.hpp>

#include <corio/corio.hpp>

#include "support/corio_test.hpp"

using Catch::Matchers::Contains;

namespace {

corio::LoopOptions debug_with_threshold(double seconds) {
  corio::LoopOptions options = corio_test::virtual_time();
  options.debug = true;
  options.slow_callback_duration = seconds;
  return options;
}

void queue_a_named_callback() {
  corio::get_running_loop().call_soon([] {});
}

corio::Coro<> a_few_steps() {
  queue_a_named_callback();
  co_await corio::sleep(0);
  co_await corio::sleep(1);
}

bool is_report(const std::string& message) {
  static const std::regex shape("Executing <.+> took [0-9]+\\.[0-9]{3} seconds");
  return std::regex_match(message, shape);
}

}  // namespace

TEST_CASE("with a threshold of 0 debug mode reports every step, callbacks by name", "[ch11]") {
  corio_test::Diagnostics diagnostics;
  corio::run(a_few_steps(), debug_with_threshold(0));
  REQUIRE(diagnostics.messages.size() >= 4);  // the main task's three steps and the callback, at least
  for (const std::string& m : diagnostics.messages) CHECK(is_report(m));
  CHECK(diagnostics.any_contains("(coroutine 'a_few_steps')> took "));  // Task-N: N counts this thread's tasks
  CHECK(diagnostics.any_contains("Executing <Handle "));
  CHECK(diagnostics.any_contains("queue_a_named_callback"));
}

TEST_CASE("with a huge threshold, or with debug mode off, nothing is reported", "[ch11]") {
  corio_test::Diagnostics diagnostics;
  corio::run(a_few_steps(), debug_with_threshold(1e6));
  corio::LoopOptions off = corio_test::virtual_time();
  off.debug = false;
  off.slow_callback_duration = 0;
  corio::run(a_few_steps(), off);
  CHECK(diagnostics.messages.empty());
}

namespace {

// Spins (no sleep) until the steady clock has moved 20 ms: a step that
// blocks the loop. The loop's own clock is virtual and does not move.
corio::Coro<double> a_step_that_blocks() {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(20);
  while (std::chrono::steady_clock::now() < until) {
  }
  co_return corio::get_running_loop().time();
}

}  // namespace

TEST_CASE("a step that blocks for 20 ms is reported from the steady clock, on a virtual-clock loop too", "[ch11]") {
  corio_test::Diagnostics diagnostics;
  CHECK(corio::run(a_step_that_blocks(), debug_with_threshold(0.02)) == 0.0);
  REQUIRE(diagnostics.messages.size() >= 1);
  const std::string& m = diagnostics.messages.front();
  CHECK(is_report(m));
  double took = std::stod(m.substr(m.find(" took ") + 6));
  CHECK(took >= 0.02);
}

TEST_CASE("debug mode and the threshold can be read and changed on a loop", "[ch11]") {
  corio::Loop loop(corio_test::virtual_time());
  CHECK(loop.slow_callback_duration() == 0.1);  // asyncio's default
  loop.set_debug(true);
  loop.set_slow_callback_duration(0.25);
  CHECK(loop.get_debug());
  CHECK(loop.slow_callback_duration() == 0.25);
}

TEST_CASE("a negative or NaN slow_callback_duration is refused with its name", "[ch11]") {
  corio::Loop loop(corio_test::virtual_time());
  CHECK_THROWS_AS(loop.set_slow_callback_duration(-1), corio::InvalidArgument);
  CHECK_THROWS_WITH(loop.set_slow_callback_duration(std::nan("")), Contains("slow_callback_duration"));
  CHECK_THROWS_WITH(corio::Loop(debug_with_threshold(-0.5)), Contains("slow_callback_duration"));
}

namespace {

// Sets CORIO_DEBUG for its lifetime and restores what was there.
class DebugEnv {
 public:
  explicit DebugEnv(const char* value) {
    if (const char* old = std::getenv("CORIO_DEBUG")) old_ = old;
    had_ = std::getenv("CORIO_DEBUG") != nullptr;
    if (value) {
      ::setenv("CORIO_DEBUG", value, 1);
    } else {
      ::unsetenv("CORIO_DEBUG");
    }
  }
  ~DebugEnv() {
    if (had_) {
      ::setenv("CORIO_DEBUG", old_.c_str(), 1);
    } else {
      ::unsetenv("CORIO_DEBUG");
    }
  }
  DebugEnv(const DebugEnv&) = delete;
  DebugEnv& operator=(const DebugEnv&) = delete;

 private:
  bool had_ = false;
  std::string old_;
};

bool env_turns_debug_on(const char* value) {
  DebugEnv env(value);
  return corio::Loop(corio_test::virtual_time()).get_debug();
}

}  // namespace

TEST_CASE("CORIO_DEBUG=1 turns debug mode on, as PYTHONASYNCIODEBUG does; LoopOptions wins", "[ch11]") {
  CHECK(env_turns_debug_on("1"));
  CHECK(env_turns_debug_on("yes"));
  CHECK_FALSE(env_turns_debug_on("0"));
  CHECK_FALSE(env_turns_debug_on(""));
  CHECK_FALSE(env_turns_debug_on(nullptr));
  DebugEnv env("1");
  corio::LoopOptions off = corio_test::virtual_time();
  off.debug = false;
  CHECK_FALSE(corio::Loop(off).get_debug());
}
