// @chapter 11
// call_soon_threadsafe and the loop's inbox: the one way in for other
// threads. Every test that starts a thread is tagged [threads], so `make
// check` runs it under ThreadSanitizer.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/select.h>

#include <algorithm>
#include <atomic>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <corio/corio.hpp>

#include "support/corio_test.hpp"

using Catch::Matchers::Contains;

namespace {

corio::Coro<std::thread::id> posted_from_another_thread() {
  corio::Loop& loop = corio::get_running_loop();
  corio::RemoteLoop remote = loop.remote();
  corio::Future<std::thread::id> ran_on(loop);
  remote.work_started();  // the loop is told a call is coming
  std::thread other([remote, future = &ran_on] {
    remote.call_soon_threadsafe([future] { future->set_result(std::this_thread::get_id()); });
    remote.work_finished();
  });
  // Nothing is ready, no timer, no fd: the loop can only sleep on its wake
  // fd until the other thread's callback arrives.
  std::thread::id id = co_await ran_on;
  other.join();
  co_return id;
}

}  // namespace

TEST_CASE("a callback posted from another thread runs on the loop's thread and wakes the idle loop",
          "[ch11][threads]") {
  CHECK(corio::run(posted_from_another_thread(), corio_test::virtual_time()) == std::this_thread::get_id());
  CHECK(corio::run(posted_from_another_thread()) == std::this_thread::get_id());  // and on the real clock
}

TEST_CASE("the wake fd is an eventfd under epoll and a self-pipe under select", "[ch11]") {
  corio::Loop with_epoll({.poller = corio::PollerKind::Epoll, .clock = std::nullopt});
  corio::Loop with_select({.poller = corio::PollerKind::Select, .clock = std::nullopt});
  CHECK(corio::detail::inbox_of(with_epoll)->waker_kind() == corio::detail::WakeFdKind::EventFd);
  CHECK(corio::detail::inbox_of(with_select)->waker_kind() == corio::detail::WakeFdKind::Pipe);
}

TEST_CASE("an idle loop with nothing in flight still says it would wait forever", "[ch11]") {
  corio::Loop loop(corio_test::virtual_time());
  CHECK_THROWS_WITH(loop.run_once(), Contains("would wait forever"));
}

TEST_CASE("while a call is owed the virtual clock stands still, and moves on once it arrived", "[ch11][threads]") {
  corio::Loop loop(corio_test::virtual_time());
  std::vector<std::string> events;
  loop.call_later(1.0, [&] {
    events.push_back("timer at " + std::to_string(loop.time()));
    loop.stop();
  });
  corio::RemoteLoop remote = loop.remote();
  remote.work_started();
  std::thread other([&, remote] {
    remote.call_soon_threadsafe([&] { events.push_back("posted callback at " + std::to_string(loop.time())); });
    remote.work_finished();
  });
  loop.run_forever();
  other.join();
  CHECK(events == std::vector<std::string>{"posted callback at 0.000000", "timer at 1.000000"});
}

TEST_CASE("callbacks posted from two threads all run, each thread's in the order it posted them", "[ch11][threads]") {
  constexpr int kEach = 500;
  corio::Loop loop(corio_test::virtual_time());
  corio::RemoteLoop remote = loop.remote();
  std::vector<int> seen[2];
  int arrived = 0;
  remote.work_started();
  remote.work_started();
  std::latch start(2);
  auto post_all = [&, remote](int who) {
    start.arrive_and_wait();  // both threads post at the same time
    for (int i = 0; i < kEach; ++i) {
      remote.call_soon_threadsafe([&, who, i] {
        seen[who].push_back(i);
        if (++arrived == 2 * kEach) loop.stop();
      });
    }
    remote.work_finished();
  };
  std::thread a(post_all, 0);
  std::thread b(post_all, 1);
  loop.run_forever();
  a.join();
  b.join();
  std::vector<int> in_order;
  for (int i = 0; i < kEach; ++i) in_order.push_back(i);
  CHECK(seen[0] == in_order);
  CHECK(seen[1] == in_order);
}

// The inbox is emptied at the start of an iteration, so a callback posted
// through it (from any thread) comes after what call_soon queued already.
namespace {

// A task yields with nothing else ready, so each yield would go on at once
// but for the call another thread posts: the loop must still take it in.
corio::Coro<bool> yield_until_posted() {
  corio::Loop& loop = corio::get_running_loop();
  corio::RemoteLoop remote = loop.remote();
  bool arrived = false;
  std::thread other([remote, flag = &arrived] { remote.call_soon_threadsafe([flag] { *flag = true; }); });
  double give_up = loop.time() + 10;  // far beyond the time a thread takes to start and post
  while (!arrived && loop.time() < give_up) co_await corio::sleep(0);
  other.join();
  co_return arrived;
}

}  // namespace

