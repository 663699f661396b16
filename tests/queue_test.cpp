// @chapter 08
// Queue, PriorityQueue and LifoQueue: no item delivered twice or lost,
// getters and putters served in the order they waited, put waiting while
// full and get while empty, the _nowait errors, task_done and join counted
// exactly on the virtual clock, the three orders, and waiting frames
// destroyed exactly once without losing what they were promised.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <corio/corio.hpp>
#include <corio/queues/queue.hpp>

#include "support/corio_test.hpp"

using corio_test::Diagnostics;
using corio_test::Life;
using corio_test::Lives;

namespace {

double now() { return corio::get_running_loop().time(); }

corio::Coro<> produce(corio::Queue<int>& q, int producer, int items) {
  for (int i = 0; i < items; ++i) {
    co_await q.put(producer * 1000 + i);
    if (i % 7 == 0) co_await corio::sleep(0.001 * producer);
  }
}

corio::Coro<> consume(corio::Queue<int>& q, int consumer, std::map<int, int>& seen) {
  for (;;) {
    int item = co_await q.get();
    if (item < 0) co_return;
    ++seen[item];
    if (item % 5 == consumer) co_await corio::sleep(0.002);
  }
}

// N producers and M consumers, then one -1 per consumer once every
// producer is done.
corio::Coro<> producers_and_consumers(corio::Queue<int>& q, int n, int m, int items, std::map<int, int>& seen) {
  std::vector<corio::Task<>> consumers;
  for (int c = 0; c < m; ++c) consumers.push_back(corio::create_task(consume(q, c, seen)));
  std::vector<corio::Task<>> producers;
  for (int p = 0; p < n; ++p) producers.push_back(corio::create_task(produce(q, p, items)));
  for (corio::Task<>& t : producers) co_await t;
  for (int c = 0; c < m; ++c) co_await q.put(-1);
  for (corio::Task<>& t : consumers) co_await t;
}

TEST_CASE("with N producers and M consumers every item is delivered exactly once", "[ch08]") {
  int maxsize = GENERATE(0, 1, 3, 100);
  corio::Queue<int> q(maxsize);
  std::map<int, int> seen;
  corio::run(producers_and_consumers(q, 3, 4, 500, seen), corio_test::virtual_time());
  int missing = 0, twice = 0;
  for (int p = 0; p < 3; ++p) {
    for (int i = 0; i < 500; ++i) {
      auto it = seen.find(p * 1000 + i);
      if (it == seen.end()) ++missing;
      else if (it->second > 1) ++twice;
    }
  }
  CHECK(seen.size() == 1500);  // nothing else came out
  CHECK(missing == 0);
  CHECK(twice == 0);
  CHECK(q.qsize() == 0);
  CHECK(q.empty());
}

corio::Coro<> get_and_record(corio::Queue<int>& q, int id, std::vector<std::pair<int, int>>& got) {
  int item = co_await q.get();
  got.emplace_back(id, item);
}

corio::Coro<> getters_in_line(corio::Queue<int>& q, std::vector<std::pair<int, int>>& got) {
  std::vector<corio::Task<>> getters;
  for (int id = 0; id < 5; ++id) getters.push_back(corio::create_task(get_and_record(q, id, got)));
  co_await corio::sleep(0);  // all five wait now, 0 first
  CHECK(got.empty());
  for (int item = 10; item < 15; ++item) co_await q.put(item);
  for (corio::Task<>& t : getters) co_await t;
}

TEST_CASE("waiting getters get items in the order they started waiting", "[ch08]") {
  corio::Queue<int> q;
  std::vector<std::pair<int, int>> got;
  corio::run(getters_in_line(q, got), corio_test::virtual_time());
  std::vector<std::pair<int, int>> expected = {{0, 10}, {1, 11}, {2, 12}, {3, 13}, {4, 14}};
  CHECK(got == expected);
}

corio::Coro<> newcomer_and_promise(corio::Queue<int>& q, std::vector<std::string>& trace) {
  corio::Task<> waiter = corio::create_task(
      [](corio::Queue<int>& queue, std::vector<std::string>& t) -> corio::Coro<> {
        int item = co_await queue.get();
        t.push_back("waiter got " + std::to_string(item));
      }(q, trace));
  co_await corio::sleep(0);  // the waiter waits
  q.put_nowait(7);           // promised to the waiter, which has not run yet
  CHECK(q.qsize() == 1);
  CHECK(q.empty());
  try {
    q.get_nowait();
    trace.push_back("newcomer took it");
  } catch (const corio::QueueEmpty& e) {
    trace.push_back("newcomer refused");
    CHECK(std::string(e.what()).find("promised to a getter that was waiting first") != std::string::npos);
  }
  co_await waiter;
}

TEST_CASE("an item promised to a waiting getter cannot be taken by a newcomer", "[ch08]") {
  corio::Queue<int> q;
  std::vector<std::string> trace;
  corio::run(newcomer_and_promise(q, trace), corio_test::virtual_time());
  CHECK(trace == std::vector<std::string>{"newcomer refused", "waiter got 7"});
  CHECK(q.qsize() == 0);
}

corio::Coro<> put_and_record(corio::Queue<std::string>& q, std::string item, std::vector<std::string>& trace) {
  co_await q.put(item);
  trace.push_back("put " + item);
}

corio::Coro<> putters_in_line(corio::Queue<std::string>& q, std::vector<std::string>& trace) {
  q.put_nowait("x");
  CHECK(q.full());
  std::vector<corio::Task<>> putters;
  for (std::string item : {"a", "b", "c"}) putters.push_back(corio::create_task(put_and_record(q, item, trace)));
  co_await corio::sleep(0);  // all three wait now, a first
  CHECK(trace.empty());
  for (int i = 0; i < 4; ++i) {
    trace.push_back("got " + co_await q.get());
    co_await corio::sleep(0);  // the putter promised the slot puts its item
  }
  for (corio::Task<>& t : putters) co_await t;
}

TEST_CASE("waiting putters put their items in the order they started waiting", "[ch08]") {
  corio::Queue<std::string> q(1);
  std::vector<std::string> trace;
  corio::run(putters_in_line(q, trace), corio_test::virtual_time());
  std::vector<std::string> expected = {"got x", "put a", "got a", "put b", "got b", "put c", "got c"};
  CHECK(trace == expected);
}

corio::Coro<> slow_consumer(corio::Queue<int>& q, std::vector<std::string>& trace) {
  for (int i = 0; i < 3; ++i) {
    co_await corio::sleep(1);
    int item = co_await q.get();
    trace.push_back(std::to_string(now()) + " got " + std::to_string(item));
  }
}

corio::Coro<> fast_producer(corio::Queue<int>& q, std::vector<std::string>& trace) {
  corio::Task<> consumer = corio::create_task(slow_consumer(q, trace));
  for (int item = 0; item < 4; ++item) {
    co_await q.put(item);
    trace.push_back(std::to_string(now()) + " put " + std::to_string(item) + " size " + std::to_string(q.qsize()));
  }
  co_await consumer;
}

TEST_CASE("put waits while the queue is full and resumes when a get makes room", "[ch08]") {
  corio::Queue<int> q(2);
  std::vector<std::string> trace;
  corio::run(fast_producer(q, trace), corio_test::virtual_time());
  std::vector<std::string> expected = {
      "0.000000 put 0 size 1", "0.000000 put 1 size 2",  // the queue is full now
      "1.000000 got 0",        "1.000000 put 2 size 2",  // the first get made room at 1.0
      "2.000000 got 1",        "2.000000 put 3 size 2",  //
      "3.000000 got 2",
  };
  CHECK(trace == expected);
  CHECK(q.qsize() == 1);
}

corio::Coro<double> get_when_empty(corio::Queue<int>& q) {
  corio::Task<> producer = corio::create_task([](corio::Queue<int>& queue) -> corio::Coro<> {
    co_await corio::sleep(2.5);
    queue.put_nowait(42);
  }(q));
  int item = co_await q.get();
  CHECK(item == 42);
  co_await producer;
  co_return now();
}

TEST_CASE("get waits while the queue is empty and returns at the put", "[ch08]") {
  corio::Queue<int> q;
  CHECK(corio::run(get_when_empty(q), corio_test::virtual_time()) == 2.5);
}

TEST_CASE("get_nowait on an empty queue throws QueueEmpty, put_nowait on a full one QueueFull", "[ch08]") {
  corio::Queue<int> q(2);
  CHECK_THROWS_MATCHES(q.get_nowait(), corio::QueueEmpty,
                       Catch::Matchers::Message("get_nowait: the Queue is empty; await get() to wait for an item"));
  q.put_nowait(1);
  q.put_nowait(2);
  CHECK(q.full());
  CHECK_THROWS_MATCHES(
      q.put_nowait(3), corio::QueueFull,
      Catch::Matchers::Message("put_nowait: the Queue is full (maxsize 2); await put() to wait for a free slot"));
  CHECK(q.qsize() == 2);  // the refused item did not go in
  CHECK(q.get_nowait() == 1);
  CHECK(q.get_nowait() == 2);
  CHECK_THROWS_AS(q.get_nowait(), corio::QueueEmpty);
  corio::PriorityQueue<int> pq(1);
  pq.put_nowait(1);
  CHECK_THROWS_WITH(pq.put_nowait(0), Catch::Matchers::Contains("the PriorityQueue is full (maxsize 1)"));
}

TEST_CASE("task_done called more times than items were put throws ValueError", "[ch08]") {
  corio::Queue<int> q;
  CHECK_THROWS_AS(q.task_done(), corio::ValueError);
  q.put_nowait(1);
  q.put_nowait(2);
  q.get_nowait();
  q.get_nowait();
  q.task_done();
  q.task_done();
  CHECK_THROWS_WITH(q.task_done(), Catch::Matchers::StartsWith("task_done() called too many times"));
}

corio::Coro<> process_each(corio::Queue<double>& q) {
  for (;;) {
    double seconds = co_await q.get();
    co_await corio::sleep(seconds);
    q.task_done();
  }
}

corio::Coro<std::vector<double>> join_times(corio::Queue<double>& q) {
  co_await q.join();  // nothing was put: at once
  std::vector<double> times = {now()};
  for (double seconds : {1.0, 0.5, 2.0}) q.put_nowait(seconds);
  corio::Task<> worker = corio::create_task(process_each(q));
  auto joiner = [](corio::Queue<double>& queue, std::vector<double>& t) -> corio::Coro<> {
    co_await queue.join();
    t.push_back(now());
  };
  corio::Task<> other = corio::create_task(joiner(q, times));
  co_await q.join();
  times.push_back(now());
  co_await other;
  co_return times;
}

TEST_CASE("join waits exactly until the last task_done, and wakes every joiner", "[ch08]") {
  corio::Queue<double> q;
  Diagnostics diagnostics;  // the worker is still waiting in get() when the loop closes
  std::vector<double> times = corio_test::run_and_close(join_times(q));
  CHECK(times == std::vector<double>{0.0, 3.5, 3.5});
  CHECK(diagnostics.any_contains("Task was destroyed but it is pending"));
}

corio::Coro<> join_waits_for_task_done(corio::Queue<int>& q, std::vector<std::string>& trace) {
  q.put_nowait(1);
  corio::Task<> consumer = corio::create_task([](corio::Queue<int>& queue) -> corio::Coro<> {
    co_await queue.get();  // taken at once, but not done until 1.0
    co_await corio::sleep(1);
    queue.task_done();
  }(q));
  co_await q.join();
  trace.push_back("joined at " + std::to_string(now()) + " with size " + std::to_string(q.qsize()));
  co_await consumer;
}

TEST_CASE("join waits for task_done, not just for the queue to empty", "[ch08]") {
  corio::Queue<int> q;
  std::vector<std::string> trace;
  corio::run(join_waits_for_task_done(q, trace), corio_test::virtual_time());
  CHECK(trace == std::vector<std::string>{"joined at 1.000000 with size 0"});
}

template <class Q>
corio::Coro<std::vector<typename Q::value_type>> drain(Q& q, std::vector<typename Q::value_type> items) {
  for (auto& item : items) co_await q.put(std::move(item));
  std::vector<typename Q::value_type> out;
  while (q.qsize() > 0) out.push_back(co_await q.get());
  co_return out;
}

TEST_CASE("PriorityQueue gives the smallest item first, or the first by its comparison", "[ch08]") {
  corio::PriorityQueue<int> q;
  CHECK(corio::run(drain(q, {5, 1, 4, 1, 3, 2}), corio_test::virtual_time()) == std::vector<int>{1, 1, 2, 3, 4, 5});

  corio::PriorityQueue<std::pair<int, std::string>> jobs;
  auto out = corio::run(drain(jobs, {{2, "write"}, {0, "urgent"}, {1, "read"}}), corio_test::virtual_time());
  CHECK(out == std::vector<std::pair<int, std::string>>{{0, "urgent"}, {1, "read"}, {2, "write"}});

  corio::PriorityQueue<int, std::greater<int>> largest;
  CHECK(corio::run(drain(largest, {5, 1, 4, 3}), corio_test::virtual_time()) == std::vector<int>{5, 4, 3, 1});
}

TEST_CASE("LifoQueue gives the newest item first", "[ch08]") {
  corio::LifoQueue<int> q;
  CHECK(corio::run(drain(q, {1, 2, 3, 4}), corio_test::virtual_time()) == std::vector<int>{4, 3, 2, 1});
  corio::LifoQueue<int> bounded(2);
  bounded.put_nowait(1);
  bounded.put_nowait(2);
  CHECK(bounded.full());
  CHECK(bounded.get_nowait() == 2);
}

TEST_CASE("a FIFO queue keeps its order while its ring buffer grows and wraps around", "[ch08]") {
  corio::Queue<int> q;
  int next_in = 0, next_out = 0;
  bool in_order = true;
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < round * 3; ++i) q.put_nowait(next_in++);
    for (int i = 0; i < round * 2; ++i) in_order = in_order && q.get_nowait() == next_out++;
  }
  while (q.qsize() > 0) in_order = in_order && q.get_nowait() == next_out++;
  CHECK(in_order);
  CHECK(next_out == next_in);
}

