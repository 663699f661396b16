// @chapter 05
// A picture of a run: with CORIO_TIMELINE=1 in the environment, or after
// record_timeline(loop), a loop prints when it closes one lane per task, on
// its own clock: when the task ran (#), when it waited (-), and on what.
//
//   timeline: 4 tasks on the virtual clock; # ran, - waited; a column is 0.050 s
//                        0.000     0.500     1.000     1.500     2.000
//   Task-1 main_coro     #---------------------------------------#  gather 2.000 s; done at 2.000
//   Task-2 fetch_data    #---------------------------------------#  sleep 2.000 s; done at 2.000
//
// The loop tells the timeline of each entry it runs (StepWatcher), a task
// of its start and end, and every awaiter of what it waits on (park()'s
// name: "sleep", "queue get", "task 'fetch'"). Off, each of those places
// pays a test of a pointer that is null, and nothing else.
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <utility>  // @since 14
#include <vector>

#include <corio/loop/clock.hpp>
#include <corio/loop/loop.hpp>

namespace corio {

// Records loop's timeline from now on, printed to out when the loop closes
// (CORIO_TIMELINE=1 does this for every loop, to stdout). Tasks made
// before the call have no lane.
void record_timeline(Loop& loop, std::FILE* out = stdout);

namespace detail {

class FutureCore;
class PromiseBase;

// CORIO_TIMELINE: set and not "0" records every loop's timeline.
bool timeline_from_env();
// @since 14
// CORIO_CHROME_TRACE=path: every loop writes its Chrome trace there at close.
const char* chrome_trace_from_env();
// @end

class Timeline final : public StepWatcher {
 public:
  Timeline(Loop& loop, std::FILE* out);
  ~Timeline();
  Timeline(const Timeline&) = delete;
  Timeline& operator=(const Timeline&) = delete;
  void set_out(std::FILE* out) { out_ = out; }

  // The task layer's side: a task is made (its frame, to know its first
  // step by), a task ends, a frame waits on what.
  void made(const PromiseBase* task, std::coroutine_handle<> frame);
  void ended(const PromiseBase* task, bool failed);
  void waits(std::coroutine_handle<> h, const char* what, const FutureCore* awaited);
  // The loop's side (StepWatcher): each entry of phase 6.
  void before(ReadyEntry r) override;
  void after() override;
  // The picture, as it stands.
  void print() const;
  // @since 14
  // Also written at close as Chrome trace-event JSON to path, with the
  // loop's iterations (introspect/chrome_trace.hpp). out may be null then.
  void trace_to(std::string path) { chrome_path_ = std::move(path); }
  void iteration(std::size_t entries) override;
  void write_chrome_trace(std::FILE* out) const;  // introspect/chrome_trace.cpp
                                                  // @end

 private:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  struct Wait {
    Nanos from;
    Nanos to;  // negative while waiting
    std::string what;
  };
  struct Lane {
    std::string name;
    Nanos made{0};
    Nanos ended{-1};
    const char* how = nullptr;  // "done", "failed", "cancelled"; null while pending
    std::vector<std::pair<Nanos, Nanos>> runs;
    std::vector<Wait> waits;
  };
  // The loop's time; on a real clock, since the timeline began.
  Nanos now() const;

  Loop& loop_;
  std::FILE* out_;
  Nanos origin_;
  std::vector<Lane> lanes_;
  std::unordered_map<const FutureCore*, std::size_t> live_;  // a pending task's lane
  std::unordered_map<void*, std::size_t> frames_;            // a waiting frame's task's lane
  std::size_t current_ = kNone;                              // the lane whose step runs
  Nanos began_{0};                                           // ... since
  Timeline* outer_ = nullptr;                                // timeline_now before this step
  // @since 14
  struct Iteration {
    Nanos from;
    Nanos to;
    std::size_t entries;
  };
  std::string chrome_path_;            // empty: no Chrome trace
  std::vector<Iteration> iterations_;  // recorded only for a Chrome trace
  std::size_t entries_left_ = 0;       // of the iteration under way
  // @end
};

}  // namespace detail
}  // namespace corio
