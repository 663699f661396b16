// @chapter 02
// The loop explaining itself: with CORIO_TRACE=1 in the environment, or
// after Loop::set_trace(out), every iteration writes one line to out
// (stdout for CORIO_TRACE, so that it interleaves with a program's own
// output in order), on the loop's clock:
//
//   [trace 0.100] #3 timeout 0.100 s (next timer); polled: nothing; 1 timer due; ran 1 callback
//
// the timeout phase 1 chose and why, what the poller reported (or that it
// was not asked), the timers that came due, and what phase 6 ran. The loop
// calls the three hooks below between its phases, each behind a test of a
// pointer that is null when tracing is off: nothing else is paid then.
#pragma once

#include <cstddef>
#include <cstdio>

#include <corio/loop/clock.hpp>
#include <corio/loop/poller.hpp>

namespace corio {
class Loop;
}

namespace corio::detail {

class Trace {
 public:
  // Times are the loop's on a virtual clock, and seconds since the trace
  // began on a real one (whose zero is the machine's boot).
  Trace(std::FILE* out, Nanos origin) : out_(out), origin_(origin) {}
  std::FILE* out() const { return out_; }

  // After phase 1: the timeout chosen.
  void chose(const Loop& loop, PollTimeout timeout);
  // After phase 3: the poller was asked, and these fds fired.
  void polled(const Loop& loop);
  // As phase 6 begins: writes the iteration's line.
  void runs(const Loop& loop);

 private:
  std::FILE* out_;
  Nanos origin_;
  unsigned long iteration_ = 0;
  PollTimeout timeout_{0};
  Nanos started_{0};            // the loop's time when the iteration began
  std::size_t queued_ = 0;      // ready entries when the timeout was chosen
  std::size_t after_poll_ = 0;  // ... and after phase 3
  bool polled_ = false;
  char fds_[160] = "";  // "fd 5 readable, fd 7 writable"
};

// CORIO_TRACE: set and not "0" traces every loop made on any thread.
bool trace_from_env();

}  // namespace corio::detail
