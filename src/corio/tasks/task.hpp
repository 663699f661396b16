// @chapter 05
// Task<T>: a coroutine the loop drives by itself. create_task queues the
// coroutine's first step for the next iteration and returns at once; the
// task then runs whenever the coroutine is not waiting. A Task is a future
// (its promise is the future's state), so it can be awaited any number of
// times, by any number of coroutines, before or after it finished.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <corio/tasks/coro.hpp>
#include <corio/tasks/future.hpp>
#include <corio/loop/loop.hpp>

namespace corio {

template <class T = void>
class Task {
 public:
  using State = detail::Promise<T>;

  // An empty handle, to assign to later; used before that, every call
  // throws RuntimeError (as on a moved-from Task).
  Task() = default;

  bool done() const { return get("Task::done")->done(); }
  // The result, or the task's error thrown; InvalidStateError while pending.
  decltype(auto) result() const { return get("Task::result")->result("Task::result"); }
  // The task's error, or null; InvalidStateError while pending.
  std::exception_ptr exception() const {
    std::exception_ptr error = get("Task::exception")->exception("Task::exception");
    // @since 09
    // A cancelled task throws its CancelledError instead, as asyncio's does.
    if (cancelled()) std::rethrow_exception(error);
    // @end
    return error;
  }
  // The name given to create_task, or "Task-N" (N counts tasks per thread).
  std::string get_name() const { return get("Task::get_name")->task_name(); }
  // asyncio's Task.set_name (chapter 14): what get_name() and every report say from now on.  // @since 14
  void set_name(std::string name) const { get("Task::set_name")->set_task_name(std::move(name)); }  // @since 14

  // @since 09
  // Asks the task to stop: CancelledError is thrown into it where it waits,
  // when it next runs (or it ends before its first step). False when it is
  // done already. The task may catch the error and go on: cancel() asks, it
  // does not force. Awaiting another task or future, it cancels that one.
  bool cancel(const std::string& message = {}) const { return get("Task::cancel")->request_cancel(message); }
  // True once the task ended by letting a CancelledError out.
  bool cancelled() const { return get("Task::cancelled")->cancelled(); }
  // cancel() requests not yet taken back by uncancel() (timeouts count on it).
  std::uint32_t cancelling() const { return get("Task::cancelling")->cancelling(); }
  std::uint32_t uncancel() const { return get("Task::uncancel")->uncancel(); }
  // @end

  // As Future's: the handle removes it again while the task is pending.
  template <class F>
  DoneCallbackHandle add_done_callback(F f) const {
    State* p = get("Task::add_done_callback");
    auto* cb = new detail::DoneCallback<Task, State, F>(p, std::move(f));
    DoneCallbackHandle handle(cb, cb);
    p->add_waiter(cb);
    return handle;
  }
  std::size_t remove_done_callback(const DoneCallbackHandle& handle) const {
    return handle.remove_from(*get("Task::remove_done_callback"));
  }

  // `co_await task`: resumed from the loop on the iteration after the task
  // finishes (at once if it already has); the result, or its error thrown.
  // Awaiting an rvalue Task (`co_await create_task(...)`) moves the result
  // out when no other handle shares the task, so move-only results work;
  // with others sharing it, each gets a copy (FutureState::take_result).
  detail::FutureAwaiter<State> operator co_await() const& { return detail::FutureAwaiter<State>(get("co_await")); }
  detail::FutureAwaiter<State, true> operator co_await() && {
    return detail::FutureAwaiter<State, true>(get("co_await"));
  }

  explicit Task(detail::Ref<State> p) : p_(std::move(p)) {}
  // For this library's waits on many (chapter 06): the shared state.
  State* state() const { return get("gather, wait, as_completed, wait_for or shield"); }  // @since 06
  // @since 09
  detail::Ref<detail::PromiseBase> state_ref() const {
    State* p = get("AnyTask");
    p->retain();
    return detail::Ref<detail::PromiseBase>::adopt(p);
  }
  // @end

