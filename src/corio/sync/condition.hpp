// @chapter 07
// Condition: wait until another coroutine says something changed,
// asyncio.Condition's counterpart. A condition is a lock (its own, or one
// it is given) and a queue of waiters. The pattern: hold the lock, check
// the state, wait() (which releases the lock while waiting and holds it
// again when it returns), check again; the coroutine that changes the
// state notify()s while holding the lock. wait_for(predicate) is that loop.
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <string>  // @since 09
#include <type_traits>

#include <corio/tasks/coro.hpp>
#include <corio/sync/lock.hpp>
#include <corio/sync/detail/waiter_list.hpp>

namespace corio {

namespace detail {

// `co_await cond.wait()`: the lock is released as the coroutine suspends.
// notify() moves the coroutine from the condition's queue to the end of the
// lock's, so it never wakes just to wait for the lock: it is resumed from
// the loop on the iteration after the release() that passes it the lock,
// and so always returns holding the lock.
class [[nodiscard]] ConditionAwaiter : private WaiterNode {
 public:
  explicit ConditionAwaiter(Condition& cond) : cond_(&cond) {}
  // Moved only before it is awaited: create_task(cond.wait()) and
  // wait_for(cond.wait(), t) move it into the frame of the coroutine that
  // awaits it.
  ConditionAwaiter(ConditionAwaiter&& other) noexcept : cond_(other.cond_) {}
  ConditionAwaiter(const ConditionAwaiter&) = delete;
  ConditionAwaiter& operator=(const ConditionAwaiter&) = delete;
  // The states, as for acquire(): never suspended or resumed (waker empty);
  // on the condition's or the lock's queue (linked); passed the lock but
  // not resumed (not linked, waker set), when a destroyed frame gives the
  // lock back.
  ~ConditionAwaiter();

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h);
  // @since 09
  // Cancelled or not, it returns holding the lock, as asyncio's does: a
  // cancellation that finds it on the condition's queue moves it to the
  // lock's, and CancelledError is thrown only once the lock is passed to it.
  // @end
  void await_resume() {
    waker = ReadyEntry();
    throw_if_cancelled();  // @since 09
  }

 private:
  // @since 09
  friend class corio::Condition;
  static CancelAnswer on_cancel(WaitPoint* self, const std::string& message);
  static constexpr WaitKind kKind{.cancel = &on_cancel, .what = "condition wait"};
  bool notified_ = false;  // moved to the lock's queue by notify()
  // @end
  Condition* cond_;
};

}  // namespace detail

class Condition {
 public:
  // With a lock of its own, or sharing the given one (which must outlive it).
  Condition() : Condition(own_) {}
  explicit Condition(Lock& lock) : lock_(&lock), waiters_("Condition") {}
  Condition(const Condition&) = delete;
  Condition& operator=(const Condition&) = delete;

  // The lock's operations, as asyncio's Condition exposes them.
  detail::AcquireAwaiter acquire() { return lock_->acquire(); }
  detail::HoldAwaiter<Lock> hold() { return lock_->hold(); }
  void release() { lock_->release(); }
  bool locked() const { return lock_->locked(); }

  // `co_await cond.wait();` with the lock held: waits for a notify(), and
  // returns holding the lock again. Without the lock: RuntimeError.
  detail::ConditionAwaiter wait();
  // Waits until predicate() is true, checking it first and after every
  // wakeup, with the lock held; returns its last result. A coroutine of its
  // own (one pooled frame per call), since it may wait many times.
  template <class Predicate>
  Coro<std::decay_t<std::invoke_result_t<Predicate&>>> wait_for(Predicate predicate) {
    auto result = predicate();
    while (!result) {
      co_await wait();
      result = predicate();
    }
    co_return result;
  }
  // Wakes up to n waiters, oldest first; each gets the lock in turn once the
  // caller releases it. Without the lock: RuntimeError.
  void notify(std::size_t n = 1);
  void notify_all() { notify(SIZE_MAX); }

 private:
  friend class detail::ConditionAwaiter;
  // For the awaiter: the lock passes on, or is unlocked (no check: the
  // awaiter knows it holds it).
  void pass_lock() { lock_->permits_.give(); }
  detail::Permits& lock_permits() { return lock_->permits_; }  // @since 09

  Lock own_;  // unused when a lock was given
  Lock* lock_;
  detail::WaiterList waiters_;
};

}  // namespace corio
