// @chapter 14
// LoopThreads: a body per thread, each in a loop of its own; stop() cancels
// them all, the first error stops the others and comes out of join().
#include <atomic>
#include <latch>
#include <stdexcept>
#include <string>
#include <thread>

#include <catch2/catch.hpp>
#include <corio/corio.hpp>

#include "support/corio_test.hpp"

namespace {

// Waits until cancelled; counts its start and its cancellation.
corio::Coro<> wait_forever(std::latch& started, std::atomic<int>& cancelled) {
  corio::Event never;
  started.count_down();
  try {
    co_await never.wait();
  } catch (const corio::CancelledError&) {
    ++cancelled;
    throw;
  }
}

}  // namespace

TEST_CASE("every body runs on a thread of its own, and stop() cancels them all without an error", "[ch14][threads]") {
  std::latch started(3);
  std::atomic<int> cancelled = 0;
  std::thread::id ids[3];
  corio::LoopThreads loops(3, [&](int i) -> corio::Coro<> {
    ids[i] = std::this_thread::get_id();
    return wait_forever(started, cancelled);
  });
  CHECK(loops.size() == 3);
  started.wait();
  loops.stop();
  CHECK_NOTHROW(loops.join());
  CHECK(cancelled == 3);
  CHECK(ids[0] != ids[1]);
  CHECK(ids[1] != ids[2]);
  CHECK(ids[0] != std::this_thread::get_id());
}

TEST_CASE("the first body to fail stops the others, and join() rethrows its error", "[ch14][threads]") {
  std::latch started(1);
  std::atomic<int> cancelled = 0;
  corio::LoopThreads loops(2, [&](int i) -> corio::Coro<> {
    if (i == 0) return wait_forever(started, cancelled);
    return []() -> corio::Coro<> {
      throw std::runtime_error("loop 1 failed");
      co_return;
    }();
  });
  CHECK_THROWS_WITH(loops.join(), "loop 1 failed");
  // join() returning at all shows loop 0 was stopped: its body waits forever otherwise.
}

TEST_CASE("stop() called before the loops have started still ends every body", "[ch14][threads]") {
  std::latch started(2);
  std::atomic<int> cancelled = 0;
  corio::LoopThreads loops(2, [&](int) { return wait_forever(started, cancelled); });
  loops.stop();  // a loop that starts after this finds its eventfd readable at once
  CHECK_NOTHROW(loops.join());
}

TEST_CASE("LoopThreads refuses no loops and an empty body", "[ch14]") {
  CHECK_THROWS_AS(corio::LoopThreads(0, [](int) -> corio::Coro<> { co_return; }), corio::InvalidArgument);
  CHECK_THROWS_AS(corio::LoopThreads(1, corio::LoopThreads::Body()), corio::InvalidArgument);
}

TEST_CASE("every stop() cancels again: a body that caught the first cancellation is stopped by the second",
          "[ch14][threads]") {
  std::latch caught(1);
  std::atomic<int> cancellations = 0;
  corio::LoopThreads loops(1, [&](int) -> corio::Coro<> {
    corio::Event never;
    try {
      co_await never.wait();
    } catch (const corio::CancelledError&) {
      ++cancellations;
    }
    caught.count_down();
    try {
      co_await never.wait();  // a cleanup that would wait forever
    } catch (const corio::CancelledError&) {
      ++cancellations;
      throw;
    }
  });
  loops.stop();
  caught.wait();  // the first cancellation was read and delivered: the next stop() is a new one
  loops.stop();
  CHECK_NOTHROW(loops.join());
  CHECK(cancellations == 2);
}