TEST_CASE("a callback posted from another thread reaches a loop whose only task yields alone", "[ch11][threads]") {
  CHECK(corio::run(yield_until_posted()));
}

TEST_CASE("call_soon_threadsafe from the loop's own thread queues behind call_soon's callbacks", "[ch11]") {
  corio::Loop loop(corio_test::virtual_time());
  std::vector<int> order;
  loop.call_soon([&] { order.push_back(1); });
  loop.call_soon_threadsafe([&] { order.push_back(2); });
  loop.call_soon([&] {
    order.push_back(3);
    loop.stop();
  });
  loop.run_forever();
  CHECK(order == std::vector<int>{1, 3, 2});
}

TEST_CASE("a callback that throws is reported like any callback and the loop goes on", "[ch11]") {
  corio_test::Diagnostics diagnostics;
  corio::Loop loop(corio_test::virtual_time());
  bool after = false;
  loop.call_soon_threadsafe([] { throw std::runtime_error("bad news from a thread"); });
  loop.call_soon_threadsafe([&] { after = true; });
  loop.run_once();
  CHECK(after);
  CHECK(diagnostics.messages == std::vector<std::string>{"Exception in callback: bad news from a thread"});
}

TEST_CASE("a posted callback still waiting when the loop closes is destroyed without running", "[ch11]") {
  corio_test::Lives lives;
  bool ran = false;
  {
    corio::Loop loop(corio_test::virtual_time());
    loop.call_soon_threadsafe([&ran, life = corio_test::Life(lives)] { ran = true; });
  }
  CHECK_FALSE(ran);
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
}

TEST_CASE("call_soon_threadsafe on a closed loop throws, naming the closed loop", "[ch11]") {
  corio_test::Lives lives;
  corio::RemoteLoop remote;
  CHECK_THROWS_WITH(remote.call_soon_threadsafe([] {}), Contains("empty; get one from Loop::remote()"));
  {
    corio::Loop loop(corio_test::virtual_time());
    remote = loop.remote();
  }
  CHECK_THROWS_AS(remote.call_soon_threadsafe([life = corio_test::Life(lives)] {}), corio::RuntimeError);
  CHECK_THROWS_WITH(remote.call_soon_threadsafe([] {}), Contains("Event loop is closed"));
  CHECK_THROWS_WITH(remote.work_started(), Contains("Event loop is closed"));
  CHECK(lives.alive() == 0);  // the refused callback was destroyed
}

TEST_CASE("work_finished without a work_started is refused", "[ch11]") {
  corio::Loop loop(corio_test::virtual_time());
  CHECK_THROWS_WITH(loop.remote().work_finished(), Contains("more often than work_started()"));
}

TEST_CASE("closing a loop waits for the work in flight, and runs what it posts meanwhile, even a call it waits for",
          "[ch11][threads]") {
  std::atomic<bool> ran = false;
  std::atomic<bool> finished = false;
  std::thread other;
  {
    corio::Loop loop(corio_test::virtual_time());
    corio::RemoteLoop remote = loop.remote();
    remote.work_started();
    other = std::thread([&, remote] {
      remote.call_soon_threadsafe([&] { ran = true; });
      while (!ran) std::this_thread::yield();  // only the closing loop can run it
      finished = true;
      remote.work_finished();
    });
  }  // the loop closes here, whether or not the thread has run yet
  CHECK(finished);
  CHECK(ran);
  other.join();
}

TEST_CASE("a select loop made with every fd below FD_SETSIZE taken refuses its own wake fd and names epoll", "[ch11]") {
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
  rlimit raised = saved;
  if (raised.rlim_cur < FD_SETSIZE + 16) raised.rlim_cur = std::min<rlim_t>(FD_SETSIZE + 16, saved.rlim_max);
  if (raised.rlim_cur < FD_SETSIZE + 16 || ::setrlimit(RLIMIT_NOFILE, &raised) != 0) {
    WARN("cannot raise RLIMIT_NOFILE above FD_SETSIZE: skipping");
    return;
  }
  // Fill every free number below FD_SETSIZE, so the wake fd lands above it.
  std::vector<int> filler;
  for (;;) {
    int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    if (fd >= FD_SETSIZE) {
      ::close(fd);
      break;
    }
    filler.push_back(fd);
  }
  std::string error;
  try {
    corio::Loop loop({.poller = corio::PollerKind::Select, .clock = corio::ClockKind::Virtual});
  } catch (const corio::InvalidArgument& e) {
    error = e.what();
  }
  bool epoll_works = false;
  {
    corio::Loop loop({.poller = corio::PollerKind::Epoll, .clock = corio::ClockKind::Virtual});
    loop.call_soon_threadsafe([&] { epoll_works = true; });
    loop.run_once();
  }
  for (int fd : filler) ::close(fd);
  ::setrlimit(RLIMIT_NOFILE, &saved);
  CHECK_THAT(error, Contains("wake fd") && Contains("FD_SETSIZE") && Contains("epoll"));
  CHECK(epoll_works);
}

