// @chapter 04
// sleep(seconds): suspend the awaiting coroutine and let the loop run others.
// The timer node lives inside the awaiter, so inside the coroutine's frame:
// sleeping allocates nothing. sleep(0) takes no timer at all and simply
// queues the coroutine behind everything already ready, which is how a
// long computation lets others run (asyncio's sleep(0) does the same).
#pragma once

#include <chrono>
#include <coroutine>
#include <string>  // @since 09
#include <type_traits>

#include <corio/loop/clock.hpp>
#include <corio/loop/detail/timers.hpp>
#include <corio/loop/loop.hpp>
#include <corio/tasks/coro.hpp>  // @since 09
#include <corio/tasks/detail/awaiter.hpp>

namespace corio {

namespace detail {

// Resumed from the loop: on the next iteration for a delay <= 0, otherwise
// on the first iteration after the deadline.
// @since 09
// Cancelled, it takes its timer out of the heap and wakes at once, to throw.
// @end
class SleepAwaiter final : private TimerNode, private WaitPoint {
 public:
  // Until its timer is set, the node's deadline holds the delay: one word
  // less in the frame of every sleeping coroutine.
  explicit SleepAwaiter(Nanos delay) : TimerNode(&wake, delay) {}
  // @since 05
  // Moved only before it is awaited: create_task(sleep(1)) moves it into
  // the frame of the coroutine that awaits it.
  SleepAwaiter(SleepAwaiter&& other) noexcept : TimerNode(&wake, other.delay()) {}
  // @end
  SleepAwaiter(const SleepAwaiter&) = delete;
  SleepAwaiter& operator=(const SleepAwaiter&) = delete;
  ~SleepAwaiter() {
    if (scheduled()) detail::LoopAccess::remove_timer(*loop_, this);
  }

  // sleep(0) when nothing else would run before the yielder: it goes on at
  // once, which is what the loop's next iteration would have done.
  bool await_ready() {
    kind = &kKind;  // @since 09: here, next to the constructor's null, the compiler writes the word once
    if (delay().count() > 0) return false;
    loop_ = detail::running_loop();
    if (loop_ == nullptr || !detail::LoopAccess::lone_yield(*loop_)) return false;
    if (!detail::task_may_go_on()) return false;  // @since 09
    detail::LoopAccess::yield_in_place(*loop_);
    return true;
  }
  void await_suspend(std::coroutine_handle<> h) {
    if (loop_ == nullptr) loop_ = &get_running_loop();
    ReadyEntry waker = park(h, this, "sleep");
    if (delay().count() <= 0) {
      detail::LoopAccess::schedule(*loop_, waker);
    } else {
      waker_ = waker;  // for the timer, when it fires
      start_timer();
    }
  }
  // @before 09: void await_resume() const noexcept {}
  void await_resume() const { throw_if_cancelled(); }  // @since 09

 private:
  Nanos delay() const { return when(); }  // before start_timer only
  static void wake(TimerNode* self) {
    auto* me = static_cast<SleepAwaiter*>(self);
    detail::LoopAccess::schedule(*me->loop_, me->waker_);
  }
  // Out of line, so that a yield's await_suspend stays small enough to inline.
  [[gnu::noinline]] void start_timer() {
    detail::LoopAccess::add_timer(*loop_, this, deadline_after(detail::LoopAccess::now(*loop_), delay()));
  }
  // @since 09
  static CancelAnswer on_cancel(WaitPoint* self, const std::string&) {
    auto* me = static_cast<SleepAwaiter*>(self);
    if (!me->scheduled()) return CancelAnswer::TooLate;
    detail::LoopAccess::remove_timer(*me->loop_, me);
    detail::LoopAccess::schedule(*me->loop_, me->waker_);
    return CancelAnswer::LetGo;
  }
  static constexpr WaitKind kKind{.cancel = &on_cancel, .what = "sleep"};
  // @end

  Loop* loop_ = nullptr;
  ReadyEntry waker_;  // resumes the sleeper when its timer fires (or it is cancelled from the heap)
};

}  // namespace detail

// Any number of seconds: sleep(1), sleep(0.5). (A template, so that sleep(1)
// under `using namespace corio` picks this over POSIX ::sleep(unsigned).)
template <class Seconds>
  requires std::is_arithmetic_v<Seconds>
detail::SleepAwaiter sleep(Seconds seconds) {
  // sleep(0) is the bare yield, called in every tight loop that lets others
  // run: it needs no conversion to nanoseconds, so it gets none. (NaN fails
  // this test and goes on to be refused.)
  if (seconds <= Seconds{0}) return detail::SleepAwaiter(detail::Nanos(0));
  return detail::SleepAwaiter(detail::to_nanos(static_cast<double>(seconds), "sleep"));
}

// Any std::chrono duration; hours::max() and nanoseconds::max() mean never
// in practice (a hundred years), like an infinite number of seconds.
template <class Rep, class Period>
detail::SleepAwaiter sleep(std::chrono::duration<Rep, Period> delay) {
  return detail::SleepAwaiter(detail::to_nanos(delay, "sleep"));
}

}  // namespace corio
