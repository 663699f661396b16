// @chapter 02
// Where the loop reads the time. The real clock is steady_clock. The virtual
// clock only moves when the loop moves it: when nothing is ready and a
// zero-timeout poll found nothing, the loop jumps it straight to the next
// deadline. A test of "this takes 2 seconds" then runs in microseconds and
// checks exactly 2.0 s.
#pragma once

#include <chrono>
#include <memory>

namespace corio {

enum class ClockKind { Real, Virtual };

namespace detail {

using Nanos = std::chrono::nanoseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Nanos now() const = 0;
  virtual bool is_virtual() const = 0;
  // Moves a virtual clock forward to t; a real clock ignores it.
  virtual void advance_to(Nanos t) = 0;
};

class RealClock final : public Clock {
 public:
  Nanos now() const override { return std::chrono::steady_clock::now().time_since_epoch(); }
  bool is_virtual() const override { return false; }
  void advance_to(Nanos) override {}
};

class VirtualClock final : public Clock {
 public:
  Nanos now() const override { return now_; }
  bool is_virtual() const override { return true; }
  void advance_to(Nanos t) override {
    if (t > now_) now_ = t;
  }

 private:
  Nanos now_{0};  // a virtual loop starts at time 0.0
};

// The kind named by CORIO_CLOCK ("real" or "virtual"); real when unset.
ClockKind clock_from_env();
std::unique_ptr<Clock> make_clock(ClockKind kind);

// A hundred years is forever: every delay and deadline is held within it, so
// adding one to now() never overflows (nanoseconds last 292 years).
constexpr Nanos kForever = std::chrono::hours(24 * 365 * 100);

// Seconds (asyncio's unit, a double) to the loop's nanoseconds, saturated at
// kForever either way. Throws InvalidArgument naming `what` (the user's
// call) for NaN.
Nanos to_nanos(double seconds, const char* what);

// The same for a std::chrono duration of any unit: hours::max() is forever,
// not an overflow.
template <class Rep, class Period>
Nanos to_nanos(std::chrono::duration<Rep, Period> d, const char* what) {
  double seconds = std::chrono::duration<double>(d).count();
  constexpr double kLongest = std::chrono::duration<double>(kForever).count();
  if (!(seconds > -kLongest && seconds < kLongest)) return to_nanos(seconds, what);  // NaN too
  return std::chrono::duration_cast<Nanos>(d);
}

// now + delay, held within the range of Nanos.
inline Nanos deadline_after(Nanos now, Nanos delay) {
  Nanos::rep sum;
  if (!__builtin_add_overflow(now.count(), delay.count(), &sum)) return Nanos(sum);
  return delay.count() > 0 ? Nanos::max() : Nanos::min();
}

}  // namespace detail
}  // namespace corio
