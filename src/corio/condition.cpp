// @chapter 07
#include <corio/condition.hpp>

#include <corio/errors.hpp>

namespace corio {

detail::ConditionAwaiter Condition::wait() {
  if (!locked()) {
    throw RuntimeError("cannot wait on un-acquired lock: acquire the condition's lock before wait(), e.g. "
                       "`auto held = co_await cond.hold();`");
  }
  return detail::ConditionAwaiter(*this);
}

// The caller holds the lock, so each waiter simply queues for it.
void Condition::notify(std::size_t n) {
  if (!locked()) {
    throw RuntimeError("cannot notify on un-acquired lock: acquire the condition's lock before notify()");
  }
  for (; n > 0 && !waiters_.empty(); --n) lock_->permits_.wait(waiters_.front());
}

namespace detail {

ConditionAwaiter::~ConditionAwaiter() {
  if (linked()) {
    unlink();
  } else if (coro) {
    cond_->pass_lock();
  }
}

void ConditionAwaiter::await_suspend(std::coroutine_handle<> h) {
  cond_->waiters_.push_back(this);
  coro = h;
  cond_->pass_lock();
}

}  // namespace detail
}  // namespace corio
