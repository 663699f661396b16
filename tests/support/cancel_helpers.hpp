// @chapter 09
// What the cancellation tests share: the loop's time, one iteration's pause,
// "did this task end cancelled?", and a sleep that records how it ended.
#pragma once

#include <string>
#include <vector>

#include <corio/corio.hpp>

namespace corio_test {

using Trace = std::vector<std::string>;

inline double now() { return corio::get_running_loop().time(); }

// Lets one loop iteration pass: whatever was queued before runs first.
inline auto tick() { return corio::sleep(0); }

// Awaits a task that may end cancelled, and says whether it did.
template <class T>
corio::Coro<bool> ended_cancelled(corio::Task<T> task) {
  bool cancelled = false;
  try {
    co_await task;
  } catch (const corio::CancelledError&) {
    cancelled = true;
  }
  co_return cancelled;
}

// Sleeps, and records "woke" or "cancelled" (rethrowing the cancellation).
inline corio::Coro<> sleep_and_trace(double seconds, Trace& trace) {
  try {
    co_await corio::sleep(seconds);
    trace.push_back("woke");
  } catch (const corio::CancelledError&) {
    trace.push_back("cancelled");
    throw;
  }
}

}  // namespace corio_test
