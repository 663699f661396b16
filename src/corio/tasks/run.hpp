// @chapter 04
// run(coro): the entry point, asyncio.run's counterpart. It makes a loop,
// runs the coroutine on it to the end, closes the loop and returns the
// coroutine's result (or throws its error).
#pragma once

#include <coroutine>
#include <cstdint>  // @since 14
#include <exception>
#include <memory>  // @since 14
#include <optional>
#include <string>  // @since 10
#include <type_traits>
#include <utility>

#include <corio/tasks/coro.hpp>
#include <corio/loop/diagnostics.hpp>  // @since 10
#include <corio/errors.hpp>
#include <corio/tasks/future.hpp>
#include <corio/loop/loop.hpp>
#include <corio/tasks/task.hpp>  // @since 05
#include <corio/tasks/detail/task_list.hpp>  // @since 10

namespace corio {

namespace detail {

// Where run() keeps the main coroutine's result until it returns it; void
// stores nothing.
template <class T>
class ResultSlot {
 public:
  template <class U>
  void put(U&& value) {
    value_.emplace(std::forward<U>(value));
  }
  T take() { return std::move(*value_); }

 private:
  std::optional<T> value_;
};

template <>
class ResultSlot<void> {
 public:
  void put() {}
  void take() {}
};

// @since 10
// How many times run()'s shutdown cancels the tasks left before it gives up.
inline constexpr int kShutdownRounds = 3;
// @end

// @since 14
// Ctrl-C as asyncio.run takes it (Lib/asyncio/runners.py, Runner._on_sigint):
// while this lives, the first SIGINT cancels the main task, whose cleanup
// then runs at its await points; a second SIGINT kills the process at once,
// however long the cleanup. Only on the main thread, and only while SIGINT's
// disposition is the default (a program that set its own, or ignores
// SIGINT, keeps it), as asyncio.run. Defined by chapter 14's signals layer
// (signals/interrupt.cpp), which the loop's inbox carries the signal for.
class SigintCatcher {
 public:
  // ended_by_ctrl_c is set as this goes if main ended cancelled by the
  // first SIGINT and nobody else's cancellation (asyncio's uncancel() test).
  SigintCatcher(Loop& loop, PromiseBase* main, bool& ended_by_ctrl_c);
  ~SigintCatcher();
  SigintCatcher(const SigintCatcher&) = delete;
  SigintCatcher& operator=(const SigintCatcher&) = delete;

  struct Shared;  // what the handler and this share: the handler may run after this is gone

