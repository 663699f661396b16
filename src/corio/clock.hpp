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

// Seconds (asyncio's unit, a double) to the loop's nanoseconds. Throws
// InvalidArgument naming `what` for NaN.
Nanos to_nanos(double seconds, const char* what);

}  // namespace detail
}  // namespace corio
