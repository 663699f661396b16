// @chapter 05
// The task, top to bottom in the order of asyncio's Task: made (make_task),
// @since 09
// asked to cancel (request_cancel, uncancel), stepped (step: asyncio's
// __step), parked by the awaiter it waits at and woken again (park, wake),
// @end
// finished (complete_task); then the loop's list of live tasks.
#include <corio/tasks/task.hpp>

#include <exception>  // @since 09
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>  // @since 09
#include <vector>

#include <corio/errors.hpp>                // @since 09
#include <corio/tasks/detail/awaiter.hpp>  // @since 09
#include <corio/tasks/detail/task_list.hpp>
#include <corio/tasks/timeline.hpp>

namespace corio::detail {

namespace {
thread_local std::uint64_t tasks_made = 0;  // names Task-1, Task-2, ...

// Values kept beside some tasks, by task. One table for every thread, and
// locked: a frame may be destroyed on another thread than its loop's (its
// last Task handle dropped there), and its entry must go with it from the
// table it was put in. Only tasks that have an entry pay for the lock.
template <class Value>
class SideTable {
 public:
  void put(const PromiseBase* task, Value value) {
    std::lock_guard<std::mutex> lock(mutex_);
    values_[task] = std::move(value);
  }
  Value get(const PromiseBase* task) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return values_.at(task);
  }
  Value take(const PromiseBase* task) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto node = values_.extract(task);
    return std::move(node.mapped());
  }
  void erase(const PromiseBase* task) {
    std::lock_guard<std::mutex> lock(mutex_);
    values_.erase(task);
  }
  std::size_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return values_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<const PromiseBase*, Value> values_;
};

// Never destroyed: a frame may go during the program's exit, after any
// static table would have.
SideTable<std::string>& given_names = *new SideTable<std::string>;  // the names given to create_task
// @since 09
// The messages given to cancel(): most cancellations carry none. And the
// count of requests not taken back (cancelling()): most tasks are never
// cancelled, and those that are keep the count only until they end.
SideTable<std::string>& messages = *new SideTable<std::string>;
SideTable<std::uint32_t>& cancel_counts = *new SideTable<std::uint32_t>;
thread_local void* park_context = nullptr;
// @end
}  // namespace

std::size_t side_table_entries() { return given_names.size() + messages.size() + cancel_counts.size(); }  // @since 09

// @since 09
constinit thread_local PromiseBase* running = nullptr;  // the task whose step runs now
constinit thread_local bool cancel_due = false;
constinit thread_local ParkObserver park_observer = nullptr;
constinit thread_local bool parks_watched = false;
// @end

void set_tasks_made(std::uint64_t count) { tasks_made = count; }

namespace {
// The loop makes its task list, and debug mode names a task's step,
// through these hooks (LoopHooks, loop.hpp).
struct SetTaskHooks {
  SetTaskHooks() {
    loop_hooks.make_task_list = [](Loop& loop) -> std::unique_ptr<LoopPart> {
      auto list = std::make_unique<TaskList>();
      if (timeline_from_env()) list->record_timeline(loop, stdout);
      // @since 14
      if (const char* path = chrome_trace_from_env()) {
        if (list->timeline() == nullptr) list->record_timeline(loop, nullptr);
        if (Timeline* t = list->timeline()) t->trace_to(path);  // null when compiled out (CORIO_NO_WATCHERS)
      }
      // @end
      return list;
    };
    // @since 11
    loop_hooks.describe_task = [](const void* task) {
      auto* t = static_cast<const PromiseBase*>(task);
      return "<Task '" + t->task_name() + "' (coroutine '" + t->function() + "')>";
    };
    // @end
  }
} set_task_hooks;
}  // namespace

void PromiseBase::forget_name() { given_names.erase(this); }
// @since 09
void PromiseBase::forget_cancel() {
  if (has_message_) messages.erase(this);
  if (counted_) cancel_counts.erase(this);
}
// @end

