// @chapter 02
#include <corio/loop/detail/trace.hpp>

#include <chrono>
#include <cstdlib>
#include <string>
#include <string_view>

#include <corio/loop/loop.hpp>

namespace corio::detail {

namespace {

double seconds(Nanos t) { return std::chrono::duration<double>(t).count(); }

// "1 callback", "2 callbacks", appended after a ", " when text is not empty.
void count(std::string& text, std::size_t n, const char* what) {
  if (n == 0) return;
  if (!text.empty()) text += ", ";
  text += std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

}  // namespace

bool trace_from_env() {
  static const bool on = [] {
    const char* value = std::getenv("CORIO_TRACE");
    return value != nullptr && *value != '\0' && std::string_view(value) != "0";
  }();
  return on;
}

void Trace::chose(const Loop& loop, PollTimeout timeout) {
  ++iteration_;
  timeout_ = timeout;
  started_ = loop.clock_->now();
  queued_ = loop.ready_.size();
  after_poll_ = queued_;
  polled_ = false;
}

void Trace::polled(const Loop& loop) {
  polled_ = true;
  after_poll_ = loop.ready_.size();
  std::string fds;
  for (const Fired& f : loop.fired_) {
    if (!fds.empty()) fds += ", ";
    fds += "fd " + std::to_string(f.fd);
    if (f.events & kReadable) fds += " readable";
    if ((f.events & kReadable) && (f.events & kWritable)) fds += " and";
    if (f.events & kWritable) fds += " writable";
  }
  std::snprintf(fds_, sizeof fds_, "%s", fds.empty() ? "nothing" : fds.c_str());
}

void Trace::runs(const Loop& loop) {
  Nanos now = loop.clock_->now();
  // Why phase 1 chose this timeout (poll_timeout, in the same order).
  std::string timeout;
  char buf[64];
  if (timeout_.count() > 0) {
    std::snprintf(buf, sizeof buf, "%.3f s (next timer)", seconds(timeout_));
    timeout = buf;
  } else if (timeout_.count() < 0) {
    timeout = loop.watched_ == 0 ? "none (until another thread posts)" : "none (until an fd is ready)";
  } else if (queued_ != 0) {
    timeout = "0 (" + std::to_string(queued_) + " ready)";
  } else if (loop.stopping_) {
    timeout = "0 (stop asked)";
  } else if (loop.clock_->is_virtual()) {
    timeout = "0 (virtual clock: no real wait)";
  } else {
    timeout = "0 (a timer is due)";
  }
  std::string line = "#" + std::to_string(iteration_) + " timeout " + timeout;
  line += polled_ ? std::string("; polled: ") + fds_ : std::string("; not polled");
  if (loop.clock_->is_virtual() && now != started_) {
    std::snprintf(buf, sizeof buf, "; clock jumps to %.3f", seconds(now - origin_));
    line += buf;
  }
  std::size_t due = loop.ready_.size() - after_poll_;
  if (due != 0) line += "; " + std::to_string(due) + (due == 1 ? " timer due" : " timers due");
  // What phase 6 is about to run.
  std::size_t callbacks = 0;
  std::size_t coroutines = 0;  // @since 04
  std::size_t steps = 0;       // @since 09
  for (std::size_t i = 0; i < loop.ready_.size(); ++i) {
    [[maybe_unused]] ReadyEntry r = loop.ready_.peek(i);  // a callback until chapter 04
    std::size_t* n = &callbacks;
    if (r.is_coroutine()) n = &coroutines;  // @since 04
    if (r.is_task()) n = &steps;            // @since 09
    ++*n;
  }
  std::string ran;
  count(ran, callbacks, "callback");
  count(ran, coroutines, "coroutine step");  // @since 04
  count(ran, steps, "task step");            // @since 09
  line += "; ran " + (ran.empty() ? std::string("nothing") : ran);
  std::fprintf(out_, "[trace %.3f] %s\n", seconds(now - origin_), line.c_str());
}

}  // namespace corio::detail
