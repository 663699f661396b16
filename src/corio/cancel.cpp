// @chapter 09
// Task cancellation: the task's side of wait_point.hpp. A task is resumed
// only by its own step, so it always knows whether it runs, where it waits,
// and whether a CancelledError is due there.
#include <corio/cancel.hpp>

#include <string>
#include <unordered_map>
#include <utility>

#include <corio/coro.hpp>
#include <corio/errors.hpp>
#include <corio/task.hpp>
#include <corio/task_list.hpp>
#include <corio/wait_point.hpp>

namespace corio {

namespace detail {

namespace {
thread_local PromiseBase* running = nullptr;  // the task whose step runs now
// The messages given to cancel(), by task: most cancellations carry none.
thread_local std::unordered_map<const PromiseBase*, std::string> messages;
thread_local ParkObserver park_observer = nullptr;
thread_local void* park_context = nullptr;
}  // namespace

PromiseBase* running_task() { return running; }

ReadyEntry park(std::coroutine_handle<> h, WaitPoint* wp) {
  if (running == nullptr) return ReadyEntry(h);
  running->wait_at(h, wp);
  if (park_observer != nullptr) park_observer(running, park_context);
  return ReadyEntry::task_step(running);
}

ReadyEntry park(std::coroutine_handle<> h, WaitPoint* wp, const FutureCore* awaited) {
  if (running != nullptr && awaited == running) [[unlikely]] {
    throw RuntimeError("Task cannot await on itself: task '" + running->task_name() + "' (coroutine '" +
                       running->function() +
                       "'); it would wait for its own end forever: await another task, or return the value");
  }
  return park(h, wp);
}

void observe_parks(ParkObserver observer, void* context) {
  park_observer = observer;
  park_context = context;
}

bool cancel_pending() { return running != nullptr && running->cancel_now(); }

void throw_cancelled() { throw CancelledError(running->take_cancel()); }

namespace {
// The loop steps a task through this hook (LoopHooks, loop.hpp).
struct SetStepHook {
  SetStepHook() {
    loop_hooks.step_task = [](void* task) { static_cast<PromiseBase*>(task)->step(); };
  }
} set_step_hook;
}  // namespace

void wake(ReadyEntry waker) {
  if (waker.is_task()) {
    detail::LoopAccess::schedule(static_cast<PromiseBase*>(waker.task())->loop(), waker);
  } else {
    detail::LoopAccess::schedule(get_running_loop(), waker);
  }
}

void forget_cancel_message(const PromiseBase* task) { messages.erase(task); }

bool is_cancellation(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const CancelledError&) {
    return true;
  } catch (...) {
    return false;
  }
}

// asyncio's Task.cancel(): count the request; let the awaiter where the task
// waits pass it on (to an inner task or future), or else remember it for the
// next step.
bool PromiseBase::request_cancel(const std::string& message) {
  // Passing one on already, this task refuses the request that came back
  // round an await cycle; the awaiter that asked then lets go instead.
  if (done() || passing_on_) return false;
  ++cancel_requests_;
  if (wait_point_ != nullptr) {
    Cancel answer = pass_on(message);
    if (answer == Cancel::PassedOn) return true;
    if (answer == Cancel::LetGo) committed_ = true;
  }
  must_cancel_ = true;
  set_message(message);  // the latest request's message, as in asyncio
  return true;
}

Cancel PromiseBase::pass_on(const std::string& message) {
  passing_on_ = true;
  Cancel answer = wait_point_->cancel(wait_point_, message);
  passing_on_ = false;
  return answer;
}

void PromiseBase::set_message(const std::string& message) {
  if (message.empty()) {
    if (has_message_) messages.erase(this);
    has_message_ = false;
    return;
  }
  messages[this] = message;
  has_message_ = true;
}

// As in Python 3.13: once every request is taken back, a cancellation not
// yet delivered is dropped too.
std::uint32_t PromiseBase::uncancel() {
  if (cancel_requests_ > 0) --cancel_requests_;
  if (cancel_requests_ == 0 && must_cancel_ && !committed_) {
    must_cancel_ = false;
    set_message({});
  }
  return cancel_requests_;
}

std::string PromiseBase::take_cancel() {
  throw_now_ = false;
  if (!has_message_) return {};
  has_message_ = false;
  std::string message = std::move(messages.at(this));
  messages.erase(this);
  return message;
}

// One step: resume the frame the task waits in. A cancellation asked for
// since the last step is thrown there (the awaiter's await_resume throws),
// or, before the body ever ran, ends the task at once. One asked for while
// the step ran goes to the awaiter the task waits at now, as asyncio's
// __step does after each send().
void PromiseBase::step() {
  retain();  // the task may finish in this step: its frame lasts until the step is over
  PromiseBase* outer = std::exchange(running, this);
  wait_point_ = nullptr;
  committed_ = false;
  if (must_cancel_) {
    must_cancel_ = false;
    throw_now_ = true;
    if (!ran_) {
      store_error(std::make_exception_ptr(CancelledError(take_cancel())));
      mark_cancelled();
      complete_task();
    }
  }
  if (!done()) {
    ran_ = true;
    continuation_.resume();
  }
  if (throw_now_) {  // the frame was not resumed at a corio awaiter: try at the next one
    throw_now_ = false;
    must_cancel_ = true;
  }
  if (must_cancel_ && wait_point_ != nullptr) {
    Cancel answer = pass_on(has_message_ ? messages.at(this) : std::string());
    if (answer == Cancel::PassedOn) {
      must_cancel_ = false;  // passed on, message and all
      set_message({});
    } else if (answer == Cancel::LetGo) {
      committed_ = true;
    }
  }
  running = outer;
  release();
}

}  // namespace detail

AnyTask current_task() {
  detail::PromiseBase* task = detail::running_task();
  if (task == nullptr) throw RuntimeError("current_task(): no task is running (this is not inside a task's step)");
  task->retain();
  return AnyTask(detail::Ref<detail::PromiseBase>::adopt(task));
}

}  // namespace corio
