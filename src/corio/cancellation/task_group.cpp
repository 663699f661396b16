// @chapter 10
#include <corio/cancellation/task_group.hpp>

#include <corio/errors.hpp>

namespace corio {

namespace {

std::string listed(const std::string& message, const std::vector<std::exception_ptr>& errors) {
  std::string text =
      message + " (" + std::to_string(errors.size()) + " sub-exception" + (errors.size() == 1 ? "" : "s") + ")";
  for (std::size_t i = 0; i < errors.size(); ++i) text += (i == 0 ? ": " : "; ") + detail::describe(errors[i]);
  return text;
}

}  // namespace

namespace detail {

namespace {
thread_local std::uint64_t children_visited = 0;
}  // namespace

std::uint64_t task_group_children_visited() { return children_visited; }

GroupChild::GroupChild(TaskGroup* group, AnyTask task) : group_(group), task_(std::move(task)) { notify = &on_notice; }

void GroupChild::on_notice(Waiter* self, Notice notice) {
  auto* child = static_cast<GroupChild*>(self);
  if (notice == Notice::Dropped) {
    child->release();
    return;
  }
  child->queued_ = true;
  detail::LoopAccess::schedule(child->task_.state()->loop(), child);  // the loop runs it, then frees it
}

void GroupChild::invoke() {
  if (group_ != nullptr) group_->on_task_done(this);
}

}  // namespace detail

ExceptionGroup::ExceptionGroup(const std::string& message, std::vector<std::exception_ptr> errors)
    : std::runtime_error(listed(message, errors)), message_(message), errors_(std::move(errors)) {}

void TaskGroup::enter() {
  if (entered_) throw RuntimeError("TaskGroup::run: this TaskGroup has run a block already; make one per block");
  if (detail::running_task() == nullptr) {
    throw RuntimeError(
        "TaskGroup::run: no task is running; a TaskGroup cancels the task that runs its block, "
        "so await it inside one (a coroutine given to corio::run or create_task)");
  }
  parent_ = current_task();
  entered_ = true;
}

TaskGroup::~TaskGroup() {
  while (detail::GroupChild* child = head_) {
    head_ = child->next_;
    child->group_ = nullptr;
    if (!child->queued_) {
      child->task_.state()->remove_waiter(child);
      child->release();
    }
  }
}

void TaskGroup::check_open(const char* who) const {
  if (!entered_) throw RuntimeError(std::string(who) + ": the TaskGroup has not been entered; call it inside run()");
  if (exiting_ && head_ == nullptr) throw RuntimeError(std::string(who) + ": the TaskGroup is finished");
  if (aborting_) throw RuntimeError(std::string(who) + ": the TaskGroup is shutting down after a failure");
}

void TaskGroup::abort() {
  aborting_ = true;
  for (detail::GroupChild* child = head_; child != nullptr; child = child->next_) {
    ++detail::children_visited;
    if (!child->task_.done()) child->task_.cancel();
  }
}

void TaskGroup::adopt(detail::GroupChild* child) {
  child->prev_ = tail_;
  (tail_ != nullptr ? tail_->next_ : head_) = child;
  tail_ = child;
  child->task_.state()->add_waiter(child);
}

// Runs from the loop, on the iteration after a child finished.
void TaskGroup::on_task_done(detail::GroupChild* child) {
  ++detail::children_visited;
  (child->prev_ != nullptr ? child->prev_->next_ : head_) = child->next_;
  (child->next_ != nullptr ? child->next_->prev_ : tail_) = child->prev_;
  const AnyTask& task = child->task_;
  if (all_done_ && head_ == nullptr && !all_done_->done()) all_done_->set_result();
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
  while (head_ != nullptr) {
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