corio::Coro<int> unbounded_puts(corio::Queue<int>& q) {
  bool other_ran = false;
  corio::Task<> other = corio::create_task([](bool& ran) -> corio::Coro<> {
    ran = true;
    co_return;
  }(other_ran));
  for (int i = 0; i < 10000; ++i) co_await q.put(i);
  CHECK_FALSE(other_ran);  // no put suspended, so the loop never ran the task
  int sum = 0;
  for (int i = 0; i < 10000; ++i) sum += co_await q.get();
  CHECK_FALSE(other_ran);  // nor did any get
  co_await other;
  co_return sum;
}

TEST_CASE("maxsize 0 is unbounded, and put and get that need not wait do not suspend", "[ch08]") {
  std::ptrdiff_t maxsize = GENERATE(0, -1);
  corio::Queue<int> q(maxsize);
  CHECK(q.maxsize() == maxsize);
  CHECK(corio::run(unbounded_puts(q), corio_test::virtual_time()) == 10000 * 9999 / 2);
  for (int i = 0; i < 100000; ++i) q.put_nowait(i);
  CHECK_FALSE(q.full());
  CHECK(q.qsize() == 100000);
}

corio::Coro<int> move_only(corio::Queue<std::unique_ptr<int>>& q) {
  co_await q.put(std::make_unique<int>(6));
  q.put_nowait(std::make_unique<int>(7));
  std::unique_ptr<int> a = co_await q.get();
  std::unique_ptr<int> b = q.get_nowait();
  co_return *a * *b;
}