std::string PromiseBase::task_name() const {
  return named_ ? given_names.get(this) : "Task-" + std::to_string(task_id_);
}

// @since 14
void PromiseBase::set_task_name(std::string name) { give_name(name); }
// @end

// The last reference went: report an error nobody retrieved ("Task
// exception was never retrieved"), then destroy the frame, the promise with it.
void PromiseBase::destroy() {
  if (has_unretrieved_error()) [[unlikely]] report_never_retrieved();
  frame_of(this).destroy();
}

// Out of line: the report's strings, inlined, gave every frame's end a
// stack frame of 300 bytes and six registers to save.
[[gnu::noinline]] void PromiseBase::report_never_retrieved() {
  ExceptionContext context("Task exception was never retrieved", unretrieved_error());
  context.future = this;
  context.task_name = task_name();
  context.coroutine = function();
  report_unretrieved(&loop(), std::move(context));
}

// Out of line: most tasks get no name, and make_task, which runs for every
// task, then saves no registers for the side table's code.
[[gnu::noinline]] void PromiseBase::give_name(std::string_view name) {
  given_names.put(this, std::string(name));
  named_ = true;
}

// The word of the id and the flags is written here alone, and in one go:
// the frame is fresh, cold memory, and a read of the whole word right after
// a write to one of its bytes would wait for that memory (decision 159).
void PromiseBase::make_task(Loop& loop, std::string_view name, std::coroutine_handle<> frame) {
  task_id_ = ++tasks_made;
  is_task_ = true;
  started_ = true;
  bind(&loop);
  if (!name.empty()) give_name(name);
  if (Timeline* t = task_list(loop).timeline()) t->made(this, frame);
  task_list(loop).add(this);
}

// @since 09
// asyncio's Task.cancel(): count the request; let the awaiter where the task
// waits pass it on (to an inner task or future), or else remember it for the
// next step.
bool PromiseBase::request_cancel(const std::string& message) {
  // Passing one on already, this task refuses the request that came back
  // round an await cycle; the awaiter that asked then lets go instead.
  if (done() || passing_on_) return false;
  count_requests(cancelling() + 1);
  if (parked_at() != nullptr) {
    CancelAnswer answer = pass_on(message);
    if (answer == CancelAnswer::PassedOn) return true;
    if (answer == CancelAnswer::LetGo) awaiter_let_go_ = true;
  }
  must_cancel_ = true;
  set_message(message);  // the latest request's message, as in asyncio
  return true;
}

CancelAnswer PromiseBase::pass_on(const std::string& message) {
  passing_on_ = true;
  WaitPoint* wp = parked_at();
  CancelAnswer answer = wp->kind->cancel(wp, message);
  passing_on_ = false;
  return answer;
}

void PromiseBase::set_message(const std::string& message) {
  if (message.empty()) {
    if (has_message_) messages.erase(this);
    has_message_ = false;
    return;
  }
  messages.put(this, message);
  has_message_ = true;
}

// As in Python 3.13: once every request is taken back, a cancellation not
// yet delivered is dropped too.
std::uint32_t PromiseBase::uncancel() {
  std::uint32_t left = cancelling();
  if (left > 0) count_requests(--left);
  if (left == 0 && must_cancel_ && !awaiter_let_go_) {
    must_cancel_ = false;
    if (running == this) cancel_due = false;  // due in this step, not thrown yet: dropped as well
    set_message({});
  }
  return left;
}

std::uint32_t PromiseBase::counted_requests() const { return cancel_counts.get(this); }

// The table holds a count only while it is not zero.
void PromiseBase::count_requests(std::uint32_t count) {
  if (count > 0) {
    cancel_counts.put(this, count);
  } else if (counted_) {
    cancel_counts.erase(this);
  }
  counted_ = count > 0;
}

