// @chapter 11
// A randomized stress test: workers doing random mixes of every awaiter
// (sleep, Future, awaiting a task, gather, wait, as_completed, Semaphore,
// Lock, Event, Condition, Queue get and put, timeout, wait_for, shield,
// TaskGroup, a task shared by many awaiters, and with threads
// run_in_executor and to_thread), a chaos task cancelling workers at random, and, in the threaded run, other threads
// posting work with call_soon_threadsafe. Every run is bounded by a count
// of operations, not by wall time, and is reproducible from its seed: the
// seed is printed, and CORIO_STRESS_SEED=<n> replays it. After each run the
// invariants must hold: every permit back, nothing locked, every queue item
// received exactly once or still queued, no timer armed, every frame
// destroyed exactly once, every task done, nothing reported.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include <corio/corio.hpp>

#include "support/corio_test.hpp"

using corio_test::Diagnostics;
using corio_test::Life;
using corio_test::Lives;

namespace {

constexpr std::size_t kPermits = 3;
constexpr std::size_t kQueueSize = 4;

// The seed of a run: CORIO_STRESS_SEED when set, otherwise a fresh one.
std::uint64_t stress_seed() {
  if (const char* text = std::getenv("CORIO_STRESS_SEED")) return std::strtoull(text, nullptr, 10);
  return std::random_device{}() * 0x100000000ull + std::random_device{}();
}

struct Config {
  int workers = 64;
  int ops_per_worker = 60;
  int cancels = 80;
  bool threads = false;         // executor operations, and threads posting work
  bool foreign_frames = false;  // the threads also make coroutines that run (and end) on the loop's thread
  int posting_threads = 3;
  int posts_per_thread = 200;
};

// Everything the tasks of one run share. The random engine is used only on
// the loop's thread.
struct World {
  explicit World(std::uint64_t seed) : rng(seed) {}
  std::mt19937_64 rng;
  corio::Semaphore sem{kPermits};
  corio::Lock lock;
  corio::Event event;
  corio::Condition cond;
  int cond_generation = 0;
  corio::Queue<int> queue{kQueueSize};
  int next_item = 0;
  std::vector<int> produced;          // items whose put went through
  std::vector<int> consumed;          // items a get returned
  std::vector<corio::AnyTask> tasks;  // every task made at the top level
  // Tasks awaited by many workers, each with the result every one must get.
  std::vector<std::pair<corio::Task<std::string>, std::string>> shared;
  Lives lives;
  std::atomic<int> posted{0};  // callbacks from other threads that ran
  int ops = 0;
  int cancelled = 0;

  int pick(int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); }
  // A delay in whole tenths of a second, 0 to max tenths.
  double delay(int max = 5) { return pick(max + 1) / 10.0; }
};

corio::Coro<int> child(World& w, double seconds, int value) {
  Life life(w.lives);
  co_await corio::sleep(seconds);
  co_return value;
}

corio::Coro<std::string> text_child(World& w, double seconds, std::string text) {
  Life life(w.lives);
  co_await corio::sleep(seconds);
  co_return text;
}

corio::Coro<int> failing_child(World& w, double seconds) {
  Life life(w.lives);
  co_await corio::sleep(seconds);
  throw std::runtime_error("a child failing on purpose");
}

corio::Coro<> wait_event(World& w) {
  Life life(w.lives);
  co_await w.event.wait();
}

corio::Coro<> wait_condition(World& w) {
  Life life(w.lives);
  auto held = co_await w.cond.hold();
  int seen = w.cond_generation;
  while (w.cond_generation == seen) co_await w.cond.wait();
}

corio::Coro<> put_item(World& w) {
  Life life(w.lives);
  int item = w.next_item++;
  co_await w.queue.put(item);
  w.produced.push_back(item);
}

corio::Coro<> get_item(World& w) {
  Life life(w.lives);
  w.consumed.push_back(co_await w.queue.get());
}

corio::Coro<int> group_body(corio::TaskGroup& group, World& w, bool fail) {
  Life life(w.lives);
  group.create_task(child(w, w.delay(), 1));
  group.create_task(child(w, w.delay(), 2));
  if (fail) group.create_task(failing_child(w, w.delay()));
  co_await corio::sleep(w.delay(2));
  co_return 3;
}

