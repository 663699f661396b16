// @chapter 07
// Lock: one holder at a time, asyncio.Lock's counterpart. It is fair: the
// lock passes to the coroutines that wait for it in the order they asked,
// and a coroutine arriving while others wait queues behind them. Like
// asyncio's, a lock has no owner: any coroutine may release it; releasing a
// lock nobody holds throws RuntimeError.
#pragma once

#include <corio/sync/async_with.hpp>
#include <corio/sync/detail/semaphore_core.hpp>

namespace corio {

class Condition;

class Lock {
 public:
  Lock() : permits_(1, "Lock") {}
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

  // `co_await lock.acquire();`: returns holding the lock.
  detail::AcquireAwaiter acquire() { return detail::AcquireAwaiter(permits_); }
  // `auto held = co_await lock.hold();`: the same, released by `held`.
  detail::HoldAwaiter<Lock> hold() { return {*this, permits_}; }
  // Passes the lock to the longest waiter (resumed on the next iteration),
  // or unlocks it. Throws RuntimeError when it is not locked.
  void release() {
    permits_.check_thread("Lock::release");  // @since 11
    if (!try_release()) throw_not_acquired();
  }
  // release(), or false when the lock is not locked.
  bool try_release() noexcept {
    if (!locked()) return false;
    permits_.give();
    return true;
  }
  // True while someone holds the lock, or it was passed to a waiter that
  // has not run yet (asyncio says false in that moment, but refuses a
  // newcomer just the same).
  bool locked() const { return permits_.locked(); }

 private:
  friend class Condition;
  [[noreturn]] static void throw_not_acquired();

  detail::Permits permits_;
};

}  // namespace corio
