// @chapter 11
// ThreadPoolExecutor, run_in_executor and to_thread: blocking code off the
// loop, its result back on the loop's thread. Concurrency is proved by
// latches that only concurrent code can get past; nothing sleeps.
#include <atomic>
#include <cstdint>
#include <latch>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <corio/corio.hpp>

#include "support/corio_test.hpp"

using Catch::Matchers::Contains;

namespace {

struct Where {
  std::thread::id job;      // the thread fn ran on
  std::thread::id resumed;  // the thread co_await resumed on
};

corio::Coro<Where> where_things_run() {
  corio::ThreadPoolExecutor pool(1);
  Where w;
  w.job = co_await corio::run_in_executor(pool, [] { return std::this_thread::get_id(); });
  w.resumed = std::this_thread::get_id();
  co_return w;
}

}  // namespace

TEST_CASE("run_in_executor runs fn on a pool thread and the loop's thread gets the result", "[ch11][threads]") {
  Where w = corio::run(where_things_run(), corio_test::virtual_time());
  CHECK(w.job != std::this_thread::get_id());
  CHECK(w.resumed == std::this_thread::get_id());
}

namespace {

corio::Coro<int> add_on_pool(int a, int b) {
  corio::ThreadPoolExecutor pool(1);
  co_return co_await corio::run_in_executor(
      pool, [](int x, int y) { return x + y; }, a, b);
}

corio::Coro<std::string> error_from_pool() {
  corio::ThreadPoolExecutor pool(1);
  try {
    co_await corio::run_in_executor(pool, [] { throw std::out_of_range("index 7 is out of range"); });
  } catch (const std::out_of_range& e) {
    co_return e.what();
  }
  co_return "no error";
}

corio::Coro<int> void_and_move_only() {
  corio::ThreadPoolExecutor pool(1);
  int touched = 0;
  co_await corio::run_in_executor(
      pool, [](int* p) { *p = 5; }, &touched);
  auto boxed = co_await corio::run_in_executor(
      pool, [](std::unique_ptr<int> p) { return p; }, std::make_unique<int>(6));
  co_return touched + *boxed;
}

}  // namespace

TEST_CASE("run_in_executor passes the arguments and returns fn's result", "[ch11][threads]") {
  CHECK(corio::run(add_on_pool(20, 22), corio_test::virtual_time()) == 42);
  CHECK(corio::run(void_and_move_only(), corio_test::virtual_time()) == 11);
}

TEST_CASE("an exception thrown by fn on the pool is thrown by co_await on the loop", "[ch11][threads]") {
  CHECK(corio::run(error_from_pool(), corio_test::virtual_time()) == "index 7 is out of range");
}

namespace {

// E10: blocking_function waits at a latch that only a task on the loop can
// release, so it returns only if the loop keeps running other tasks.
corio::Coro<> ticker(std::latch& ticks, std::vector<std::string>& events) {
  for (int i = 1; i <= 3; ++i) {
    events.push_back("tick " + std::to_string(i));
    ticks.count_down();
    co_await corio::sleep(0);
  }
}

corio::Coro<std::vector<std::string>> blocking_call_beside_a_ticker() {
  std::vector<std::string> events;
  std::latch ticks(3);
  corio::ThreadPoolExecutor pool(1);
  corio::Future<int> result = corio::run_in_executor(
      pool,
      [&ticks](int arg) {
        ticks.wait();
        return arg * 2;
      },
      21);
  events.push_back("blocking call submitted");
  corio::Task<> t = corio::create_task(ticker(ticks, events));
  events.push_back("result " + std::to_string(co_await result));
  co_await t;
  co_return events;
}

}  // namespace

TEST_CASE("other tasks keep running while the blocking call runs in the executor", "[ch11][E10][threads]") {
  auto events = corio::run(blocking_call_beside_a_ticker(), corio_test::virtual_time());
  CHECK(events == std::vector<std::string>{"blocking call submitted", "tick 1", "tick 2", "tick 3", "result 42"});
}

namespace {

corio::Coro<> sleep_for(double seconds) { co_await corio::sleep(seconds); }

corio::Coro<std::vector<double>> clock_around_a_job() {
  corio::Loop& loop = corio::get_running_loop();
  corio::ThreadPoolExecutor pool(1);
  std::vector<double> times;
  corio::Task<> timer = corio::create_task(sleep_for(1));  // a deadline the clock could jump to
  co_await corio::sleep(0);
  co_await corio::run_in_executor(pool, [] { return 0; });
  times.push_back(loop.time());
  co_await timer;
  times.push_back(loop.time());
  co_return times;
}

}  // namespace

TEST_CASE("the virtual clock does not jump while a job runs on the pool", "[ch11][threads]") {
  CHECK(corio::run(clock_around_a_job(), corio_test::virtual_time()) == std::vector<double>{0.0, 1.0});
}

