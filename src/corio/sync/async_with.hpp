// @chapter 07
// Held<P>: the scoped form of acquire and release, the C++ answer to
// Python's `async with semaphore:`.
//
//   {
//     auto held = co_await sem.hold();  // acquires, like acquire()
//     co_await fetch(url);
//   }                                   // released here, however the block ends
//
// The destructor releases on every way out of the scope: the end of the
// block, a return, an exception. P is Semaphore, BoundedSemaphore or Lock
// (Condition's hold() gives its lock's Held).
#pragma once

#include <utility>

#include <corio/sync/detail/semaphore_core.hpp>

namespace corio {

template <class P>
class [[nodiscard]] Held {
 public:
  // Adopts a permit (or the lock) the caller already holds.
  explicit Held(P& owner) : owner_(&owner) {}
  Held(Held&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
  Held& operator=(Held&&) = delete;
  // Releases what the guard holds, never throwing: where release() would
  // throw, there is nothing left to release. That happens to a frame
  // destroyed inside Condition::wait(), which had let go of the lock for
  // the wait (and to a permit released by hand beside the guard).
  ~Held() {
    if (owner_) owner_->try_release();
  }

 private:
  P* owner_;  // null once moved from
};

namespace detail {

// `co_await x.hold()`: waits exactly as acquire() does (semaphore_core.hpp), then
// returns the Held that releases.
template <class P>
class [[nodiscard]] HoldAwaiter : public AcquireAwaiter {
 public:
  HoldAwaiter(P& owner, Permits& permits) : AcquireAwaiter(permits), owner_(&owner) {}

  Held<P> await_resume() {
    AcquireAwaiter::await_resume();
    return Held<P>(*owner_);
  }

 private:
  P* owner_;
};

}  // namespace detail
}  // namespace corio
