// @chapter 10
#include <corio/cancellation/timeout.hpp>

#include <cstdio>
#include <string>

#include <corio/loop/clock.hpp>
#include <corio/errors.hpp>

namespace corio {

namespace {

std::string seconds(double t) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", t);
  return text;
}

}  // namespace

void detail::check_seconds(std::optional<double> seconds, const char* what) {
  if (seconds) (void)to_nanos(*seconds, what);
}

// A NaN is refused here, by the name the user called, not later by call_at.
Timeout timeout(std::optional<double> delay) {
  detail::check_seconds(delay, "timeout");
  if (!delay) return Timeout(std::nullopt);
  return Timeout(get_running_loop().time() + *delay);
}

Timeout timeout_at(std::optional<double> when) {
  detail::check_seconds(when, "timeout_at");
  return Timeout(when);
}

void Timeout::enter() {
  if (state_ != State::Created) {
    throw RuntimeError("Timeout::run: this Timeout has run a block already; make a new one for each block");
  }
  if (detail::running_task() == nullptr) {
    throw RuntimeError("Timeout::run: no task is running; a timeout cancels the task that runs its block, so "
                       "await it inside one (a coroutine given to corio::run or create_task)");
  }
  task_ = current_task();
  state_ = State::Entered;
  cancelling_ = task_.cancelling();
  reschedule(when_);
}

// A deadline already passed fires on the next iteration, as asyncio's
// call_soon does: the block still starts, and is cancelled at its first wait.
void Timeout::reschedule(std::optional<double> when) {
  if (state_ != State::Entered) {
    throw RuntimeError(state_ == State::Created
                           ? "Timeout::reschedule: the timeout has not been entered; call it from inside run()'s block"
                           : "Timeout::reschedule: the timeout's block is over (it expired or ended)");
  }
  detail::check_seconds(when, "Timeout::reschedule");
  when_ = when;
  disarm();
  if (!when) return;
  Loop& loop = get_running_loop();
  if (*when <= loop.time()) {
    soon_ = loop.call_soon([this] { on_timeout(); });
  } else {
    timer_ = loop.call_at(*when, [this] { on_timeout(); });
  }
}

void Timeout::disarm() {
  timer_.cancel();
  timer_ = TimerHandle();
  soon_.cancel();
  soon_ = Handle();
}

void Timeout::on_timeout() {
  task_.cancel();
  state_ = State::Expiring;
}

void Timeout::leave(const std::exception_ptr& error) {
  disarm();
  if (state_ == State::Expiring) {
    state_ = State::Expired;
    // Ours, if no other cancellation is left pending beyond the ones that
    // were there when the block began.
    if (task_.uncancel() <= cancelling_ && error && detail::is_cancellation(error)) {
      task_ = AnyTask();
      throw TimeoutError("timeout: the deadline (loop time " + seconds(*when_) + ") passed before the block ended");
    }
  } else if (state_ == State::Entered) {
    state_ = State::Exited;
  }
  task_ = AnyTask();
}

}  // namespace corio