// A task is resumed only by its own step, so it always knows whether it runs,
// where it waits, and whether a CancelledError is due there.
// One step: resume the frame the task waits in. A cancellation asked for
// since the last step is thrown there (the awaiter's await_resume throws),
// or, before the body ever ran, ends the task at once (step_cancelled). One
// asked for while the step ran goes to the awaiter the task waits at now, as
// asyncio's __step does after each send().
// The step holds no reference of its own: until the task completes, the
// loop's keeps the frame (rule 1 of docs/architecture.md); a task that
// completes in this step may be gone when the resume returns, and
// complete_task clears `running` for it, so the step touches it only while
// `running` still names it.
// The usual step tests one flag for cancellation: awaiter_let_go_ comes
// only with must_cancel_, which sends the step to the general path, and
// cancel_due is set only there. Steps never nest (Loop::run_once refuses
// to run inside another loop's), so `running` is null when a step begins,
// and the step leaves it so without saving it.
void PromiseBase::step() {
  if (must_cancel_ || done()) [[unlikely]] {
    step_cancelled();
    return;
  }
  running = this;
  park_at(nullptr);
  body_started_ = true;
  continuation_.resume();
  if (running == this && must_cancel_) [[unlikely]]
    pass_on_after_step();
  running = nullptr;
}

// A step with a cancellation to deliver (or a task already done): the
// general path, holding a reference, for the task may complete here before
// its body ever ran.
void PromiseBase::step_cancelled() {
  retain();
  running = this;
  park_at(nullptr);
  awaiter_let_go_ = false;
  if (must_cancel_) {
    cancel_due = true;  // must_cancel_ stays set until the error is thrown (take_cancel)
    if (!body_started_) {
      store_error(std::make_exception_ptr(CancelledError(take_cancel())));
      mark_cancelled();
      complete_task();
    }
  }
  if (!done()) {
    body_started_ = true;
    continuation_.resume();
  }
  if (cancel_due) {  // the frame was not resumed at a corio awaiter: try at the next one
    cancel_due = false;
    must_cancel_ = true;
  }
  pass_on_after_step();
  running = nullptr;
  release();
}

// A cancellation asked for while the step ran goes to the awaiter the task
// waits at now, if it waits at one.
void PromiseBase::pass_on_after_step() {
  if (!must_cancel_ || parked_at() == nullptr) return;
  CancelAnswer answer = pass_on(has_message_ ? messages.get(this) : std::string());
  if (answer == CancelAnswer::PassedOn) {
    must_cancel_ = false;  // passed on, message and all
    set_message({});
  } else if (answer == CancelAnswer::LetGo) {
    awaiter_let_go_ = true;
  }
}

namespace {
// The loop steps a task through this hook (LoopHooks, loop.hpp).
struct SetStepHook {
  SetStepHook() {
    loop_hooks.step_task = [](void* task) { static_cast<PromiseBase*>(task)->step(); };
  }
} set_step_hook;
}  // namespace

PromiseBase* running_task() { return running; }

// The awaiter's side (awaiter.hpp). park() is asyncio's `_fut_waiter =
// result` in __step: the task remembers the frame and the awaiter it waits
// at (inline, in coro.hpp). Its rare paths are here: an await on a task or
// future (awaited) refuses the task itself, with a message built out of line.
[[noreturn, gnu::cold, gnu::noinline]] void refuse_self_await(const PromiseBase* task) {
  throw RuntimeError("Task cannot await on itself: task '" + task->task_name() + "' (coroutine '" + task->function() +
                     "'); it would wait for its own end forever: await another task, or return the value");
}

// A park someone watches: a timeline that records, a test's observer.
[[gnu::noinline]] ReadyEntry watched_park(std::coroutine_handle<> h, const char* what, const FutureCore* awaited) {
  if (timeline_now != nullptr) timeline_waits(h, what, awaited);
  if (park_observer != nullptr) park_observer(running, park_context);
  return ReadyEntry::task_step(running);
}

void observe_parks(ParkObserver observer, void* context) {
  park_observer = observer;
  park_context = context;
  watch_parks();
}

void watch_parks() { parks_watched = (kWatchers && timeline_now != nullptr) || park_observer != nullptr; }

