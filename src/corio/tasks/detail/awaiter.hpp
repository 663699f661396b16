// @chapter 04
// Where a coroutine waits. Every awaiter of this library is a WaitPoint: its
// await_suspend calls park(), whose answer, the waker, is the ready entry
// that resumes the waiting coroutine; the awaiter keeps it and hands it to
// the loop when the wait is over.
// @since 09
// Where a task waits, and how a cancellation finds it: when park() suspends
// a coroutine that runs inside a task, it records in the task the frame to
// resume and the awaiter itself. Task::cancel() then asks that awaiter to
// let go: a sleep takes its timer out, a waiter leaves its line, an await
// on another task passes the cancellation on to it. The awaiter's
// await_resume asks cancel_pending() and, when it is set, gives back
// anything it was handed (a permit, a promised queue item) before it throws
// CancelledError. The task's side of all this is in task.cpp.
// @end
#pragma once

#include <coroutine>
#include <cstdint>  // @since 09
#include <string>   // @since 09

#include <corio/loop/detail/ready_queue.hpp>
#include <corio/loop/detail/watchers.hpp>  // @since 05

namespace corio::detail {

class FutureCore;

// @since 09
// What an awaiter did when asked to cancel.
enum class CancelAnswer : std::uint8_t {
  PassedOn,  // the cancellation went on to what is awaited (an inner task or
             // future), whose end wakes the task as usual
  LetGo,     // it let go and woke the task, which throws CancelledError when
             // it runs, whatever uncancel() does meanwhile
  TooLate,   // the task was woken already; it throws when it runs, unless
             // uncancel() takes every request back first
};
// @end

// @since 09
struct WaitPoint;

// What every awaiter of one class shares, in one static table per class:
// how it answers a cancellation, and what the wait is. An awaiter points to
// its table, so it pays one word however much the table holds, and a task
// that waits notes nothing but where (the awaiter): the rest is there.
struct WaitKind {
  // Asked by Task::cancel while the task waits here.
  CancelAnswer (*cancel)(WaitPoint* self, const std::string& message);
  // What the wait is, the name park() is given ("sleep"), and the task or
  // future awaited, for an await on one (else null): what a task is doing,
  // for whoever asks, as chapter 14's call graph will.
  const char* what = nullptr;
  const FutureCore* (*awaited)(const WaitPoint* self) = nullptr;
};
// @end

struct WaitPoint {
  const WaitKind* kind = nullptr;  // @since 09
};

// @since 05
// While a loop records its timeline (timeline.hpp) and runs one of its
// entries, the timeline; null otherwise. A wait tells it what the waiting
// frame waits on: a test of this pointer is all a wait pays when off.
class Timeline;
extern constinit thread_local Timeline* timeline_now;
// Returns frame_waker's entry, so that a wait calls it last.
ReadyEntry timeline_waits(std::coroutine_handle<> h, const char* what, const FutureCore* awaited);
// @end

// The entry that resumes frame h itself.
inline ReadyEntry frame_waker(std::coroutine_handle<> h, [[maybe_unused]] const char* what,
                              [[maybe_unused]] const FutureCore* awaited) {
  if (kWatchers && timeline_now != nullptr) return timeline_waits(h, what, awaited);  // @since 05
  return ReadyEntry(h);
}

// Called by await_suspend once the awaiter is hooked on: the entry that
// resumes h. what names the wait ("sleep", "queue get"; chapter 05's
// timeline shows it); awaited is the task or future awaited, if any.
// @before 09: inline ReadyEntry park(std::coroutine_handle<> h, WaitPoint*, const char* what = nullptr, const FutureCore* awaited = nullptr) { return frame_waker(h, what, awaited); }
// @since 09
// Inside a task the task remembers (h, wp), and the returned entry resumes
// the task, which resumes h; outside any task (chapter 04's run) the entry
// resumes h itself. For an await on a task or future: RuntimeError when
// the running task would await itself (it would wait forever).
// Inline, defined in coro.hpp beside the task they touch: a wait pays no call.
inline ReadyEntry park(std::coroutine_handle<> h, WaitPoint* wp, const char* what = nullptr);
inline ReadyEntry park(std::coroutine_handle<> h, WaitPoint* wp, const char* what, const FutureCore* awaited);

class PromiseBase;

// Queues a parked task (or frame) again: for an awaiter that lets go.
void wake(ReadyEntry waker);

// Calls observer(task, context) each time a task parks: a test harness
// counts suspension points with it, to cancel a task at each in turn. The
// observer must not cancel from inside the call (the awaiter is not done
// suspending); it can queue the cancel with call_soon. Null: none.
using ParkObserver = void (*)(PromiseBase* task, void* context);
void observe_parks(ParkObserver observer, void* context);
// The task whose step runs now, or null; the observer, or null (task.cpp).
extern constinit thread_local PromiseBase* running;
// True while the running task's step is to throw CancelledError at the
// awaiter it resumed: a thread's flag, not the task's, since steps never
// nest (Loop::run_once refuses to run inside another loop's), so one await
// reads one byte instead of a pointer and then a bit of its task.
extern constinit thread_local bool cancel_due;
extern constinit thread_local ParkObserver park_observer;
// True while a park is watched: by the observer, or by a timeline recording
// the step that runs. One flag for both, so that an unwatched park pays one
// test; watch_parks() sets it again whenever either changes.
extern constinit thread_local bool parks_watched;
void watch_parks();

// For await_resume: true when the running task was asked to cancel while it
// waited here, or after it was woken but before it ran (inline, coro.hpp).
inline bool cancel_pending();
// Clears the request and throws CancelledError with the cancel() message.
[[noreturn]] void throw_cancelled();
// throw_cancelled() when cancel_pending() (inline, coro.hpp: a file that
// uses it outside a template includes coro.hpp).
inline void throw_if_cancelled();
// @end

}  // namespace corio::detail
