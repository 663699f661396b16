// @chapter 01
// Where the runtime reports what it cannot throw: an exception that escaped
// a callback, a coroutine dropped without being awaited, a task whose error
// nobody looked at. asyncio sends these to its logger or to warnings; corio
// sends them to one sink, stderr unless a program (or a test) replaces it.
//
// From chapter 11, debug mode's report of a slow step: the tool that finds a
// blocking call. A loop runs one step at a time, so a step that takes 0.15 s
// holds up every other task for 0.15 s. In debug mode the loop times each
// callback and each coroutine step on the steady clock (the real one, even
// on a loop whose own clock is virtual: blocking costs real time) and
// reports each that ran at least slow_callback_duration, as asyncio does:
//
//   Executing <Handle main_coro()::{lambda()#1}> took 0.153 seconds
#pragma once

#include <chrono>  // @since 11
#include <exception>
#include <functional>
#include <memory>  // @since 11
#include <string>
#include <string_view>

#include <corio/loop/detail/ready_queue.hpp>  // @since 11

namespace corio {

using DiagnosticSink = std::function<void(std::string_view message)>;

// Replaces the sink for this thread and returns the previous one. An empty
// sink restores the default, which writes each message and a newline to
// stderr. A sink should not throw; if it does, the message goes to stderr
// with a note, and the runtime carries on.
DiagnosticSink set_diagnostic_sink(DiagnosticSink sink);

namespace detail {
// Never throws: a sink that throws gets the message written to stderr.
void report(std::string_view message) noexcept;
// An error as one line: what() for a std::exception.
std::string describe(std::exception_ptr error);
// @since 11

// What a ready-queue entry is, for a report: the one place that names a
// step. A callback is named by its type (for a lambda, the function it was
// written in); a coroutine step is named by nothing yet; a task's step by
// the task layer (LoopHooks::describe_task).
std::string describe_step(ReadyEntry r);

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
  StepTimer(bool on, std::chrono::nanoseconds threshold, ReadyEntry r) {
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
    std::chrono::nanoseconds threshold;
    std::chrono::steady_clock::time_point started;
    std::string what;
  };

  void start(std::chrono::nanoseconds threshold, ReadyEntry r);
  void stop();

  std::unique_ptr<Timing> timing_;
};
// @end
}  // namespace detail

}  // namespace corio
