// @chapter 02
#include <corio/loop/clock.hpp>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

#include <corio/errors.hpp>

namespace corio::detail {

ClockKind clock_from_env() {
  const char* name = std::getenv("CORIO_CLOCK");
  if (name == nullptr || *name == '\0' || std::string_view(name) == "real") return ClockKind::Real;
  if (std::string_view(name) == "virtual") return ClockKind::Virtual;
  throw InvalidArgument(std::string("CORIO_CLOCK=") + name + " names no clock; use real or virtual");
}

std::unique_ptr<Clock> make_clock(ClockKind kind) {
  if (kind == ClockKind::Virtual) return std::make_unique<VirtualClock>();
  return std::make_unique<RealClock>();
}

Nanos to_nanos(double seconds, const char* what) {
  if (std::isnan(seconds)) {
    throw InvalidArgument(std::string(what) + ": the time given is NaN, not a number of seconds; pass seconds " +
                          "(a huge value or infinity means never)");
  }
  constexpr double kLongest = std::chrono::duration<double>(kForever).count();
  if (seconds >= kLongest) return kForever;
  if (seconds <= -kLongest) return -kForever;
  return Nanos(std::llround(seconds * 1e9));
}

}  // namespace corio::detail