TEST_CASE("a queue carries move-only items", "[ch08]") {
  corio::Queue<std::unique_ptr<int>> q(2);
  CHECK(corio::run(move_only(q), corio_test::virtual_time()) == 42);
}

corio::Coro<> getter_with_life(corio::Queue<int>& q, Lives& lives, std::vector<int>& got) {
  Life life(lives);
  got.push_back(co_await q.get());
}

corio::Coro<> leave_getters_waiting(corio::Queue<int>& q, Lives& lives, std::vector<int>& got, bool put_one) {
  for (int i = 0; i < 3; ++i) corio::create_task(getter_with_life(q, lives, got));
  co_await corio::sleep(0);  // all three wait
  // Put on the loop's last iteration: the item is promised to the first
  // getter, which is woken but never runs, as the loop stops and closes.
  if (put_one) corio::get_running_loop().call_soon([&q] { q.put_nowait(5); });
}

TEST_CASE("getters still waiting when the loop closes are destroyed exactly once, losing no item", "[ch08]") {
  bool put_one = GENERATE(false, true);
  corio::Queue<int> q;
  Lives lives;
  std::vector<int> got;
  {
    Diagnostics diagnostics;
    corio_test::run_and_close(leave_getters_waiting(q, lives, got, put_one));
    CHECK(diagnostics.messages.size() == 3);
  }
  CHECK(lives.made == 3);
  CHECK(lives.ended == 3);
  CHECK(lives.twice == 0);
  CHECK(got.empty());
  // The promise of the destroyed getter came back: the item is free again.
  CHECK(q.qsize() == (put_one ? 1u : 0u));
  if (put_one) CHECK(q.get_nowait() == 5);
}

