// @chapter 07
// Semaphore: at most n holders at once, asyncio.Semaphore's counterpart.
// acquire() takes a permit, waiting in line when none is free; release()
// gives one back, to the longest waiter first (semaphore_core.hpp). E06 puts 100
// requests through Semaphore(10): never more than 10 in flight.
// BoundedSemaphore refuses a release that would raise the count above its
// initial value, which is how a release without an acquire is caught.
#pragma once

#include <cstddef>
#include <cstdint>

#include <corio/sync/async_with.hpp>
#include <corio/errors.hpp>
#include <corio/sync/detail/semaphore_core.hpp>

namespace corio {

class Semaphore {
 public:
  // value permits are free at first; a negative value throws ValueError.
  explicit Semaphore(int value = 1) : Semaphore(value, SIZE_MAX, "Semaphore") {}
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  // `co_await sem.acquire();`: returns holding a permit.
  detail::AcquireAwaiter acquire() { return detail::AcquireAwaiter(permits_); }
  // `auto held = co_await sem.hold();`: the same, released by `held`.
  detail::HoldAwaiter<Semaphore> hold() { return {*this, permits_}; }
  // Gives a permit back: to the longest waiter (resumed on the next
  // iteration), or to the free count. Never suspends.
  void release() {
    permits_.check_thread("Semaphore::release");  // @since 11
    if (!try_release()) throw_released_too_often();
  }
  // release(), or false where release() would throw.
  bool try_release() noexcept {
    if (permits_.free() >= bound_) return false;
    permits_.give();
    return true;
  }
  // True when acquire() would wait: no permit is free.
  bool locked() const { return permits_.locked(); }
  // The free permits (asyncio's _value).
  std::size_t value() const { return permits_.free(); }

 protected:
  Semaphore(int value, std::size_t bound, const char* kind);

 private:
  [[noreturn]] void throw_released_too_often() const;

  detail::Permits permits_;
  std::size_t bound_;  // the most permits that can be free; SIZE_MAX: no bound
};

class BoundedSemaphore : public Semaphore {
 public:
  // release() beyond value free permits throws ValueError.
  explicit BoundedSemaphore(int value = 1);
};

}  // namespace corio
