// @chapter 11
// Debug mode's report of a slow step: the tool that finds a blocking call.
// A loop runs one step at a time, so a step that takes 0.15 s holds up
// every other task for 0.15 s. In debug mode the loop times each callback
// and each coroutine step on the steady clock (the real one, even on a loop
// whose own clock is virtual: blocking costs real time) and reports each
// that ran at least slow_callback_duration, as asyncio does:
//
//   Executing <Handle main_coro()::{lambda()#1}> took 0.153 seconds
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <corio/clock.hpp>
#include <corio/ready_queue.hpp>

namespace corio::detail {

// What a ready-queue entry is, for a report: the one place that names a
// step. A callback is named by its type (for a lambda, the function it was
// written in); a coroutine step is named by nothing yet.
std::string describe_step(Ready r);

// CORIO_DEBUG, like PYTHONASYNCIODEBUG: set and not "0" turns debug mode on.
bool debug_from_env();

// Times the step r for as long as it lives; off, it costs a test of a
// pointer. What it needs when on lives apart, made only then: every step
// of every loop builds one, and a string and a time point built and torn
// down per step were a twentieth of a bare yield (sleep(0)).
// The description is taken before the step runs, since running may free
// what r points to.
class StepTimer {
 public:
  StepTimer(bool on, Nanos threshold, Ready r) {
    if (on) [[unlikely]] {
      start(threshold, r);
    }
  }
  ~StepTimer() {
    if (timing_) [[unlikely]] {
      stop();
    }
  }
  StepTimer(const StepTimer&) = delete;
  StepTimer& operator=(const StepTimer&) = delete;

 private:
  struct Timing {
    Nanos threshold;
    std::chrono::steady_clock::time_point started;
    std::string what;
  };

  void start(Nanos threshold, Ready r);
  void stop();

  std::unique_ptr<Timing> timing_;
};

}  // namespace corio::detail
