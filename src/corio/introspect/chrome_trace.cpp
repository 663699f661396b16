// @chapter 14
// The Chrome trace: the Trace Event Format's complete events ("ph":"X",
// with "ts" and "dur" in microseconds) on one thread id per track, and
// metadata events ("ph":"M") naming the process and each track.
#include <corio/introspect/chrome_trace.hpp>

#include <chrono>
#include <cstdio>
#include <utility>

#include <unistd.h>

#include <corio/errors.hpp>
#include <corio/http/detail/json.hpp>
#include <corio/loop/loop.hpp>
#include <corio/tasks/coro.hpp>
#include <corio/tasks/detail/task_list.hpp>
#include <corio/tasks/timeline.hpp>

namespace corio {

void record_chrome_trace(Loop& loop, std::string path) {
  loop.check_owner_thread("record_chrome_trace");
  detail::TaskList& list = detail::task_list(loop);
  bool fresh = list.timeline() == nullptr;
  if (fresh) list.record_timeline(loop, nullptr);
  detail::Timeline* recorder = list.timeline();
  if (recorder == nullptr) {  // a build with -DCORIO_NO_WATCHERS records nothing
    throw RuntimeError("record_chrome_trace: this build has the timeline compiled out (CORIO_NO_WATCHERS)");
  }
  detail::Timeline& timeline = *recorder;
  timeline.trace_to(std::move(path));
  if (!fresh) return;
  for (detail::PromiseBase* task : list.tasks()) timeline.made(task, task->continuation());
}

namespace detail {

namespace {

using http::detail::json_string;

// Microseconds, to the nanosecond.
std::string micros(Nanos t) {
  char text[40];
  std::snprintf(text, sizeof text, "%.3f", static_cast<double>(t.count()) / 1000.0);
  return text;
}

class Events {
 public:
  explicit Events(std::FILE* out) : out_(out), pid_(::getpid()) { std::fputs("{\"traceEvents\":[\n", out_); }
  ~Events() { std::fputs("\n],\"displayTimeUnit\":\"ms\"}\n", out_); }

  void name(const char* what, std::size_t tid, const std::string& value) {
    line("{\"name\":\"" + std::string(what) + "\",\"ph\":\"M\",\"pid\":" + std::to_string(pid_) +
         ",\"tid\":" + std::to_string(tid) + ",\"args\":{\"name\":" + json_string(value) + "}}");
    if (std::string(what) != "thread_name") return;
    line("{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":" + std::to_string(pid_) +
         ",\"tid\":" + std::to_string(tid) + ",\"args\":{\"sort_index\":" + std::to_string(tid) + "}}");
  }
  void complete(const std::string& name, const char* cat, std::size_t tid, Nanos from, Nanos to,
                const std::string& args = {}) {
    line("{\"name\":" + json_string(name) + ",\"cat\":\"" + cat + "\",\"ph\":\"X\",\"ts\":" + micros(from) +
         ",\"dur\":" + micros(to - from) + ",\"pid\":" + std::to_string(pid_) + ",\"tid\":" + std::to_string(tid) +
         (args.empty() ? "" : ",\"args\":{" + args + "}") + "}");
  }

 private:
  void line(const std::string& event) {
    if (!first_) std::fputs(",\n", out_);
    first_ = false;
    std::fputs(event.c_str(), out_);
  }
  std::FILE* out_;
  long pid_;
  bool first_ = true;
};

}  // namespace

// Track 0 is the loop's; task lane i is track i + 1. A task or a wait
// still pending ends at the time of writing.
void Timeline::write_chrome_trace(std::FILE* out) const {
  Nanos end = now();
  {
    Events events(out);
    events.name("process_name", 0, "corio loop");
    events.name("thread_name", 0, "loop iterations");
    for (std::size_t i = 0; i < lanes_.size(); ++i) events.name("thread_name", i + 1, lanes_[i].name);
    for (const Iteration& it : iterations_) {
      events.complete("iteration", "loop", 0, it.from, it.to, "\"entries\":" + std::to_string(it.entries));
    }
    for (std::size_t i = 0; i < lanes_.size(); ++i) {
      const Lane& lane = lanes_[i];
      Nanos ended = lane.ended.count() < 0 ? end : lane.ended;
      events.complete(lane.name, "task", i + 1, lane.made, ended,
                      "\"end\":" + json_string(lane.how != nullptr ? lane.how : "pending"));
      for (const Wait& w : lane.waits) events.complete(w.what, "wait", i + 1, w.from, w.to.count() < 0 ? end : w.to);
      for (const auto& [from, to] : lane.runs) events.complete("step", "run", i + 1, from, to);
    }
  }
  std::fflush(out);
}

}  // namespace detail
}  // namespace corio