// One random operation. Operations that may block for long go through a
// timeout, so that every worker ends. (No co_await inside CHECK: Catch would
// catch the CancelledError it may throw.)
corio::Coro<> operation(World& w, int kind) {
  Life life(w.lives);
  corio::Loop& loop = corio::get_running_loop();
  switch (kind) {
    case 0:
      co_await corio::sleep(w.delay());
      break;
    case 1: {
      corio::Future<int> f;
      loop.call_later(w.delay(), [f]() mutable {
        if (!f.done()) f.set_result(7);
      });
      int v = co_await f;
      CHECK(v == 7);
      break;
    }
    case 2: {
      int v = co_await corio::create_task(child(w, w.delay(), 5));
      CHECK(v == 5);
      break;
    }
    case 3: {
      auto [a, b] = co_await corio::gather(child(w, w.delay(), 1), child(w, w.delay(), 2));
      CHECK(a + b == 3);
      std::vector<corio::Task<int>> many;
      for (int i = 0; i < 3; ++i) many.push_back(corio::create_task(child(w, w.delay(), i)));
      std::vector<int> results = co_await corio::gather(many);
      CHECK(results == std::vector<int>{0, 1, 2});
      break;
    }
    case 4: {
      std::vector<corio::Task<int>> tasks;
      for (int i = 0; i < 3; ++i) tasks.push_back(corio::create_task(child(w, w.delay(), i)));
      auto [done, pending] = co_await corio::wait(tasks, corio::FIRST_COMPLETED);
      CHECK(!done.empty());
      if (!pending.empty()) co_await corio::wait(pending);
      break;
    }
    case 5: {
      std::vector<corio::Coro<int>> coros;
      for (int i = 0; i < 3; ++i) coros.push_back(child(w, w.delay(), i));
      auto completed = corio::as_completed(std::move(coros));
      int sum = 0;
      for (int i = 0; i < 3; ++i) sum += co_await completed.next();
      CHECK(sum == 3);
      break;
    }
    case 6: {
      auto held = co_await w.sem.hold();
      co_await corio::sleep(w.delay(2));
      break;
    }
    case 7: {
      auto held = co_await w.lock.hold();
      co_await corio::sleep(w.delay(2));
      break;
    }
    case 8:
      try {
        co_await corio::timeout(w.delay()).run(wait_event(w));
      } catch (const corio::TimeoutError&) {
      }
      break;
    case 9:
      try {
        co_await corio::timeout(w.delay()).run(wait_condition(w));
      } catch (const corio::TimeoutError&) {
      }
      break;
    case 10:
      try {
        co_await corio::wait_for(put_item(w), w.delay());
      } catch (const corio::TimeoutError&) {
      }
      break;
    case 11:
      try {
        co_await corio::timeout(w.delay()).run(get_item(w));
      } catch (const corio::TimeoutError&) {
      }
      break;
    case 12:
      try {
        int v = co_await corio::wait_for(child(w, w.delay(), 4), w.delay());
        CHECK(v == 4);
      } catch (const corio::TimeoutError&) {
      }
      break;
    case 13: {
      corio::Task<int> inner = corio::create_task(child(w, w.delay(), 6));
      w.tasks.push_back(inner);  // a cancel of this worker leaves it running on
      int v = co_await corio::shield(inner);
      CHECK(v == 6);
      break;
    }
    case 14: {
      corio::TaskGroup group;
      bool fail = w.pick(4) == 0;
      try {
        int v = co_await group.run(group_body(group, w, fail));
        CHECK(v == 3);
        CHECK_FALSE(fail);
      } catch (const corio::ExceptionGroup&) {
        CHECK(fail);
      }
      break;
    }
    case 15:
      if (w.pick(2) == 0) {
        w.event.set();
      } else {
        w.event.clear();
      }
      {
        auto held = co_await w.cond.hold();
        ++w.cond_generation;
        w.cond.notify_all();
      }
      break;
    case 16: {
      // Many awaiters of one task: each gets the whole result, whichever way
      // it awaits (asyncio gives every awaiter the same object).
      if (w.shared.size() < 4 || w.pick(4) == 0) {
        std::string text = "result number " + std::to_string(w.shared.size()) + " of a shared task";
        w.shared.emplace_back(corio::create_task(text_child(w, w.delay(), text)), text);
        w.tasks.push_back(w.shared.back().first);
      }
      auto [task, want] = w.shared[static_cast<std::size_t>(w.pick(static_cast<int>(w.shared.size())))];
      std::string got;
      switch (w.pick(3)) {
        case 0:
          got = co_await task;
          break;
        case 1: {
          corio::Task<std::string> copy = task;
          got = co_await std::move(copy);
          break;
        }
        default:
          got = co_await corio::wait_for(task, 10.0);
          break;
      }
      CHECK(got == want);
      break;
    }
    case 17: {
      int n = co_await corio::run_in_executor(nullptr, [] { return 8; });
      CHECK(n == 8);
      break;
    }
    case 18: {
      int v = co_await corio::to_thread([](int x) { return x + 1; }, 8);
      CHECK(v == 9);
      break;
    }
  }
}

corio::Coro<> worker(World& w, int ops, int kinds) {
  Life life(w.lives);
  for (int i = 0; i < ops; ++i) {
    ++w.ops;
    co_await operation(w, w.pick(kinds));
  }
}

// Cancels a random worker now and then, until every worker is done.
corio::Coro<> chaos(World& w, std::vector<corio::Task<>>& workers, int cancels) {
  Life life(w.lives);
  for (int i = 0; i < cancels; ++i) {
    co_await corio::sleep(w.delay(3));
    corio::Task<>& victim = workers[static_cast<std::size_t>(w.pick(static_cast<int>(workers.size())))];
    if (victim.cancel()) ++w.cancelled;
  }
}