corio::Coro<> putter_with_life(corio::Queue<int>& q, int item, Lives& lives) {
  Life life(lives);
  co_await q.put(item);
}

corio::Coro<> leave_putters_waiting(corio::Queue<int>& q, Lives& lives) {
  q.put_nowait(1);
  corio::create_task(putter_with_life(q, 2, lives));
  corio::create_task(putter_with_life(q, 3, lives));
  co_await corio::sleep(0);  // both wait: the queue is full
  // On the loop's last iteration: the slot is promised to the putter of 2,
  // which is woken but never runs.
  corio::get_running_loop().call_soon([&q] { CHECK(q.get_nowait() == 1); });
}

TEST_CASE("putters still waiting when the loop closes are destroyed exactly once, doubling no item", "[ch08]") {
  corio::Queue<int> q(1);
  Lives lives;
  {
    Diagnostics diagnostics;
    corio::run(leave_putters_waiting(q, lives), corio_test::virtual_time());
  }
  CHECK(lives.made == 2);
  CHECK(lives.ended == 2);
  CHECK(lives.twice == 0);
  CHECK(q.qsize() == 0);  // neither 2 nor 3 went in
  q.put_nowait(4);        // and the promised slot is free again
  CHECK(q.full());
}

corio::Coro<> getters_finish(corio::Queue<int>& q, Lives& lives, std::vector<int>& got) {
  std::vector<corio::Task<>> getters;
  for (int i = 0; i < 3; ++i) getters.push_back(corio::create_task(getter_with_life(q, lives, got)));
  co_await corio::sleep(0);
  for (int i = 0; i < 3; ++i) q.put_nowait(i);
  for (corio::Task<>& t : getters) co_await t;
}

