// @chapter 07
// Permits: a count of free permits and a FIFO of coroutines waiting for one,
// the machinery under Semaphore and Lock. Fairness comes from one rule: a
// permit given back while coroutines wait goes straight to the longest
// waiter, at release time, and never through the free count. So while
// anyone waits, no permit is free, and a newcomer that finds none free
// queues behind the others instead of jumping ahead (CPython 3.12 hands the
// permit over at release in the same way).
#pragma once

#include <coroutine>
#include <cstddef>
#include <utility>

#include <corio/sync/detail/waiter_list.hpp>

namespace corio::detail {

class Permits {
 public:
  Permits(std::size_t free, const char* kind) : free_(free), waiters_(kind) {}

  // Nobody waits while a permit is free, so "none free" is the whole test.
  bool locked() const { return free_ == 0; }
  std::size_t free() const { return free_; }

  bool try_take() {
    if (free_ == 0) return false;
    --free_;
    return true;
  }
  // Queues n; it gets a permit from a later give(). n may come from another
  // list (Condition::notify moves its waiters here).
  void wait(WaiterNode* n) { waiters_.push_back(n); }
  void check_thread(const char* what) const { waiters_.check_thread(what); }  // @since 11
  // A permit comes back: handed to the longest waiter, which the loop
  // resumes on its next iteration, or, when nobody waits, made free.
  void give() {
    if (waiters_.empty()) {
      ++free_;
    } else {
      waiters_.wake_front();
    }
  }

 private:
  std::size_t free_;
  WaiterList waiters_;
};

// `co_await sem.acquire()`, `co_await lock.acquire()`: goes on at once,
// without suspending, when a permit is free. Otherwise the coroutine joins
// the queue and is resumed from the loop on the iteration after the
// release() that hands it its permit.
class [[nodiscard]] AcquireAwaiter : private WaiterNode {
 public:
  explicit AcquireAwaiter(Permits& permits) : permits_(&permits) {}
  // Moved only before it is awaited: create_task(lock.acquire()) moves it
  // into the frame of the coroutine that awaits it.
  AcquireAwaiter(AcquireAwaiter&& other) noexcept : permits_(other.permits_) {}
  AcquireAwaiter(const AcquireAwaiter&) = delete;
  AcquireAwaiter& operator=(const AcquireAwaiter&) = delete;
  // The states: never suspended, or resumed (waker empty); waiting (linked);
  // handed a permit but not resumed yet (not linked, waker set). A frame
  // destroyed while waiting leaves the queue; one destroyed after it was
  // handed a permit gives the permit back, so no permit is lost.
  ~AcquireAwaiter() {
    if (linked()) {
      unlink();
    } else if (waker) {
      permits_->give();
    }
  }

  bool await_ready() { return permits_->try_take(); }
  void await_suspend(std::coroutine_handle<> h) {
    permits_->wait(this);
    kind = &kKind;  // @since 09
    waker = park(h, this, "acquire");
  }
  // True, as asyncio's acquire() returns: `if (co_await lock.acquire())`.
  // @since 09
  // Cancelled in line, it was woken without a permit; cancelled after a
  // permit was handed over, it gives the permit back (to the next waiter)
  // before it throws. Either way no permit is lost.
  // @end
  bool await_resume() {
    // @since 09
    if (cancel_pending()) {
      if (std::exchange(waker, ReadyEntry())) permits_->give();  // it was handed a permit
      throw_cancelled();
    }
    // @end
    waker = ReadyEntry();
    return true;
  }

 private:
  Permits* permits_;
  static constexpr WaitKind kKind{.cancel = &leave_line, .what = "acquire"};  // @since 09
};

}  // namespace corio::detail