void wake(ReadyEntry waker) {
  if (waker.is_task()) {
    detail::LoopAccess::schedule(static_cast<PromiseBase*>(waker.task())->loop(), waker);
  } else {
    detail::LoopAccess::schedule(get_running_loop(), waker);
  }
}

void throw_cancelled() { throw CancelledError(running->take_cancel()); }

std::string PromiseBase::take_cancel() {
  must_cancel_ = false;
  cancel_due = false;
  if (!has_message_) return {};
  has_message_ = false;
  return messages.take(this);
}

void PromiseBase::end_cancelled() {
  std::string message = take_cancel();
  if (has_error()) return;
  store_error(std::make_exception_ptr(CancelledError(std::move(message))));
  mark_cancelled();
}

// @end

// The task's coroutine returned or threw: it leaves the loop's list, its
// waiters are woken through the loop, and the loop lets go of its frame.
void PromiseBase::complete_task() {
  task_list(loop()).remove(this);
  if (Timeline* t = task_list(loop()).timeline()) t->ended(this, has_unretrieved_error());
  finish();
  task_list(loop()).wake_if_drained(loop());  // @since 10
  if (running == this) running = nullptr;     // @since 09: its step must not touch it again (step())
  release();
}

TaskList::TaskList() = default;
TaskList::~TaskList() = default;

void TaskList::close() noexcept {
  destroy_pending();
  if (timeline_) timeline_->print();
}

// The vector grows out of line: inlined, its reallocation made every add
// save and restore six registers for a branch taken a few times a run.
void TaskList::add(PromiseBase* task) {
  if (tasks_.size() == tasks_.capacity()) [[unlikely]] {
    add_growing(task);
    return;
  }
  task->task_index_ = static_cast<std::uint32_t>(tasks_.size());
  tasks_.push_back(task);
}

[[gnu::noinline]] void TaskList::add_growing(PromiseBase* task) {
  task->task_index_ = static_cast<std::uint32_t>(tasks_.size());
  tasks_.push_back(task);
}

void TaskList::remove(PromiseBase* task) {
  PromiseBase* last = tasks_.back();
  tasks_[task->task_index_] = last;
  last->task_index_ = task->task_index_;
  tasks_.pop_back();
  if (!round_.empty()) [[unlikely]] leave_round(task);  // @since 10
}

// @since 10
// Out of line: the set's erase takes the task by reference, and inlined it
// gave every task's end a stack frame to keep it in.
[[gnu::noinline]] void TaskList::leave_round(PromiseBase* task) { round_.erase(task); }
// @end

// @since 10
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
// @end

// @since 09
// A Task handle may keep the frame after the loop is gone. So the task lets
// go of the loop first: the awaiter it waits at unhooks (its timer, its
// place in a line; a task or future it awaits is cancelled, as by cancel()),
// and the task ends cancelled, which wakes what waits on it. From then on
// the handle says done() and cancelled(), and its result is a
// CancelledError; nothing it does reaches the dead loop.
void TaskList::abandon(PromiseBase* task) {
  std::string message = "the task's event loop was closed before the task finished";
  if (WaitPoint* wp = task->parked_at()) {
    task->park_at(nullptr);
    wp->kind->cancel(wp, message);
  }
  task->store_error(std::make_exception_ptr(CancelledError(message)));
  task->mark_cancelled();
  task->finish();
}
// @end

// @since 10
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
    report("Task was destroyed but it is pending: task '" + task->task_name() + "' (coroutine '" + task->function() +
           "')");
    if (task->shared()) abandon(task);  // @since 09: a Task handle keeps the frame
    task->release();
  }
}

}  // namespace corio::detail

// @since 09
namespace corio {

// asyncio.current_task(): the task whose step runs now.
AnyTask current_task() {
  detail::PromiseBase* task = detail::running_task();
  if (task == nullptr) throw RuntimeError("current_task(): no task is running (this is not inside a task's step)");
  task->retain();
  return AnyTask(detail::Ref<detail::PromiseBase>::adopt(task));
}

}  // namespace corio
// @end
