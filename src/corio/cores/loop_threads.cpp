// @chapter 14
#include <corio/cores/loop_threads.hpp>

#include <string>
#include <utility>

#include <corio/errors.hpp>
#include <corio/loop/diagnostics.hpp>
#include <corio/tasks/run.hpp>
#include <corio/tasks/task.hpp>
#include <corio/threads/detail/inbox.hpp>
#include <corio/threads/executor.hpp>

namespace corio {

namespace detail {
// What another thread needs to stop one loop's body: the loop's door and
// the body's task. task is read on the loop's thread only; loop and
// finished are read under LoopThreads::mutex_.
struct LoopSlot {
  RemoteLoop loop;
  Task<void>* task = nullptr;
  bool finished = false;
};
}  // namespace detail

LoopThreads::LoopThreads(int count, Body body, LoopOptions options) : body_(std::move(body)) {
  if (count < 1) throw InvalidArgument("LoopThreads(" + std::to_string(count) + ", ...): at least one loop is needed");
  if (!body_) throw InvalidArgument("LoopThreads: the body is empty (a default-constructed std::function)");
  for (int i = 0; i < count; ++i) slots_.push_back(std::make_unique<detail::LoopSlot>());
  threads_.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) threads_.emplace_back([this, i, options] { run_one(i, options); });
}

LoopThreads::~LoopThreads() {
  stop();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  if (first_error_ && !error_taken_) {
    detail::report("LoopThreads: a loop's body failed and join() was never called: " + detail::describe(first_error_));
  }
}

void LoopThreads::stop() {
  std::lock_guard lock(mutex_);
  stop_locked("LoopThreads::stop()");
}

void LoopThreads::stop_locked(const char* why) {
  stopping_ = true;
  for (auto& slot : slots_) {
    if (!slot->task || slot->finished) continue;  // not started (it checks stopping_ as it starts) or gone
    // The loop's inbox is open until its body has finished, so this post
    // is never refused; the callback runs on the loop's own thread.
    slot->loop.call_soon_threadsafe([s = slot.get(), why] {
      if (!s->finished) s->task->cancel(why);
    });
  }
}

void LoopThreads::join() {
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  std::lock_guard lock(mutex_);
  if (first_error_ && !error_taken_) {
    error_taken_ = true;
    std::rethrow_exception(first_error_);
  }
}

// The body as a task this object can cancel from another thread.
Coro<void> LoopThreads::guard(int index) {
  detail::LoopSlot& slot = *slots_[static_cast<std::size_t>(index)];
  Task<void> task = create_task(body_(index), "loop-" + std::to_string(index));
  {
    std::lock_guard lock(mutex_);
    slot.loop = get_running_loop().remote();
    slot.task = &task;
    if (stopping_) task.cancel("LoopThreads: stopped before the loop started");
  }
  std::exception_ptr error;
  try {
    co_await task;
  } catch (const CancelledError&) {
    std::lock_guard lock(mutex_);
    if (!stopping_) error = std::current_exception();
  } catch (...) {
    error = std::current_exception();
  }
  std::lock_guard lock(mutex_);
  slot.finished = true;
  if (error) {
    if (!first_error_) first_error_ = error;
    stop_locked("LoopThreads: another loop failed");  // the first failure stops the others, as a TaskGroup's does
  }
}

void LoopThreads::run_one(int index, LoopOptions options) {
  try {
    run(guard(index), options);
  } catch (...) {
    std::lock_guard lock(mutex_);
    if (!first_error_) first_error_ = std::current_exception();
    stop_locked("LoopThreads: another loop failed");
  }
}

}  // namespace corio