 private:
  // The task's state; RuntimeError, naming who asked, for an empty handle.
  State* get(const char* who) const {
    if (!p_) [[unlikely]]
      detail::throw_empty(who, "Task");
    return p_.get();
  }
  detail::Ref<State> p_;
};

namespace detail {
// For tests: the count of tasks this thread has made, so that the next is
// Task-(count + 1). Lets a test reach the numbers a long uptime reaches.
void set_tasks_made(std::uint64_t count);

// An awaiter written out, such as ev.wait(), q.get() or sleep(1): a
// type with await_ready, await_suspend and await_resume of its own.
template <class A>
concept PlainAwaiter = requires(A& a) {
  a.await_ready();
  a.await_resume();
};
template <class A>
using AwaiterResult = std::decay_t<decltype(std::declval<A&>().await_resume())>;

// The coroutine that awaits one: what create_task, gather, wait_for and
// shield make of a plain awaiter, which cannot be a task by itself. (R is
// given for an object awaited through an operator co_await of its own.)
template <class A, class R = AwaiterResult<A>>
Coro<R> await_awaiter(A aw) {
  co_return co_await aw;
}

}  // namespace detail

// Wraps coro in a task on the running loop; its first step runs on the next
// iteration. Throws RuntimeError when no loop runs, or when coro was
// already awaited. The name is copied if there is one (a string_view: no
// string is built for the usual task, which has none).
template <class T>
Task<T> create_task(Coro<T> coro, std::string_view name = {}) {
  Loop& loop = get_running_loop();
  auto h = coro.release("create_task");
  detail::Promise<T>& p = h.promise();
  p.make_task(loop, name, h);  // the frame's first reference is the loop's
  p.retain();                          // and the Task handle's is the second
  // @before 09: detail::LoopAccess::schedule(loop, h);
  // @since 09
  p.wait_at(h, nullptr);  // its first step begins the body
  detail::LoopAccess::schedule(loop, detail::ReadyEntry::task_step(&p));
  // @end
  return Task<T>(detail::Ref<detail::Promise<T>>::adopt(&p));
}

// A plain awaiter as a task: create_task(ev.wait()), create_task(q.join()).
// Moved into the coroutine that awaits it, so it must not be awaited yet.
template <class A>
requires detail::PlainAwaiter<A> Task<detail::AwaiterResult<A>> create_task(A aw, std::string_view name = {}) {
  return create_task(detail::await_awaiter(std::move(aw)), name);
}

// @since 09
// A task whatever its result type: what current_task() gives, and what
// timeouts and task groups hold on to.
class AnyTask {
 public:
  AnyTask() = default;
  template <class T>
  AnyTask(const Task<T>& task) : p_(task.state_ref()) {}  // implicit: every Task is one
  explicit AnyTask(detail::Ref<detail::PromiseBase> p) : p_(std::move(p)) {}

  bool done() const { return get("AnyTask::done")->done(); }
  bool cancelled() const { return get("AnyTask::cancelled")->cancelled(); }
  bool cancel(const std::string& message = {}) const { return get("AnyTask::cancel")->request_cancel(message); }
  std::uint32_t cancelling() const { return get("AnyTask::cancelling")->cancelling(); }
  std::uint32_t uncancel() const { return get("AnyTask::uncancel")->uncancel(); }
  std::string get_name() const { return get("AnyTask::get_name")->task_name(); }
  void set_name(std::string name) const { get("AnyTask::set_name")->set_task_name(std::move(name)); }  // @since 14
  detail::PromiseBase* state() const { return get("AnyTask::state"); }
  bool operator==(const AnyTask& other) const { return p_.get() == other.p_.get(); }

 private:
  detail::PromiseBase* get(const char* who) const {
    if (!p_) [[unlikely]]
      detail::throw_empty(who, "AnyTask");
    return p_.get();
  }
  detail::Ref<detail::PromiseBase> p_;
};

namespace detail {
PromiseBase* running_task();  // the task whose step runs now, or null
// For tests: how many tasks have a name or a cancel message in a side
// table (task.cpp), on every thread.
std::size_t side_table_entries();
}

// The task running now (asyncio.current_task()); RuntimeError outside any
// task, e.g. in a plain callback.
AnyTask current_task();
// @end

}  // namespace corio