TEST_CASE("getters that waited and finished are destroyed exactly once", "[ch08]") {
  corio::Queue<int> q;
  Lives lives;
  std::vector<int> got;
  corio::run(getters_finish(q, lives, got), corio_test::virtual_time());
  CHECK(got == std::vector<int>{0, 1, 2});
  CHECK(lives.made == 3);
  CHECK(lives.ended == 3);
  CHECK(lives.twice == 0);
}

// E07: ten workers drain a queue of jobs. A job sleeps half a second;
// each worker stops at the sentinel -1 (chapter 09 will cancel instead).
struct Pool {
  std::vector<int> done_count = std::vector<int>(50, 0);
  std::vector<int> jobs_per_worker = std::vector<int>(10, 0);
};

corio::Coro<> pool_worker(corio::Queue<int>& q, int id, Pool& pool) {
  for (;;) {
    int job = co_await q.get();
    if (job < 0) {
      q.task_done();
      co_return;
    }
    co_await corio::sleep(0.5);
    ++pool.done_count[static_cast<std::size_t>(job)];
    ++pool.jobs_per_worker[static_cast<std::size_t>(id)];
    q.task_done();
  }
}

corio::Coro<std::vector<double>> worker_pool(Pool& pool) {
  corio::Queue<int> q;
  for (int job = 0; job < 50; ++job) q.put_nowait(job);
  std::vector<corio::Task<>> workers;
  for (int id = 0; id < 10; ++id) workers.push_back(corio::create_task(pool_worker(q, id, pool)));
  co_await q.join();
  double joined = now();
  for (int id = 0; id < 10; ++id) co_await q.put(-1);
  for (corio::Task<>& w : workers) co_await w;
  co_return std::vector<double>{joined, now()};
}

TEST_CASE("E07: ten workers drain a queue, every job done exactly once, then stop cleanly", "[ch08][E07]") {
  Pool pool;
  Diagnostics diagnostics;
  std::vector<double> times = corio::run(worker_pool(pool), corio_test::virtual_time());
  CHECK(std::all_of(pool.done_count.begin(), pool.done_count.end(), [](int n) { return n == 1; }));
  // 50 jobs of 0.5 s on 10 workers: five rounds, 2.5 s, and five jobs each.
  CHECK(times[0] == 2.5);
  CHECK(times[1] == 2.5);  // the sentinels stop every worker at once
  CHECK(pool.jobs_per_worker == std::vector<int>(10, 5));
  CHECK(diagnostics.messages.empty());
}

// get() and put() as tasks and in gather: each awaiter is moved, unawaited,
// into the coroutine that awaits it, and takes or adds exactly one item.
corio::Coro<std::vector<int>> queue_awaiters_as_tasks() {
  corio::Queue<int> q(1);
  corio::Task<int> getter = corio::create_task(q.get());
  co_await corio::sleep(0);
  CHECK_FALSE(getter.done());
  co_await q.put(1);
  co_await q.put(2);  // full (1 is promised to the getter) until the getter takes it
  corio::Task<void> putter = corio::create_task(q.put(3));
  co_await corio::sleep(0);
  CHECK_FALSE(putter.done());  // full: 2 is in
  auto [second, third] = co_await corio::gather(q.get(), q.get());
  co_await putter;
  int first = co_await getter;
  co_return std::vector<int>{first, second, third, static_cast<int>(q.qsize())};
}

TEST_CASE("get() and put() become tasks of their own and join gather, each moving one item", "[ch08]") {
  CHECK(corio::run(queue_awaiters_as_tasks(), corio_test::virtual_time()) == std::vector<int>{1, 2, 3, 0});
}

}  // namespace
