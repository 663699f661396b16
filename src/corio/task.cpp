// @chapter 05
#include <corio/task.hpp>

#include <string>
#include <unordered_map>
#include <utility>  // @since 09

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

void PromiseBase::make_task(Loop& loop, std::string name) {
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
}

void TaskList::cancel_all(Ready waker) {
  drained_ = waker;
  for (std::size_t i = 0; i < tasks_.size(); ++i) tasks_[i]->request_cancel({});
}

void TaskList::wake_if_drained(Loop& loop) {
  if (tasks_.empty() && drained_) loop.schedule(std::exchange(drained_, Ready()));
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
    task->release();
  }
}

}  // namespace corio::detail
