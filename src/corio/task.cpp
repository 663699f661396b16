// @chapter 05
#include <corio/task.hpp>

#include <exception>  // @since 09
#include <string>
#include <unordered_map>
#include <utility>  // @since 09
#include <vector>

#include <corio/task_list.hpp>

namespace corio::detail {

namespace {
thread_local std::uint64_t tasks_made = 0;  // names Task-1, Task-2, ...
// The names given to create_task, by task.
thread_local std::unordered_map<const PromiseBase*, std::string> given_names;
}  // namespace

void set_tasks_made(std::uint64_t count) { tasks_made = count; }

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
  loop.tasks().add(this);
}

// The task's coroutine returned or threw: it leaves the loop's list, its
// waiters are woken through the loop, and the loop lets go of its frame.
void PromiseBase::complete_task() {
  loop().tasks().remove(this);
  finish();
  loop().tasks().wake_if_drained(loop());  // @since 09
  release();
}

void TaskList::add(PromiseBase* task) {
  task->task_index_ = static_cast<std::uint32_t>(tasks_.size());
  tasks_.push_back(task);
}

void TaskList::remove(PromiseBase* task) {
  PromiseBase* last = tasks_.back();
  tasks_[task->task_index_] = last;
  last->task_index_ = task->task_index_;
  tasks_.pop_back();
  if (!round_.empty()) round_.erase(task);  // @since 09
}

// @since 09

void TaskList::cancel_all(Ready waker) {
  drained_ = waker;
  round_.insert(tasks_.begin(), tasks_.end());
  // A copy: a cancellation may make tasks (a waiter's cleanup), or end some.
  std::vector<PromiseBase*> cancelled = tasks_;
  for (PromiseBase* task : cancelled) {
    if (round_.count(task) != 0) task->request_cancel({});
  }
}

void TaskList::wake_if_drained(Loop& loop) {
  if (round_.empty() && drained_) loop.schedule(std::exchange(drained_, Ready()));
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
// From the back of the list.
void TaskList::destroy_pending() {
  while (!tasks_.empty()) {
    PromiseBase* task = tasks_.back();
    remove(task);
    report("Task was destroyed but it is pending: task '" + task->task_name() + "' (coroutine '" +
           task->function() + "')");
    if (task->shared()) abandon(task);  // @since 09: a Task handle keeps the frame
    task->release();
  }
}

}  // namespace corio::detail
