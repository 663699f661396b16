// @chapter 11
// Blocking code, off the loop: a fixed-size pool of threads, and
// run_in_executor / to_thread, which run a plain function on one of them and
// hand its result back to the loop as a Future. asyncio borrows the pool from
// concurrent.futures (ThreadPoolExecutor); corio has its own, under the same
// name. The result crosses back through the loop's inbox (inbox.hpp): the
// pool thread posts it, and the loop's thread completes the future.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <corio/loop/callback.hpp>
#include <corio/tasks/coro.hpp>
#include <corio/tasks/future.hpp>
#include <corio/threads/detail/inbox.hpp>
#include <corio/loop/loop.hpp>

namespace corio {

namespace detail {

// A piece of work for the pool, an intrusive node: queueing allocates
// nothing. The pool neither owns nor frees it; run_job() hands it on.
class PoolJob {
 public:
  virtual void run_job() noexcept = 0;
  PoolJob* next_job = nullptr;

 protected:
  ~PoolJob() = default;
};

}  // namespace detail

// concurrent.futures.ThreadPoolExecutor (the pool asyncio's run_in_executor
// uses; it is not part of asyncio), with its threads started up front.
// Jobs run in the order submitted, max_workers at a time.
class ThreadPoolExecutor {
 public:
  // max_workers 0 or above kMaxWorkers: ValueError.
  static constexpr std::size_t kMaxWorkers = 4096;
  explicit ThreadPoolExecutor(std::size_t max_workers);
  // shutdown(): the queued jobs still run; the threads are joined.
  ~ThreadPoolExecutor();
  ThreadPoolExecutor(const ThreadPoolExecutor&) = delete;
  ThreadPoolExecutor& operator=(const ThreadPoolExecutor&) = delete;

  std::size_t max_workers() const { return max_workers_; }
  // Takes no more jobs, lets the queued ones run, and joins the threads
  // (concurrent.futures' Executor.shutdown(wait=True)). A second call does nothing; a call
  // from one of the pool's own threads throws RuntimeError.
  void shutdown();
  // For run_in_executor: queues job. RuntimeError after shutdown().
  void submit(detail::PoolJob* job);

 private:
  void work();

  std::mutex mutex_;
  std::condition_variable wake_;
  detail::PoolJob* head_ = nullptr;
  detail::PoolJob* tail_ = nullptr;
  bool shut_down_ = false;
  std::size_t max_workers_;
  std::vector<std::thread> threads_;
};

// The default executor's size, as Python's: min(32, CPUs + 4).
std::size_t default_max_workers();

namespace detail {

// One run_in_executor call: a job on a pool thread, then a callback on the
// loop's thread. The pool thread only calls fn and stores what came out; the
// future, its reference count and everything fn's arguments own are touched
// (and destroyed) on the loop's thread alone.
template <class T, class Fn>
class ExecutorCall final : public Callback, public PoolJob {
 public:
  ExecutorCall(Ref<HeapState<T>> state, std::shared_ptr<Inbox> inbox, Fn fn)
      : state_(std::move(state)), inbox_(std::move(inbox)), fn_(std::move(fn)) {}

  void run_job() noexcept override {
    try {
      if constexpr (std::is_void_v<T>) {
        fn_();
        value_.emplace();
      } else {
        value_.emplace(fn_());
      }
    } catch (...) {
      error_ = std::current_exception();
    }
    // After post_done the loop may destroy this object at any time: keep
    // the inbox alive on this side of the call.
    std::shared_ptr<Inbox> inbox = inbox_;
    inbox->post_done(this);
  }

 private:
  struct Unit {};
  using Value = std::conditional_t<std::is_void_v<T>, Unit, T>;

  // On the loop's thread. A future already done (completed, or cancelled,
  // on the loop's side) drops the late result without a word.
  void invoke() override {
    if (state_->done()) return;
    if (error_) {
      state_->set_exception(error_, "run_in_executor");
    } else if constexpr (std::is_void_v<T>) {
      state_->set_result("run_in_executor");
    } else {
      state_->set_result("run_in_executor", std::move(*value_));
    }
  }

  Ref<HeapState<T>> state_;
  std::shared_ptr<Inbox> inbox_;
  Fn fn_;
  std::optional<Value> value_;
  std::exception_ptr error_;
};

template <class F, class... Args>
using CallResult = std::remove_cvref_t<std::invoke_result_t<std::decay_t<F>&&, std::decay_t<Args>&&...>>;

template <class F, class... Args>
Future<CallResult<F, Args...>> submit_call(Loop& loop, ThreadPoolExecutor& pool, F&& fn, Args&&... args) {
  using T = CallResult<F, Args...>;
  auto call = [fn = std::forward<F>(fn), ... args = std::forward<Args>(args)]() mutable -> T {
    return std::invoke(std::move(fn), std::move(args)...);
  };
  Future<T> future(loop);
  auto state = Ref<HeapState<T>>::adopt(future.state());
  state->retain();
  auto* job = new ExecutorCall<T, decltype(call)>(std::move(state), detail::inbox_of(loop), std::move(call));
  detail::inbox_of(loop)->work_started();
  try {
    pool.submit(job);
  } catch (...) {
    detail::inbox_of(loop)->work_finished();
    job->release();
    throw;
  }
  return future;
}

}  // namespace detail

// asyncio's loop.run_in_executor(executor, func, *args): calls fn(args...)
// on a thread of pool and returns at once a Future, on the running loop,
// that gets its result or its exception. fn and args are moved into the
// job; pass std::ref for a reference. A future completed on the loop's side
// first keeps its own outcome: the thread's comes too late and is dropped.
template <class F, class... Args>
Future<detail::CallResult<F, Args...>> run_in_executor(ThreadPoolExecutor& pool, F&& fn, Args&&... args) {
  return detail::submit_call(get_running_loop(), pool, std::forward<F>(fn), std::forward<Args>(args)...);
}

// run_in_executor(nullptr, ...): asyncio's executor None, the loop's
// default executor (made on first use, shut down when the loop closes).
template <class F, class... Args>
Future<detail::CallResult<F, Args...>> run_in_executor(std::nullptr_t, F&& fn, Args&&... args) {
  Loop& loop = get_running_loop();
  return detail::submit_call(loop, loop.default_executor(), std::forward<F>(fn), std::forward<Args>(args)...);
}

// asyncio.to_thread(func, *args): `co_await corio::to_thread(fn, args...)`
// runs fn on the default executor. Lazy like any coroutine: nothing is
// submitted before it is awaited.
template <class F, class... Args>
Coro<detail::CallResult<F, Args...>> to_thread(F fn, Args... args) {
  co_return co_await run_in_executor(nullptr, std::move(fn), std::move(args)...);
}

}  // namespace corio
