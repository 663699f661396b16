// @chapter 03
#include <corio/tasks/future.hpp>

#include <string>

#include <corio/errors.hpp>
#include <corio/loop/diagnostics.hpp>
#include <corio/tasks/coro.hpp>  // @since 09: park() and cancel_pending(), inline

namespace corio::detail {

// Waiters still hanging on a dying future are told so: a done-callback
// frees itself. (An awaiting coroutine holds the future alive, so it is
// never among them.)
void FutureCore::drop_waiters() {
  while (head_) {
    Waiter* w = head_;
    remove_waiter(w);
    w->notify(w, Waiter::Notice::Dropped);
  }
}

namespace {
thread_local WaitingCallback* waiting_callbacks = nullptr;  // newest first
}  // namespace

void list_callback(WaitingCallback* cb, Loop& loop) {
  cb->loop = &loop;
  cb->prev = nullptr;
  cb->next = waiting_callbacks;
  if (waiting_callbacks != nullptr) waiting_callbacks->prev = cb;
  waiting_callbacks = cb;
}

void unlist_callback(WaitingCallback* cb) {
  if (cb->loop == nullptr) return;
  (cb->prev != nullptr ? cb->prev->next : waiting_callbacks) = cb->next;
  if (cb->next != nullptr) cb->next->prev = cb->prev;
  cb->prev = cb->next = nullptr;
  cb->loop = nullptr;
}

namespace {
// At a loop's close (LoopHooks, loop.hpp): each drop may free a future and
// with it other callbacks on the list, so the search starts again from the
// head every time.
void drop_done_callbacks(Loop& loop) {
  for (;;) {
    WaitingCallback* cb = waiting_callbacks;
    while (cb != nullptr && cb->loop != &loop) cb = cb->next;
    if (cb == nullptr) return;
    unlist_callback(cb);
    cb->drop(cb);
  }
}

struct SetCloseHook {
  SetCloseHook() { loop_hooks.drop_done_callbacks = &drop_done_callbacks; }
} set_close_hook;
}  // namespace

void throw_empty(const char* who, const char* kind) {
  throw RuntimeError(std::string(who) + ": this " + kind +
                     " is empty (default-constructed or moved from): no task or future is behind it; assign one to "
                     "it first");
}

void FutureCore::add_waiter_behind(Waiter* w) {
  Waiter* tail = head_->prev;
  w->prev = tail;
  w->next = head_;
  tail->next = w;
  head_->prev = w;
}

void FutureCore::remove_waiter(Waiter* w) {
  if (w->next == w) {
    head_ = nullptr;
  } else {
    w->prev->next = w->next;
    w->next->prev = w->prev;
    if (head_ == w) head_ = w->next;
  }
  w->prev = w->next = nullptr;
}

bool FutureCore::take_waiter(Waiter* w) {
  // A ring: the walk stops when it comes back to head_.
  for (Waiter* at = head_; at != nullptr; at = at->next == head_ ? nullptr : at->next) {
    if (at != w) continue;
    remove_waiter(w);
    return true;
  }
  return false;
}

void FutureCore::finish() {
  if (state_ == State::Pending) state_ = State::Done;  // cancel() (chapter 09) makes it final first
  while (head_) {
    Waiter* w = head_;
    remove_waiter(w);
    w->notify(w, Waiter::Notice::Done);
  }
}

void FutureCore::check_pending(const char* who) const {
  if (head_ != nullptr) loop_->check_owner_thread(who);  // @since 11: waiters live on the loop's thread
  if (done()) {
    throw InvalidStateError(std::string(who) +
                            ": the future is already done; a result or an exception can be set only once");
  }
}

void FutureCore::refuse_pending(const char* who) const {
  throw InvalidStateError(std::string(who) +
                          ": the result is not ready (the future is still pending); await it, or add a "
                          "done-callback");
}

// @since 04
// asyncio's "Task ... got Future ... attached to a different loop": a future
// made under one run() and awaited under another, or on another thread's
// loop, would be completed by a loop that cannot resume the awaiter.
void FutureCore::refuse_foreign_loop(const char* who) const {
  throw RuntimeError(std::string(who) +
                     ": got Future attached to a different loop; a future or task belongs to the event loop it "
                     "was made on (another run(), or another thread's loop), so await it there, or pass its "
                     "result across with call_soon_threadsafe");
}
// @end

void FutureCore::set_exception(std::exception_ptr error, const char* who) {
  if (!error) throw InvalidArgument(std::string(who) + ": the exception_ptr is null");
  check_pending(who);
  store_error(std::move(error));
  finish();
}

std::exception_ptr FutureCore::exception(const char* who) {
  check_done(who);
  retrieved_ = true;
  return has_error_ ? error_ : nullptr;
}

// @since 09
bool FutureCore::request_cancel(const std::string& message) {
  if (in_frame_) return static_cast<PromiseBase*>(this)->request_cancel(message);  // Task::cancel
  if (head_ != nullptr) loop_->check_owner_thread("Future::cancel");  // @since 11
  if (done()) return false;
  store_error(std::make_exception_ptr(CancelledError(message)));
  mark_cancelled();
  finish();
  return true;
}

// @end
void FutureCore::throw_error() {
  retrieved_ = true;
  std::rethrow_exception(error_);
}

void report_unretrieved(const Loop* loop, ExceptionContext context) {
  if (loop != nullptr && loop_alive(loop)) {
    const_cast<Loop*>(loop)->call_exception_handler(context);
  } else {
    Loop::default_exception_handler(context);  // the loop is gone: its handler with it
  }
}

}  // namespace corio::detail
