// @chapter 05
// Task<T>: a coroutine the loop drives by itself. create_task queues the
// coroutine's first step for the next iteration and returns at once; the
// task then runs whenever the coroutine is not waiting. A Task is a future
// (its promise is the future's state), so it can be awaited any number of
// times, by any number of coroutines, before or after it finished.
#pragma once

#include <string>
#include <utility>

#include <corio/coro.hpp>
#include <corio/future.hpp>
#include <corio/loop.hpp>

namespace corio {

template <class T = void>
class Task {
 public:
  using State = detail::Promise<T>;

  Task() = default;  // an empty handle, to assign to later

  bool done() const { return p_->done(); }
  // The result, or the task's error thrown; InvalidStateError while pending.
  decltype(auto) result() const { return p_->result("Task::result"); }
  std::exception_ptr exception() const { return p_->exception("Task::exception"); }
  // The name given to create_task, or "Task-N" (N counts tasks per thread).
  std::string get_name() const { return p_->task_name(); }

  template <class F>
  void add_done_callback(F f) const {
    p_->add_waiter(new detail::DoneCallback<Task, State, F>(p_.get(), std::move(f)));
  }

  // `co_await task`: resumed from the loop on the iteration after the task
  // finishes (at once if it already has); the result, or its error thrown.
  // Awaiting an rvalue Task (`co_await create_task(...)`) moves the result
  // out, so move-only results work.
  detail::FutureAwaiter<State> operator co_await() const& { return detail::FutureAwaiter<State>(p_.get()); }
  detail::FutureAwaiter<State, true> operator co_await() && { return detail::FutureAwaiter<State, true>(p_.get()); }

  explicit Task(detail::Ref<State> p) : p_(std::move(p)) {}
  // For this library's waits on many (chapter 06): the shared state.
  State* state() const { return p_.get(); }  // @since 06

 private:
  detail::Ref<State> p_;
};

// Wraps coro in a task on the running loop; its first step runs on the next
// iteration. Throws RuntimeError when no loop runs, or when coro was
// already awaited.
template <class T>
Task<T> create_task(Coro<T> coro, std::string name = {}) {
  Loop& loop = get_running_loop();
  auto h = coro.release("create_task");
  detail::Promise<T>& p = h.promise();
  p.make_task(loop, std::move(name));  // the frame's first reference is the loop's
  p.retain();                          // and the Task handle's is the second
  loop.schedule(h);
  return Task<T>(detail::Ref<detail::Promise<T>>::adopt(&p));
}

}  // namespace corio