// Another thread posting callbacks; some make tasks on the loop's thread,
// some complete a future a worker might await.
void poster(corio::RemoteLoop remote, World& w, int posts, bool foreign_frames, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (int i = 0; i < posts; ++i) {
    std::uint64_t kind = rng() % 4;
    if (kind == 1 && !foreign_frames) kind = 0;
    switch (kind) {
      case 0:  // a task made on the loop's thread
        remote.call_soon_threadsafe([&w] {
          w.posted.fetch_add(1);
          w.tasks.push_back(corio::create_task(child(w, 0, 0)));
        });
        break;
      case 1:  // a coroutine made here, run there, after this thread may have ended
        remote.call_soon_threadsafe([&w, coro = child(w, 0, 0)]() mutable {
          w.posted.fetch_add(1);
          w.tasks.push_back(corio::create_task(std::move(coro)));
        });
        break;
      default:
        remote.call_soon_threadsafe([&w] { w.posted.fetch_add(1); });
        break;
    }
  }
}

corio::Coro<> scenario(World& w, const Config& config, std::uint64_t seed) {
  corio::Loop& loop = corio::get_running_loop();
  int kinds = config.threads ? 19 : 17;
  std::vector<std::thread> threads;
  if (config.threads) {
    for (int i = 0; i < config.posting_threads; ++i) {
      threads.emplace_back(poster, loop.remote(), std::ref(w), config.posts_per_thread, config.foreign_frames,
                           seed + static_cast<std::uint64_t>(i) + 1);
    }
  }
  std::vector<corio::Task<>> workers;
  for (int i = 0; i < config.workers; ++i) {
    workers.push_back(corio::create_task(worker(w, w.pick(config.ops_per_worker) + 1, kinds)));
    w.tasks.push_back(workers.back());
  }
  corio::Task<> chaos_task = corio::create_task(chaos(w, workers, config.cancels));
  for (corio::Task<>& t : workers) {
    try {
      co_await t;
    } catch (const corio::CancelledError&) {
    }
  }
  co_await chaos_task;
  for (std::thread& t : threads) t.join();
  // Whatever the posts started, and the shielded tasks, run to their end.
  int posts = config.threads ? config.posting_threads * config.posts_per_thread : 0;
  while (w.posted.load() < posts) co_await corio::sleep(0);
  for (std::size_t i = 0; i < w.tasks.size(); ++i) {
    corio::AnyTask t = w.tasks[i];
    while (!t.done()) co_await corio::sleep(0.1);
  }
  co_await corio::sleep(1);  // the last Futures' call_later callbacks
  CHECK(corio::detail::LoopAccess::timers_armed(loop) == 0);
  CHECK(w.sem.value() == kPermits);
  CHECK_FALSE(w.lock.locked());
  CHECK_FALSE(w.cond.locked());
  std::vector<int> accounted = w.consumed;
  while (!w.queue.empty()) accounted.push_back(w.queue.get_nowait());
  CHECK(w.queue.qsize() == 0);
  std::sort(accounted.begin(), accounted.end());
  std::vector<int> produced = w.produced;
  std::sort(produced.begin(), produced.end());
  CHECK(accounted == produced);
}

void stress(const Config& config, int runs) {
  std::uint64_t first = stress_seed();
  std::printf("stress: %d runs from seed %llu (replay: CORIO_STRESS_SEED=%llu)\n", runs,
              static_cast<unsigned long long>(first), static_cast<unsigned long long>(first));
  for (int run = 0; run < runs; ++run) {
    std::uint64_t seed = first + static_cast<std::uint64_t>(run);
    INFO("replay with CORIO_STRESS_SEED=" << seed);
    World w(seed);
    {
      Diagnostics diagnostics;
      corio::run(scenario(w, config, seed), corio_test::virtual_time());
      CHECK(diagnostics.messages.empty());
    }
    for (const corio::AnyTask& t : w.tasks) CHECK(t.done());
    CHECK(w.lives.alive() == 0);
    CHECK(w.lives.twice == 0);
    if (std::getenv("CORIO_STRESS_VERBOSE") != nullptr) {
      std::printf("stress seed %llu: %d operations, %d cancels, %zu items through the queue, %d posts\n",
                  static_cast<unsigned long long>(seed), w.ops, w.cancelled, w.produced.size(), w.posted.load());
    }
  }
}

TEST_CASE("random mixes of every awaiter with random cancels and timeouts keep every invariant", "[ch11][stress]") {
  stress(Config{}, 20);
}

TEST_CASE("random mixes of every awaiter and executor with threads posting work keep every invariant",
          "[ch11][stress][threads]") {
  Config config;
  config.threads = true;
  config.workers = 12;
  stress(config, 4);
}

TEST_CASE("coroutines made on threads that end before them run and end on the loop's thread under stress",
          "[ch11][stress][threads]") {
  Config config;
  config.threads = true;
  config.foreign_frames = true;
  config.workers = 12;
  stress(config, 4);
}

}  // namespace
