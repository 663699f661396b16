// @chapter 04
// sleep(seconds): suspend the awaiting coroutine and let the loop run others.
// The timer node lives inside the awaiter, so inside the coroutine's frame:
// sleeping allocates nothing. sleep(0) takes no timer at all and simply
// queues the coroutine behind everything already ready, which is how a
// long computation lets others run (asyncio's sleep(0) does the same).
#pragma once

#include <chrono>
#include <coroutine>
#include <type_traits>

#include <corio/clock.hpp>
#include <corio/loop.hpp>
#include <corio/timers.hpp>

namespace corio {

namespace detail {

// Resumed from the loop: on the next iteration for a delay <= 0, otherwise
// on the first iteration after the deadline.
class SleepAwaiter final : private TimerNode {
 public:
  explicit SleepAwaiter(Nanos delay) : delay_(delay) {}
  SleepAwaiter(const SleepAwaiter&) = delete;
  SleepAwaiter& operator=(const SleepAwaiter&) = delete;
  ~SleepAwaiter() {
    if (scheduled()) loop_->remove_timer(this);
  }

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    loop_ = &get_running_loop();
    coro_ = h;
    if (delay_.count() <= 0) {
      loop_->schedule(h);
    } else {
      loop_->add_timer(this, loop_->now() + delay_);
    }
  }
  void await_resume() const noexcept {}

 private:
  void fire() override { loop_->schedule(coro_); }

  Nanos delay_;
  Loop* loop_ = nullptr;
  std::coroutine_handle<> coro_;
};

}  // namespace detail

// Any number of seconds: sleep(1), sleep(0.5). (A template, so that sleep(1)
// under `using namespace corio` picks this over POSIX ::sleep(unsigned).)
template <class Seconds>
  requires std::is_arithmetic_v<Seconds>
detail::SleepAwaiter sleep(Seconds seconds) {
  return detail::SleepAwaiter(detail::to_nanos(static_cast<double>(seconds), "sleep"));
}

template <class Rep, class Period>
detail::SleepAwaiter sleep(std::chrono::duration<Rep, Period> delay) {
  return detail::SleepAwaiter(std::chrono::duration_cast<detail::Nanos>(delay));
}

}  // namespace corio
