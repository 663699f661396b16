// @chapter 09
// Where a task waits, and how a cancellation finds it. Every awaiter of
// this library is a WaitPoint: when it suspends a coroutine that runs inside
// a task, it calls park(), which records in the task the frame to resume and
// the awaiter itself. Task::cancel() then asks that awaiter to let go: a
// sleep takes its timer out, a waiter leaves its line, an await on another
// task passes the cancellation on to it. The awaiter's await_resume asks
// cancel_pending() and, when it is set, gives back anything it was handed
// (a permit, a promised queue item) before it throws CancelledError.
#pragma once

#include <coroutine>
#include <cstdint>
#include <string>

#include <corio/ready_queue.hpp>

namespace corio::detail {

// What an awaiter did when asked to cancel.
enum class Cancel : std::uint8_t {
  PassedOn,  // the cancellation went on to what is awaited (an inner task or
             // future), whose end wakes the task as usual
  LetGo,     // it let go and woke the task, which throws CancelledError when
             // it runs, whatever uncancel() does meanwhile
  TooLate,   // the task was woken already; it throws when it runs, unless
             // uncancel() takes every request back first
};

struct WaitPoint {
  // Asked by Task::cancel while the task waits here.
  Cancel (*cancel)(WaitPoint* self, const std::string& message) = nullptr;
};

// Called by await_suspend once the awaiter is hooked on. Inside a task the
// task remembers (h, wp), and the returned entry resumes the task, which
// resumes h; outside any task (chapter 04's run) the entry resumes h itself.
ReadyEntry park(std::coroutine_handle<> h, WaitPoint* wp);
class FutureCore;
// The same for an await on a task or future: RuntimeError when the running
// task would await itself (it would wait forever).
ReadyEntry park(std::coroutine_handle<> h, WaitPoint* wp, const FutureCore* awaited);

class PromiseBase;
void forget_cancel_message(const PromiseBase* task);  // a task's frame goes

// Queues a parked task (or frame) again: for an awaiter that lets go.
void wake(ReadyEntry waker);

// Calls observer(task, context) each time a task parks: a test harness
// counts suspension points with it, to cancel a task at each in turn. The
// observer must not cancel from inside the call (the awaiter is not done
// suspending); it can queue the cancel with call_soon. Null: none.
using ParkObserver = void (*)(PromiseBase* task, void* context);
void observe_parks(ParkObserver observer, void* context);

// For await_resume: true when the running task was asked to cancel while it
// waited here, or after it was woken but before it ran.
bool cancel_pending();
// Clears the request and throws CancelledError with the cancel() message.
[[noreturn]] void throw_cancelled();
inline void throw_if_cancelled() {
  if (cancel_pending()) throw_cancelled();
}

}  // namespace corio::detail