namespace {

corio::Coro<int> completed_before_the_thread() {
  corio::ThreadPoolExecutor pool(1);  // one thread: jobs finish in the order submitted
  std::latch go(1);
  corio::Future<int> early = corio::run_in_executor(pool, [&go] {
    go.wait();
    return 1;
  });
  early.set_result(7);  // the loop's side decides first
  go.count_down();
  // This job's result is posted after the first one's, so by the time it
  // is back, the first one's late result has been delivered.
  co_await corio::run_in_executor(pool, [] { return 2; });
  co_return early.result();
}

}  // namespace

TEST_CASE("a future completed on the loop's side first drops the thread's late result silently", "[ch11][threads]") {
  corio_test::Diagnostics diagnostics;
  CHECK(corio::run(completed_before_the_thread(), corio_test::virtual_time()) == 7);
  CHECK(diagnostics.messages.empty());
}

namespace {

corio::Coro<std::size_t> lazy_to_thread(int& calls) {
  corio::Loop& loop = corio::get_running_loop();
  auto pending = corio::to_thread([&calls](int x) { return ++calls + x; }, 10);
  co_await corio::sleep(0);
  std::size_t in_flight_before = corio::detail::inbox_of(loop)->work_in_flight();
  int result = co_await std::move(pending);
  co_return in_flight_before * 100 + static_cast<std::size_t>(result);
}

corio::Coro<std::thread::id> to_thread_runs_on(std::thread::id& resumed) {
  auto id = co_await corio::to_thread([] { return std::this_thread::get_id(); });
  resumed = std::this_thread::get_id();
  co_return id;
}

}  // namespace

TEST_CASE("to_thread runs fn on the default executor once awaited, not before", "[ch11][threads]") {
  int calls = 0;
  CHECK(corio::run(lazy_to_thread(calls), corio_test::virtual_time()) == 11);  // 0 in flight before, 1 + 10
  CHECK(calls == 1);
  std::thread::id resumed;
  CHECK(corio::run(to_thread_runs_on(resumed), corio_test::virtual_time()) != std::this_thread::get_id());
  CHECK(resumed == std::this_thread::get_id());
}

TEST_CASE("a pool of 0 threads is refused with a ValueError naming max_workers", "[ch11]") {
  CHECK_THROWS_AS(corio::ThreadPoolExecutor(0), corio::ValueError);
  CHECK_THROWS_WITH(corio::ThreadPoolExecutor(0), Contains("max_workers must be greater than 0"));
}

namespace {

corio::Coro<std::string> submit_after_shutdown() {
  corio::ThreadPoolExecutor pool(2);
  CHECK(pool.max_workers() == 2);
  pool.shutdown();
  pool.shutdown();  // a second time does nothing
  try {
    co_await corio::run_in_executor(pool, [] { return 1; });
  } catch (const corio::RuntimeError& e) {
    co_return e.what();
  }
  co_return "accepted";
}

corio::Coro<std::string> default_executor_after_shutdown() {
  corio::get_running_loop().shutdown_default_executor();
  try {
    co_await corio::to_thread([] { return 1; });
  } catch (const corio::RuntimeError& e) {
    co_return e.what();
  }
  co_return "accepted";
}

corio::Coro<std::string> shutdown_from_inside() {
  corio::ThreadPoolExecutor pool(1);
  try {
    co_await corio::run_in_executor(pool, [&pool] { pool.shutdown(); });
  } catch (const corio::RuntimeError& e) {
    co_return e.what();
  }
  co_return "returned";
}

}  // namespace

TEST_CASE("submitting to a shut-down pool is refused, and the loop still closes", "[ch11][threads]") {
  CHECK_THAT(corio::run(submit_after_shutdown(), corio_test::virtual_time()),
             Contains("cannot schedule new futures after shutdown"));
  CHECK_THAT(corio::run(default_executor_after_shutdown(), corio_test::virtual_time()),
             Contains("default executor was shut down"));
}

TEST_CASE("a pool thread that shuts its own pool down gets an error instead of waiting for itself", "[ch11][threads]") {
  CHECK_THAT(corio::run(shutdown_from_inside(), corio_test::virtual_time()), Contains("pool's own threads"));
}

namespace {

struct Result {
  corio_test::Life life;
};

// Returns while its job still runs (the job goes on only once main is
// done), and without awaiting it.
corio::Coro<> leave_a_job_running(corio::ThreadPoolExecutor* pool, std::latch& main_done,
                                  std::atomic<bool>& job_finished, corio_test::Lives& lives) {
  auto job = [&] {
    main_done.wait();
    job_finished = true;
    return Result{corio_test::Life(lives)};
  };
  if (pool) {
    (void)corio::run_in_executor(*pool, job);
  } else {
    (void)corio::run_in_executor(nullptr, job);
  }
  main_done.count_down();
  co_return;
}

}  // namespace

