// @chapter 05
#include <corio/task.hpp>

#include <exception>  // @since 09
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>  // @since 09
#include <vector>   // @since 09

#include <corio/task_list.hpp>

namespace corio::detail {

namespace {
thread_local std::uint64_t tasks_made = 0;  // names Task-1, Task-2, ...
// The names given to create_task, by task.
thread_local std::unordered_map<const PromiseBase*, std::string> given_names;
}  // namespace

void set_tasks_made(std::uint64_t count) { tasks_made = count; }

namespace {
// The loop makes its task list, and debug mode names a task's step,
// through these hooks (LoopHooks, loop.hpp).
struct SetTaskHooks {
  SetTaskHooks() {
    loop_hooks.make_task_list = []() -> std::unique_ptr<LoopPart> { return std::make_unique<TaskList>(); };
    // @since 10
    loop_hooks.describe_task = [](const void* task) {
      auto* t = static_cast<const PromiseBase*>(task);
      return "<Task '" + t->task_name() + "' (coroutine '" + t->function() + "')>";
    };
    // @end
  }
} set_task_hooks;
}  // namespace

PromiseBase::~PromiseBase() {
  if (named_) given_names.erase(this);
  if (has_message_) forget_cancel_message(this);  // @since 09
}

std::string PromiseBase::task_name() const {
  return named_ ? given_names.at(this) : "Task-" + std::to_string(task_id_);
}

void PromiseBase::make_task(Loop& loop, std::string&& name) {
  bind(&loop);
  is_task_ = true;
  task_id_ = ++tasks_made;
  if (!name.empty()) {
    given_names[this] = std::move(name);
    named_ = true;
  }
  task_list(loop).add(this);
}

// The task's coroutine returned or threw: it leaves the loop's list, its
// waiters are woken through the loop, and the loop lets go of its frame.
void PromiseBase::complete_task() {
  task_list(loop()).remove(this);
  finish();
  task_list(loop()).wake_if_drained(loop());  // @since 09
  release();
}

// @before 09
// void TaskList::add(PromiseBase* task) {
//   task->next_task = head_;
//   if (head_) head_->prev_task = task;
//   head_ = task;
//   ++size_;
// }
//
// void TaskList::remove(PromiseBase* task) {
//   (task->prev_task ? task->prev_task->next_task : head_) = task->next_task;
//   if (task->next_task) task->next_task->prev_task = task->prev_task;
//   task->prev_task = task->next_task = nullptr;
//   --size_;
// }
// @end
// @since 09
void TaskList::add(PromiseBase* task) {
  task->task_index_ = static_cast<std::uint32_t>(tasks_.size());
  tasks_.push_back(task);
}

void TaskList::remove(PromiseBase* task) {
  PromiseBase* last = tasks_.back();
  tasks_[task->task_index_] = last;
  last->task_index_ = task->task_index_;
  tasks_.pop_back();
  if (!round_.empty()) round_.erase(task);
}

void TaskList::cancel_all(ReadyEntry waker) {
  drained_ = waker;
  round_.insert(tasks_.begin(), tasks_.end());
  // A copy: a cancellation may make tasks (a waiter's cleanup), or end some.
  std::vector<PromiseBase*> cancelled = tasks_;
  for (PromiseBase* task : cancelled) {
    if (round_.count(task) != 0) task->request_cancel({});
  }
}

void TaskList::wake_if_drained(Loop& loop) {
  if (round_.empty() && drained_) detail::LoopAccess::schedule(loop, std::exchange(drained_, ReadyEntry()));
}

// A Task handle may keep the frame after the loop is gone. So the task lets
// go of the loop first: the awaiter it waits at unhooks (its timer, its
// place in a line; a task or future it awaits is cancelled, as by cancel()),
// and the task ends cancelled, which wakes what waits on it. From then on
// the handle says done() and cancelled(), and its result is a
// CancelledError; nothing it does reaches the dead loop.
void TaskList::abandon(PromiseBase* task) {
  std::string message = "the task's event loop was closed before the task finished";
  if (WaitPoint* wp = std::exchange(task->wait_point_, nullptr)) wp->cancel(wp, message);
  task->store_error(std::make_exception_ptr(CancelledError(message)));
  task->mark_cancelled();
  task->finish();
}

std::string TaskList::describe() const {
  std::string names;
  for (const PromiseBase* task : tasks_) {
    if (!names.empty()) names += ", ";
    names += "'" + task->task_name() + "' (coroutine '" + task->function() + "')";
  }
  return names;
}

// @end
// Newest first.
void TaskList::destroy_pending() {
  // @before 09: while (PromiseBase* task = head_) {
  // @since 09
  while (!tasks_.empty()) {
    PromiseBase* task = tasks_.back();
  // @end
    remove(task);
    report("Task was destroyed but it is pending: task '" + task->task_name() + "' (coroutine '" +
           task->function() + "')");
    if (task->shared()) abandon(task);  // @since 09: a Task handle keeps the frame
    task->release();
  }
}

}  // namespace corio::detail
