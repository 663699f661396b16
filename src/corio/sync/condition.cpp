// @chapter 07
#include <corio/sync/condition.hpp>

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
  for (; n > 0 && !waiters_.empty(); --n) {
    detail::WaiterNode* waiter = waiters_.front();
    static_cast<detail::ConditionAwaiter*>(waiter)->notified_ = true;  // @since 09
    lock_->permits_.wait(waiter);
  }
}

namespace detail {

ConditionAwaiter::~ConditionAwaiter() {
  if (linked()) {
    unlink();
  } else if (waker) {
    cond_->pass_lock();
  }
}

void ConditionAwaiter::await_suspend(std::coroutine_handle<> h) {
  cond_->waiters_.push_back(this);
  kind = &kKind;  // @since 09
  waker = park(h, this, "condition wait");
  cond_->pass_lock();
}

// @since 09
// Still on the condition's queue: it leaves it and queues for the lock (or
// takes it, when it is free), the way notify() would have moved it. On the
// lock's queue already, or passed the lock: nothing to do but wait for it.
CancelAnswer ConditionAwaiter::on_cancel(WaitPoint* self, const std::string&) {
  auto* me = static_cast<ConditionAwaiter*>(self);
  if (!me->linked() || me->notified_) return CancelAnswer::TooLate;
  me->unlink();
  me->notified_ = true;
  Permits& permits = me->cond_->lock_permits();
  if (permits.try_take()) {
    wake(me->waker);  // it holds the lock now, and keeps its waker to say so
  } else {
    permits.wait(me);
  }
  return CancelAnswer::LetGo;
}
// @end

}  // namespace detail
}  // namespace corio
