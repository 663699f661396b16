// @chapter 05
#include <corio/tasks/timeline.hpp>

#include <algorithm>
#include <chrono>
#include <cerrno>   // @since 14
#include <cmath>
#include <cstdlib>
#include <cstring>  // @since 14
#include <memory>
#include <string_view>
#include <utility>

#include <corio/loop/diagnostics.hpp>  // @since 14
#include <corio/tasks/coro.hpp>
#include <corio/tasks/detail/task_list.hpp>

namespace corio {

void record_timeline(Loop& loop, std::FILE* out) { detail::task_list(loop).record_timeline(loop, out); }

namespace detail {

constinit thread_local Timeline* timeline_now = nullptr;

ReadyEntry timeline_waits(std::coroutine_handle<> h, const char* what, const FutureCore* awaited) {
  timeline_now->waits(h, what, awaited);
  return ReadyEntry(h);
}

bool timeline_from_env() {
  static const bool on = [] {
    const char* value = std::getenv("CORIO_TIMELINE");
    return value != nullptr && *value != '\0' && std::string_view(value) != "0";
  }();
  return on;
}

// @since 14
const char* chrome_trace_from_env() {
  static const char* path = [] {
    const char* value = std::getenv("CORIO_CHROME_TRACE");
    return value != nullptr && *value != '\0' ? value : nullptr;
  }();
  return path;
}

void Timeline::iteration(std::size_t entries) {
  if (chrome_path_.empty()) return;
  Nanos t = now();
  iterations_.push_back(Iteration{t, t, entries});
  entries_left_ = entries;
}
// @end

void TaskList::record_timeline(Loop& loop, std::FILE* out) {
  if (timeline_) {
    timeline_->set_out(out);
    return;
  }
  timeline_ = std::make_unique<Timeline>(loop, out);
  LoopAccess::watch_steps(loop, timeline_.get());
}

Timeline::Timeline(Loop& loop, std::FILE* out)
    : loop_(loop), out_(out), origin_(loop.virtual_clock() ? Nanos(0) : LoopAccess::now(loop)) {}

Timeline::~Timeline() { LoopAccess::watch_steps(loop_, nullptr); }

Nanos Timeline::now() const { return LoopAccess::now(loop_) - origin_; }

void Timeline::made(const PromiseBase* task, std::coroutine_handle<> frame) {
  std::string name = task->task_name();
  if (name.starts_with("Task-")) name += std::string(" ") + task->function();
  live_[task] = lanes_.size();
  frames_[frame.address()] = lanes_.size();
  Lane& lane = lanes_.emplace_back();
  lane.name = std::move(name);
  lane.made = now();
}

void Timeline::ended(const PromiseBase* task, bool failed) {
  auto it = live_.find(task);
  if (it == live_.end()) return;
  Lane& lane = lanes_[it->second];
  lane.ended = now();
  lane.how = failed ? "failed" : "done";
  if (task->cancelled()) lane.how = "cancelled";  // @since 09
  live_.erase(it);
}

void Timeline::waits(std::coroutine_handle<> h, const char* what, const FutureCore* awaited) {
  if (current_ == kNone) {
    frames_.erase(h.address());
    return;
  }
  frames_[h.address()] = current_;
  std::string name = what != nullptr ? what : "a future";
  if (awaited != nullptr) {
    auto it = live_.find(awaited);
    if (it != live_.end()) name = "task '" + static_cast<const PromiseBase*>(awaited)->task_name() + "'";
  }
  lanes_[current_].waits.push_back(Wait{now(), Nanos(-1), std::move(name)});
}

void Timeline::before(ReadyEntry r) {
  outer_ = std::exchange(timeline_now, this);
  watch_parks();  // @since 09
  current_ = kNone;
  if (r.is_coroutine()) {
    auto it = frames_.find(r.coroutine().address());
    if (it != frames_.end()) current_ = it->second;
  }
  // @since 09
  if (r.is_task()) {
    auto it = live_.find(static_cast<const PromiseBase*>(r.task()));
    if (it != live_.end()) current_ = it->second;
  }
  // @end
  if (current_ == kNone) return;
  began_ = now();
  Lane& lane = lanes_[current_];
  if (!lane.waits.empty() && lane.waits.back().to.count() < 0) lane.waits.back().to = began_;
}

void Timeline::after() {
  timeline_now = outer_;
  watch_parks();  // @since 09
  if (entries_left_ > 0 && --entries_left_ == 0) iterations_.back().to = now();  // @since 14
  if (current_ == kNone) return;
  lanes_[current_].runs.emplace_back(began_, now());
  current_ = kNone;
}

namespace {

double seconds(Nanos t) { return std::chrono::duration<double>(t).count(); }

std::string fixed(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", value);
  return buf;
}

}  // namespace

void Timeline::print() const {
  // @since 14
  if (!chrome_path_.empty()) {
    if (std::FILE* json = std::fopen(chrome_path_.c_str(), "w")) {
      write_chrome_trace(json);
      std::fclose(json);
    } else {
      report("CORIO_CHROME_TRACE: cannot write the Chrome trace to '" + chrome_path_ + "': " + std::strerror(errno));
    }
  }
  if (out_ == nullptr) return;  // a Chrome trace alone
  // @end
  if (lanes_.empty()) return;
  constexpr int kWidth = 40;  // columns from the first task's start to the end
  Nanos end = now();
  Nanos start = lanes_.front().made;
  double span = seconds(end - start);
  auto column = [&](Nanos t) {
    if (span <= 0) return 0;
    return std::clamp(static_cast<int>(std::lround(seconds(t - start) / span * kWidth)), 0, kWidth);
  };
  std::size_t label = 0;
  for (const Lane& lane : lanes_) label = std::max(label, std::min<std::size_t>(lane.name.size(), 24));
  std::fprintf(out_, "timeline: %zu task%s on the %s clock; # ran, - waited; a column is %s s\n", lanes_.size(),
               lanes_.size() == 1 ? "" : "s", loop_.virtual_clock() ? "virtual" : "real", fixed(span / kWidth).c_str());
  std::string axis(label + 2, ' ');
  for (int c = 0; c <= kWidth; c += 10) {
    std::string mark = fixed(seconds(start) + span * c / kWidth);
    axis += mark;
    if (c < kWidth) axis += std::string(mark.size() < 10 ? 10 - mark.size() : 1, ' ');
  }
  std::fprintf(out_, "%s\n", axis.c_str());
  for (const Lane& lane : lanes_) {
    std::string row(kWidth + 1, ' ');
    for (const Wait& w : lane.waits) {
      Nanos to = w.to.count() < 0 ? end : w.to;
      for (int c = column(w.from); c <= column(to); ++c) row[static_cast<std::size_t>(c)] = '-';
    }
    for (const auto& [from, to] : lane.runs) {
      for (int c = column(from); c <= column(to); ++c) row[static_cast<std::size_t>(c)] = '#';
    }
    // What it waited on, in order of first wait: name, count, seconds.
    std::vector<std::pair<std::string, std::pair<int, Nanos>>> totals;
    for (const Wait& w : lane.waits) {
      Nanos to = w.to.count() < 0 ? end : w.to;
      auto it = std::find_if(totals.begin(), totals.end(), [&](const auto& t) { return t.first == w.what; });
      if (it == totals.end()) it = totals.insert(totals.end(), {w.what, {0, Nanos(0)}});
      ++it->second.first;
      it->second.second += to - w.from;
    }
    std::string notes;
    for (const auto& [what, total] : totals) {
      if (!notes.empty()) notes += ", ";
      notes += what + (total.first > 1 ? " x" + std::to_string(total.first) : "") + " " + fixed(seconds(total.second)) +
               " s";
    }
    if (!notes.empty()) notes += "; ";
    notes += lane.how != nullptr ? std::string(lane.how) + " at " + fixed(seconds(lane.ended)) : "pending at close";
    std::string name = lane.name.substr(0, label);
    std::fprintf(out_, "%-*s  %s  %s\n", static_cast<int>(label), name.c_str(), row.c_str(), notes.c_str());
  }
  std::fflush(out_);
}

}  // namespace detail
}  // namespace corio