namespace {

corio::Coro<int> add_later(int a, int b) {
  co_await corio::sleep(0.001);
  co_return a + b;
}

// A producer thread that makes coroutines and posts them to the loop, which
// runs them as tasks; the thread has ended before any of them runs.
corio::Coro<int> run_what_a_dead_thread_made(int count) {
  corio::Loop& loop = corio::get_running_loop();
  corio::RemoteLoop remote = loop.remote();
  std::vector<corio::Task<int>> tasks;
  remote.work_started();
  std::thread producer([remote, &tasks, count] {
    for (int i = 0; i < count; ++i) {
      remote.call_soon_threadsafe(
          [&tasks, coro = add_later(i, 1)]() mutable { tasks.push_back(corio::create_task(std::move(coro))); });
    }
    remote.work_finished();
  });
  producer.join();  // the producer's thread is gone before its coroutines start
  int sum = 0;
  while (tasks.size() < static_cast<std::size_t>(count)) co_await corio::sleep(0);
  for (corio::Task<int>& t : tasks) sum += co_await t;
  co_return sum;
}

}  // namespace

TEST_CASE("coroutines made on a thread that has ended run and end on the loop's thread", "[ch11][threads]") {
  // 0 + 1 + ... + 999, plus 1 each.
  CHECK(corio::run(run_what_a_dead_thread_made(1000), corio_test::virtual_time()) == 999 * 1000 / 2 + 1000);
  // A new thread adopts the dead thread's memory, frames still alive in it
  // and all, and makes more.
  CHECK(corio::run(run_what_a_dead_thread_made(1000), corio_test::virtual_time()) == 999 * 1000 / 2 + 1000);
}

TEST_CASE("a coroutine made on one thread may run and end under run() on another, again and again", "[ch11][threads]") {
  for (int round = 0; round < 3; ++round) {
    std::vector<corio::Coro<int>> made;
    for (int i = 0; i < 500; ++i) made.push_back(add_later(i, 1));
    std::atomic<long> sum = 0;
    std::thread runner([&] {
      for (corio::Coro<int>& c : made) sum += corio::run(std::move(c), corio_test::virtual_time());
    });
    runner.join();
    made.clear();
    CHECK(sum == 499 * 500 / 2 + 500);
  }
}

namespace {

corio::Coro<> wait_on(corio::Event& event) { co_await event.wait(); }

corio::Coro<int> await_future(corio::Future<int> future) { co_return co_await future; }

corio::Coro<> acquire_once(corio::Semaphore& semaphore) { co_await semaphore.acquire(); }

// Another thread tries to complete what a waiting task of this loop waits
// on; each attempt is refused before it changes anything, and the loop's
// own thread then completes it.
corio::Coro<std::vector<std::string>> complete_from_another_thread() {
  corio::Event event;
  corio::Future<int> future;
  corio::Semaphore semaphore(0);
  corio::Task<> on_event = corio::create_task(wait_on(event));
  corio::Task<int> on_future = corio::create_task(await_future(future));
  corio::Task<> on_semaphore = corio::create_task(acquire_once(semaphore));
  co_await corio::sleep(1);  // all three wait
  std::vector<std::string> errors;
  std::thread other([&] {
    auto attempt = [&errors](auto f) {
      try {
        f();
        errors.push_back("accepted");
      } catch (const corio::RuntimeError& e) {
        errors.push_back(e.what());
      }
    };
    attempt([&] { event.set(); });
    attempt([&] { future.set_result(5); });
    attempt([&] { future.cancel(); });
    attempt([&] { semaphore.release(); });
  });
  other.join();
  CHECK_FALSE(event.is_set());
  CHECK_FALSE(future.done());
  CHECK(semaphore.value() == 0);
  event.set();
  future.set_result(6);
  semaphore.release();
  co_await on_event;
  CHECK(co_await on_future == 6);
  co_await on_semaphore;
  co_return errors;
}

}  // namespace

TEST_CASE("an Event, Future or Semaphore of a loop completed from another thread is refused with a clear error",
          "[ch11][threads]") {
  std::vector<std::string> errors = corio::run(complete_from_another_thread(), corio_test::virtual_time());
  REQUIRE(errors.size() == 4);
  CHECK_THAT(errors[0], Contains("Event::set: Non-thread-safe operation invoked on an event loop other than the "
                                 "current one"));
  CHECK_THAT(errors[1], Contains("Future::set_result: Non-thread-safe operation"));
  CHECK_THAT(errors[2], Contains("Future::cancel: Non-thread-safe operation"));
  CHECK_THAT(errors[3], Contains("Semaphore::release: Non-thread-safe operation"));
}
