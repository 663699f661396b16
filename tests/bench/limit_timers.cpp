// @chapter 05
// The limit beside workload C in `make bench` (row CL): C's work done by the
// least loop that can do it, written here for the purpose and using nothing
// of corio. What it reads is the most a runtime with frames from malloc, in
// small pages, could make of C there; C's targets were set on another
// machine, as figures a little above what such a loop read on it.
//
// The loop has a ready list, a binary heap of timers and a clock, and
// nothing else: no cancellation, no trace, no task registry, no result
// that can be an exception, no file descriptors (it waits with
// clock_nanosleep). A task is a coroutine started on the ready list; its
// awaiter is resumed straight from the task's final suspend. Frames come
// from operator new. As corio_bench C, the program makes 100,000 tasks that
// sleep d_i ms, awaits them one by one in creation order, does that twice
// (a cold pass, then a warm one) and prints
// `CL cold_over_ms=.. warm_over_ms=.. peak_rss_kib=..`.
// Exit status: 0 right, 1 wrong, 2 usage.
#include <sys/resource.h>

#include <algorithm>
#include <coroutine>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <utility>
#include <vector>

#include "timer_delays.hpp"
#include "warm_memory.hpp"

namespace {

long long now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
}

struct Timer {
  long long when;
  long long order;  // timers due at the same instant run in the order they were set
  std::coroutine_handle<> waiter;
};

// The later timer is the lesser, so that the heap's top is the earliest.
bool later(const Timer& a, const Timer& b) { return a.when != b.when ? a.when > b.when : a.order > b.order; }

struct BareLoop {
  std::vector<std::coroutine_handle<>> ready;
  std::vector<std::coroutine_handle<>> running;
  std::vector<Timer> timers;
  long long timers_set = 0;

  void call_at(long long when, std::coroutine_handle<> h) {
    timers.push_back({when, timers_set++, h});
    std::push_heap(timers.begin(), timers.end(), later);
  }

  // Until nothing is ready and no timer is set: run what is ready, then
  // sleep until the earliest timer and make every due timer's waiter ready.
  void run() {
    while (!ready.empty() || !timers.empty()) {
      running.swap(ready);
      for (std::coroutine_handle<> h : running) h.resume();
      running.clear();
      if (!ready.empty() || timers.empty()) continue;
      long long due = timers.front().when;
      timespec ts{static_cast<time_t>(due / 1'000'000'000), static_cast<long>(due % 1'000'000'000)};
      while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) != 0) {
      }
      long long t = now_ns();
      while (!timers.empty() && timers.front().when <= t) {
        std::pop_heap(timers.begin(), timers.end(), later);
        ready.push_back(timers.back().waiter);
        timers.pop_back();
      }
    }
  }
};

BareLoop loop;

// A task of an int: started on the ready list, it resumes its awaiter (if
// one is suspended on it) as it finishes; the handle frees the frame.
struct Task {
  struct promise_type {
    // Declared, so that the promise is not an aggregate: C++20 would build
    // an aggregate from the coroutine's arguments (sleeper's i and ms).
    promise_type() = default;

    int value = 0;
    bool done = false;
    std::coroutine_handle<> awaiter;

    Task get_return_object() { return Task(std::coroutine_handle<promise_type>::from_promise(*this)); }
    std::suspend_always initial_suspend() noexcept { return {}; }
    struct Finish {
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
        promise_type& p = h.promise();
        p.done = true;
        return p.awaiter ? p.awaiter : std::noop_coroutine();
      }
      void await_resume() noexcept {}
    };
    Finish final_suspend() noexcept { return {}; }
    void return_value(int v) { value = v; }
    void unhandled_exception() { std::terminate(); }
  };

  explicit Task(std::coroutine_handle<promise_type> h) : frame(h) { loop.ready.push_back(h); }
  Task(Task&& other) noexcept : frame(std::exchange(other.frame, nullptr)) {}
  Task& operator=(Task&&) = delete;
  ~Task() {
    if (frame) frame.destroy();
  }

  struct Awaiter {
    promise_type& p;
    bool await_ready() const { return p.done; }
    void await_suspend(std::coroutine_handle<> h) const { p.awaiter = h; }
    int await_resume() const { return p.value; }
  };
  Awaiter operator co_await() const { return {frame.promise()}; }

  std::coroutine_handle<promise_type> frame;
};

struct Sleep {
  long long ns;
  bool await_ready() const { return false; }
  void await_suspend(std::coroutine_handle<> h) const { loop.call_at(now_ns() + ns, h); }
  void await_resume() const {}
};

Task sleeper(int i, int ms) {
  co_await Sleep{ms * 1'000'000LL};
  co_return i;
}

constexpr int kTimerTasks = 100'000;
constexpr int kIdealMs = 100;

[[noreturn]] void fail(const char* what, long long got, long long want) {
  std::fprintf(stderr, "limit_timers: CHECK FAILED: %s is %lld, expected %lld\n", what, got, want);
  std::exit(1);
}

// One pass; its wall time, in ms, goes to *ms.
Task timer_pass(const std::vector<int>& delays, double* ms) {
  long long t0 = now_ns();
  std::vector<Task> tasks;
  tasks.reserve(kTimerTasks);
  for (int i = 0; i < kTimerTasks; ++i) tasks.push_back(sleeper(i, delays[i]));
  long long sum = 0;
  for (Task& t : tasks) sum += co_await t;
  long long t1 = now_ns();
  if (sum != 1LL * kTimerTasks * (kTimerTasks - 1) / 2)
    fail("the sum of results", sum, 1LL * kTimerTasks * (kTimerTasks - 1) / 2);
  *ms = (t1 - t0) / 1e6;
  co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || std::strcmp(argv[1], "CL") != 0) {
    std::fprintf(stderr, "usage: limit_timers CL\n");
    return 2;
  }
  keep_freed_memory();
  std::vector<int> delays = timer_delays(kTimerTasks);
  const int first[] = {94, 16, 99, 7, 60};
  for (int i = 0; i < 5; ++i)
    if (delays[i] != first[i]) fail("a first delay", delays[i], first[i]);
  double cold_ms = 0;
  double warm_ms = 0;
  {
    Task pass = timer_pass(delays, &cold_ms);
    loop.run();
  }
  {
    Task pass = timer_pass(delays, &warm_ms);
    loop.run();
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("CL cold_over_ms=%g warm_over_ms=%g peak_rss_kib=%ld cold_wall_ms=%g warm_wall_ms=%g\n",
              cold_ms - kIdealMs, warm_ms - kIdealMs, ru.ru_maxrss, cold_ms, warm_ms);
  return 0;
}
