// @chapter 10
// run()'s shutdown, as asyncio.run's: the tasks still pending when main
// returns are cancelled and run to their end; cleanup that makes new tasks
// gets a few more rounds, then run() names what is left and gives up.
#include <catch2/catch.hpp>

#include <cstdint>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <corio/corio.hpp>

#include "support/cancel_helpers.hpp"
#include "support/corio_test.hpp"

using corio_test::Diagnostics;
using corio_test::Life;
using corio_test::Lives;
using corio_test::now;
using corio_test::tick;

namespace {

corio::Coro<> clean_up_when_cancelled(Lives& lives, std::vector<double>& cleaned) {
  Life life(lives);
  bool cancelled = false;
  try {
    co_await corio::sleep(100);
  } catch (const corio::CancelledError&) {
    cancelled = true;
  }
  if (cancelled) {
    co_await corio::sleep(1);  // the cleanup may wait too: run() waits for it
    cleaned.push_back(now());
  }
}

corio::Coro<> started_last(Lives& lives, std::vector<double>& cleaned) {
  Life life(lives);
  try {
    co_await tick();
  } catch (const corio::CancelledError&) {
    cleaned.push_back(now());
    throw;
  }
}

corio::Coro<int> leave_tasks_behind(Lives& lives, std::vector<double>& cleaned) {
  corio::create_task(clean_up_when_cancelled(lives, cleaned));
  corio::create_task(clean_up_when_cancelled(lives, cleaned));
  co_await corio::sleep(2);
  // Its first step is queued before main's end is noticed, so its body
  // starts, as in asyncio, and the cancellation meets it at its first wait.
  corio::create_task(started_last(lives, cleaned));
  co_return 5;
}

TEST_CASE("run() cancels the tasks still pending when main returns and runs them to their end", "[ch10]") {
  Diagnostics diagnostics;
  Lives lives;
  std::vector<double> cleaned;
  int result = corio::run(leave_tasks_behind(lives, cleaned), corio_test::virtual_time());
  CHECK(result == 5);
  CHECK(cleaned == std::vector<double>{2.0, 3.0, 3.0});  // cancelled at 2 s; two cleaned up for a second
  CHECK(lives.made == 3);
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
  CHECK(diagnostics.messages.empty());  // no "destroyed but it is pending"
}

// Cleanup that makes a new task each time it is cancelled, and a long job.
corio::Coro<> respawn_when_cancelled(int& spawned, int& slept) {
  try {
    for (int i = 0; i < 1000; ++i) {
      co_await corio::sleep(1);
      ++slept;
    }
  } catch (const corio::CancelledError&) {
    ++spawned;
    corio::create_task(respawn_when_cancelled(spawned, slept), "respawned");
    throw;
  }
}

corio::Coro<int> leave_a_task_that_respawns(int& spawned, int& slept) {
  corio::create_task(respawn_when_cancelled(spawned, slept), "respawned");
  co_return 1;
}

TEST_CASE("run()'s shutdown also cancels the tasks that cleanup code made, and gives up after a few rounds", "[ch10]") {
  Diagnostics diagnostics;
  int spawned = 0;
  int slept = 0;
  CHECK(corio::run(leave_a_task_that_respawns(spawned, slept), corio_test::virtual_time()) == 1);
  CHECK(spawned == corio::detail::kShutdownRounds);  // one per round
  CHECK(slept == 0);                                 // no long job ran to its end
  REQUIRE(diagnostics.messages.size() == 2);
  CHECK_THAT(diagnostics.messages[0],
             Catch::Matchers::Contains("Abandoned: 'respawned' (coroutine 'respawn_when_cancelled')"));
  CHECK_THAT(diagnostics.messages[1], Catch::Matchers::Contains("Task was destroyed but it is pending"));
}

// A task whose end makes another like it: cleanup code that never runs out
// of work. It stops by itself after 100, so the test ends either way.
corio::Coro<> wait_a_long_time() { co_await corio::sleep(1e6); }

void spawn_another(int& spawned) {
  if (++spawned == 100) return;
  corio::create_task(wait_a_long_time(), "respawned").add_done_callback([&spawned](const corio::Task<>&) {
    spawn_another(spawned);
  });
}

corio::Coro<int> leave_a_respawning_task(int& spawned) {
  spawn_another(spawned);
  co_return 1;
}

TEST_CASE("run()'s shutdown gives up after a few rounds when cleanup keeps making tasks, and names them", "[ch10]") {
  Diagnostics diagnostics;
  int spawned = 0;
  CHECK(corio::run(leave_a_respawning_task(spawned), corio_test::virtual_time()) == 1);
  CHECK(spawned == corio::detail::kShutdownRounds + 1);  // one per round, and the one left
  REQUIRE(diagnostics.messages.size() == 2);
  CHECK_THAT(diagnostics.messages[0], Catch::Matchers::Contains("run(): gave up shutting down after 3 rounds"));
  CHECK_THAT(diagnostics.messages[0],
             Catch::Matchers::Contains("Abandoned: 'respawned' (coroutine 'wait_a_long_time')"));
  CHECK_THAT(diagnostics.messages[1], Catch::Matchers::Contains("Task was destroyed but it is pending"));
}

}  // namespace