 private:
  Loop& loop_;
  std::shared_ptr<Shared> shared_;
  bool& ended_by_ctrl_c_;
  std::uint64_t id_ = 0;
};
// @end

// The bottom of run()'s stack of coroutines: it awaits the main coroutine,
// keeps what came out, and stops the loop. It never runs by itself: run()
// queues its first step.
class RootCoroutine {
 public:
  struct promise_type {
    RootCoroutine get_return_object() {
      return RootCoroutine(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() { std::terminate(); }  // drive() catches everything itself
  };
  RootCoroutine(RootCoroutine&& other) noexcept : h_(std::exchange(other.h_, nullptr)) {}
  RootCoroutine& operator=(RootCoroutine&&) = delete;
  ~RootCoroutine() {
    if (h_) h_.destroy();
  }
  std::coroutine_handle<> handle() const { return h_; }
  bool done() const { return h_.done(); }

 private:
  explicit RootCoroutine(std::coroutine_handle<promise_type> h) : h_(h) {}
  std::coroutine_handle<promise_type> h_;
};

template <class T>
RootCoroutine drive(Loop& loop, Coro<T> main, ResultSlot<T>& result, std::exception_ptr& error) {
  bool ctrl_c = false;  // @since 14
  try {
    // @before 05: Coro<T>& awaited = main;
    Task<T> awaited = create_task(std::move(main));  // @since 05: main runs as a task, like any other
    SigintCatcher sigint(loop, awaited.state(), ctrl_c);  // @since 14: Ctrl-C cancels main
    if constexpr (std::is_void_v<T>) {
      co_await std::move(awaited);
    } else {
      result.put(co_await std::move(awaited));
    }
  } catch (...) {
    error = std::current_exception();
  }
  if (ctrl_c) error = std::make_exception_ptr(KeyboardInterrupt());  // @since 14
  // @since 10
  // asyncio.run's shutdown: the tasks still pending are cancelled and run
  // until they end, so their frames unwind (and clean up) normally. Cleanup
  // that makes new tasks gets more rounds, but a bounded number: what is
  // left after them is reported and abandoned (the loop's close destroys it).
  struct Shutdown {
    Loop& loop;
    bool await_ready() const { return detail::task_list(loop).size() == 0; }
    void await_suspend(std::coroutine_handle<> h) { detail::task_list(loop).cancel_all(ReadyEntry(h)); }
    void await_resume() const noexcept {}
  };
  for (int round = 0; round < kShutdownRounds && detail::task_list(loop).size() != 0; ++round) co_await Shutdown{loop};
  if (detail::task_list(loop).size() != 0) {
    report("run(): gave up shutting down after " + std::to_string(kShutdownRounds) +
           " rounds of cancelling the tasks left; cleanup code kept making new tasks. Abandoned: " +
           detail::task_list(loop).describe());
  }
  // @end
  loop.stop();
}

// What run_until_complete gives for an awaitable.
template <class A>
struct Awaited {
  using type = std::decay_t<decltype(std::declval<A&>().await_resume())>;  // a plain awaiter
};
template <class T>
struct Awaited<Coro<T>> {
  using type = T;
};
template <class T>
struct Awaited<Future<T>> {
  using type = T;
};
// @since 05
template <class T>
struct Awaited<Task<T>> {
  using type = T;
};
// @end

// What run_until_complete awaits: the awaitable itself; from chapter 05 on
// a coroutine runs as a task, as asyncio's ensure_future makes it.
template <class A>
A&& awaited(A&& aw) {
  return std::forward<A>(aw);
}
// @since 05
template <class T>
Task<T> awaited(Coro<T>&& coro) {
  return create_task(std::move(coro));
}
// @end

// run_until_complete's driver: awaits aw, keeps what came out, stops the
// loop. Unlike run()'s, it leaves the other tasks as they are.
template <class T, class A>
RootCoroutine complete(Loop& loop, A aw, ResultSlot<T>& result, std::exception_ptr& error) {
  try {
    if constexpr (std::is_void_v<T>) {
      co_await awaited(std::move(aw));
    } else {
      result.put(co_await awaited(std::move(aw)));
    }
  } catch (...) {
    error = std::current_exception();
  }
  loop.stop();
}

}  // namespace detail

// Runs the loop until aw is done and returns its result, or throws its
// error: a Coro (a task from chapter 05 on), a Task, a Future, or a plain
// awaiter. Tasks still pending stay so, for a later call; the loop stays
// open. As asyncio's, it refuses to run a running loop, or inside another.
template <class A>
auto Loop::run_until_complete(A&& aw) {
  using T = typename detail::Awaited<std::remove_cvref_t<A>>::type;
  if (running_) throw RuntimeError("This event loop is already running; await it instead of run_until_complete");
  if (detail::running_loop() != nullptr) {
    throw RuntimeError("Cannot run the event loop while another loop is running; await it in that loop instead");
  }
  detail::ResultSlot<T> result;
  std::exception_ptr error;
  detail::RootCoroutine driver = detail::complete<T>(*this, std::remove_cvref_t<A>(std::forward<A>(aw)), result, error);
  ready_.push(detail::ReadyEntry(driver.handle()));
  run_forever();
  if (!driver.done()) {
    throw RuntimeError(
        "Event loop stopped before Future completed. (run_until_complete: stop() was called before "
        "the awaitable was done; call run_until_complete again to go on)");
  }
  if (error) std::rethrow_exception(error);
  return result.take();
}

template <class T>
T run(Coro<T> main, LoopOptions options = {}) {
  if (detail::running_loop() != nullptr) {
    throw RuntimeError("run() cannot be called from a running event loop; await the coroutine instead");
  }
  Loop loop(options);
  detail::ResultSlot<T> result;
  std::exception_ptr error;
  detail::RootCoroutine driver = detail::drive<T>(loop, std::move(main), result, error);
  detail::LoopAccess::schedule(loop, driver.handle());
  loop.run_forever();
  if (!driver.done()) {
    throw RuntimeError("run(): the loop was stopped before the main coroutine finished; let main return instead "
                       "of calling stop()");
  }
  if (error) std::rethrow_exception(error);
  return result.take();
}

}  // namespace corio
