// @chapter 09
#include <corio/task_group.hpp>

#include <algorithm>

#include <corio/errors.hpp>

namespace corio {

namespace {

std::string listed(const std::string& message, const std::vector<std::exception_ptr>& errors) {
  std::string text = message + " (" + std::to_string(errors.size()) + " sub-exception" +
                     (errors.size() == 1 ? "" : "s") + ")";
  for (std::size_t i = 0; i < errors.size(); ++i) text += (i == 0 ? ": " : "; ") + detail::describe(errors[i]);
  return text;
}

}  // namespace

ExceptionGroup::ExceptionGroup(const std::string& message, std::vector<std::exception_ptr> errors)
    : std::runtime_error(listed(message, errors)), message_(message), errors_(std::move(errors)) {}

void TaskGroup::enter() {
  if (entered_) throw RuntimeError("TaskGroup::run: this TaskGroup has run a block already; make one per block");
  if (detail::running_task() == nullptr) {
    throw RuntimeError("TaskGroup::run: no task is running; a TaskGroup cancels the task that runs its block, "
                       "so await it inside one (a coroutine given to corio::run or create_task)");
  }
  parent_ = current_task();
  entered_ = true;
}

void TaskGroup::check_open(const char* who) const {
  if (!entered_) throw RuntimeError(std::string(who) + ": the TaskGroup has not been entered; call it inside run()");
  if (exiting_ && tasks_.empty()) throw RuntimeError(std::string(who) + ": the TaskGroup is finished");
  if (aborting_) throw RuntimeError(std::string(who) + ": the TaskGroup is shutting down after a failure");
}

void TaskGroup::abort() {
  aborting_ = true;
  for (const AnyTask& task : tasks_) {
    if (!task.done()) task.cancel();
  }
}

// Runs from the loop, on the iteration after a child finished.
void TaskGroup::on_task_done(const AnyTask& task) {
  tasks_.erase(std::find(tasks_.begin(), tasks_.end(), task));
  if (all_done_ && tasks_.empty() && !all_done_->done()) all_done_->set_result();
  if (task.cancelled()) return;
  std::exception_ptr error = task.state()->exception("TaskGroup");
  if (!error) return;
  errors_.push_back(error);
  if (!aborting_ && !parent_cancel_requested_) {
    abort();
    parent_cancel_requested_ = true;
    parent_.cancel();
  }
}

Coro<> TaskGroup::exit(std::exception_ptr error) {
  exiting_ = true;
  bool body_cancelled = error && detail::is_cancellation(error);
  std::exception_ptr propagate = body_cancelled ? error : nullptr;
  if (error && !aborting_) abort();
  while (!tasks_.empty()) {
    all_done_.emplace();
    try {
      co_await *all_done_;
    } catch (const CancelledError&) {
      // Cancelled from outside while waiting: the children go too, and the
      // cancellation passes on once they are done.
      if (!aborting_) {
        propagate = std::current_exception();
        abort();
      }
    }
    all_done_.reset();
  }
  // The group's own cancellation of the block is taken back; one asked for
  // by someone else as well stays, and goes on.
  if (parent_cancel_requested_ && parent_.uncancel() == 0) propagate = nullptr;
  if (propagate && errors_.empty()) std::rethrow_exception(propagate);
  if (error && !body_cancelled) errors_.push_back(error);
  if (!errors_.empty()) {
    // Cancelled from outside as well: the group's error wins here, and the
    // cancellation is asked for again so that the next wait delivers it
    // (Python 3.13 does the same).
    if (parent_.cancelling() > 0) {
      parent_.uncancel();
      parent_.cancel();
    }
    throw ExceptionGroup("unhandled errors in a TaskGroup", std::move(errors_));
  }
}

}  // namespace corio