TEST_CASE("run() returns only after a job still running at the end is done; its result is dropped", "[ch11][threads]") {
  for (bool default_executor : {true, false}) {
    INFO("default executor: " << default_executor);
    corio_test::Lives lives;
    std::atomic<bool> job_finished = false;
    std::latch main_done(1);
    corio::ThreadPoolExecutor pool(1);
    corio::run(leave_a_job_running(default_executor ? nullptr : &pool, main_done, job_finished, lives),
               corio_test::virtual_time());
    CHECK(job_finished);
    CHECK(lives.made > 0);
    CHECK(lives.alive() == 0);
    CHECK(lives.twice == 0);
  }
}

namespace {

// C05/E14: two jobs that each wait for the other at a latch can only both
// finish if they run at the same time, on two threads.
corio::Coro<std::size_t> two_jobs_that_meet() {
  corio::ThreadPoolExecutor pool(2);
  std::latch both_running(2);
  auto job = [&both_running] {
    both_running.arrive_and_wait();
    return std::this_thread::get_id();
  };
  corio::Future<std::thread::id> a = corio::run_in_executor(pool, job);
  corio::Future<std::thread::id> b = corio::run_in_executor(pool, job);
  std::set<std::thread::id> threads;
  threads.insert(co_await a);
  threads.insert(co_await b);
  threads.erase(std::this_thread::get_id());
  co_return threads.size();
}

corio::Coro<> chunk(int i, std::vector<std::string>& events, std::set<std::thread::id>& threads) {
  events.push_back("start " + std::to_string(i));
  threads.insert(std::this_thread::get_id());
  std::uint64_t x = 1;
  for (int n = 0; n < 10000; ++n) x = x * 6364136223846793005u + 1442695040888963407u;  // the CPU work
  events.push_back("end " + std::to_string(i));
  co_return;
}

corio::Coro<> four_chunks_as_tasks(std::vector<std::string>& events, std::set<std::thread::id>& threads) {
  std::vector<corio::Task<>> tasks;
  for (int i = 0; i < 4; ++i) tasks.push_back(corio::create_task(chunk(i, events, threads)));
  for (corio::Task<>& t : tasks) co_await t;
}

}  // namespace

TEST_CASE("CPU-bound jobs on a pool of 2 run at the same time on 2 threads", "[ch11][C05][E14][threads]") {
  CHECK(corio::run(two_jobs_that_meet(), corio_test::virtual_time()) == 2);
}

TEST_CASE("CPU-bound chunks as tasks on one loop run one after another, on the loop's thread", "[ch11][C05][E14]") {
  std::vector<std::string> events;
  std::set<std::thread::id> threads;
  corio::run(four_chunks_as_tasks(events, threads), corio_test::virtual_time());
  CHECK(events ==
        std::vector<std::string>{"start 0", "end 0", "start 1", "end 1", "start 2", "end 2", "start 3", "end 3"});
  CHECK(threads == std::set{std::this_thread::get_id()});
}

TEST_CASE("a ThreadPoolExecutor of SIZE_MAX workers is refused with a ValueError naming the limit", "[ch11]") {
  CHECK_THROWS_AS(corio::ThreadPoolExecutor(SIZE_MAX), corio::ValueError);
  CHECK_THROWS_WITH(corio::ThreadPoolExecutor(SIZE_MAX),
                    Contains("max_workers") && Contains(std::to_string(corio::ThreadPoolExecutor::kMaxWorkers)));
  CHECK_THROWS_AS(corio::ThreadPoolExecutor(corio::ThreadPoolExecutor::kMaxWorkers + 1), corio::ValueError);
}

TEST_CASE("closing a loop while a to_thread job waits for a call it posted back runs that call, and does not hang",
          "[ch11][threads]") {
  corio_test::Diagnostics diagnostics;  // the task left is destroyed with the loop, and says so
  std::atomic<int> got = 0;
  std::atomic<bool> answered = false;
  {
    corio::Loop loop(corio_test::virtual_time());
    corio::RemoteLoop remote = loop.remote();
    auto job = [remote, &got, &answered] {
      int answer = 0;
      remote.call_soon_threadsafe([&answer, &answered] {
        answer = 42;
        answered = true;
      });
      while (!answered) std::this_thread::yield();  // the loop has stopped running: only its close can answer
      got = answer;
    };
    loop.call_soon([&loop, job] {
      corio::create_task(corio::to_thread(job));
      loop.call_soon([&loop] { loop.stop(); });  // after the task's first step, which submits the job
    });
    loop.run_forever();
    CHECK(corio::detail::inbox_of(loop)->work_in_flight() == 1);
  }  // the loop closes with the job in flight
  CHECK(got == 42);
}

namespace {

// The safe form under GCC 12 (chapter 11's README): the lambda is named
// before the co_await, so only its copy in to_thread's frame is destroyed
// there, once.
corio::Coro<long> reference_count_after_to_thread() {
  auto shared = std::make_shared<int>(21);
  auto job = [shared] { return *shared * 2; };
  int doubled = co_await corio::to_thread(job);
  CHECK(doubled == 42);
  co_return shared.use_count();
}

}  // namespace

TEST_CASE("a lambda named before co_await is destroyed once", "[ch11][threads]") {
  CHECK(corio::run(reference_count_after_to_thread()) == 2);  // shared, and job's capture
}
