// The whole idea in one page: select(), a ready deque, lazy coroutines, sleep and create_task, without corio
#include <sys/select.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <coroutine>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <map>
#include <optional>
#include <queue>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace mini {

// The loop: what is ready to resume, what waits for a time, what waits for an fd.
class Loop {
 public:
  void call_soon(std::coroutine_handle<> h) { ready_.push_back(h); }
  void call_at(double when, std::coroutine_handle<> h) { timers_.push({when, next_seq_++, h}); }
  void add_reader(int fd, std::coroutine_handle<> h) { readers_[fd] = h; }
  double time() const {
    if (virtual_) return virtual_now_;  // CORIO_CLOCK=virtual, as corio's loop reads it: tests run at once
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

  void run_once() {
    // 1. How long may select() wait? Not at all with work ready; until the next timer; forever.
    double timeout = -1;
    if (!ready_.empty() || (virtual_ && !timers_.empty())) {
      timeout = 0;
    } else if (!timers_.empty()) {
      timeout = std::max(0.0, timers_.top().when - time());
    } else if (readers_.empty()) {
      throw std::runtime_error("the loop would wait forever");
    }
    // 2. Ask the OS which fds are ready.
    fd_set fds;
    FD_ZERO(&fds);
    int max_fd = -1;
    for (const auto& [fd, h] : readers_) FD_SET(fd, &fds), max_fd = std::max(max_fd, fd);
    timeval tv{static_cast<time_t>(timeout), static_cast<suseconds_t>((timeout - static_cast<long>(timeout)) * 1e6)};
    if (::select(max_fd + 1, &fds, nullptr, nullptr, timeout < 0 ? nullptr : &tv) < 0) FD_ZERO(&fds);
    // 3. The coroutines waiting on those fds are ready.
    std::erase_if(readers_,
                  [&](const auto& r) { return FD_ISSET(r.first, &fds) && (ready_.push_back(r.second), true); });
    // 4. A virtual clock with nothing to do jumps to the next deadline.
    if (virtual_ && ready_.empty() && !timers_.empty()) virtual_now_ = timers_.top().when;
    // 5. Due timers, earliest first.
    while (!timers_.empty() && timers_.top().when <= time()) {
      ready_.push_back(timers_.top().h);
      timers_.pop();
    }
    // 6. Resume what is ready now; what they make ready waits for the next iteration.
    for (std::size_t n = ready_.size(); n > 0; --n) {
      std::coroutine_handle<> h = ready_.front();
      ready_.pop_front();
      h.resume();
    }
  }

 private:
  struct Timer {
    double when;
    long seq;  // equal deadlines fire in the order they were set
    std::coroutine_handle<> h;
    bool operator>(const Timer& o) const { return when != o.when ? when > o.when : seq > o.seq; }
  };
  std::deque<std::coroutine_handle<>> ready_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::map<int, std::coroutine_handle<>> readers_;
  long next_seq_ = 0;
  bool virtual_ = std::getenv("CORIO_CLOCK") && std::strcmp(std::getenv("CORIO_CLOCK"), "virtual") == 0;
  double virtual_now_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

inline Loop loop;  // one loop, one thread

template <class T>
struct Result {
  std::optional<T> value;
  void return_value(T v) { value = std::move(v); }
  T get() { return std::move(*value); }
};
template <>
struct Result<void> {
  void return_void() {}
  void get() {}
};

// A lazy coroutine: nothing runs until it is awaited (which starts it at once) or made a task (which
// starts it on the next iteration). At its end it resumes whoever awaits it. Its owner must outlive it.
template <class T = void>
class Coro {
 public:
  struct promise_type : Result<T> {
    std::coroutine_handle<> continuation;  // who awaits this one
    bool started = false;
    std::exception_ptr error;
    Coro get_return_object() { return Coro(std::coroutine_handle<promise_type>::from_promise(*this)); }
    std::suspend_always initial_suspend() noexcept { return {}; }
    struct Final {
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
        auto next = h.promise().continuation;
        return next ? next : std::noop_coroutine();
      }
      void await_resume() noexcept {}
    };
    Final final_suspend() noexcept { return {}; }
    void unhandled_exception() { error = std::current_exception(); }
  };

  explicit Coro(std::coroutine_handle<promise_type> h) : h_(h) {}
  Coro(Coro&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  ~Coro() {
    if (h_) h_.destroy();
  }

  bool done() const { return h_.done(); }
  void start_soon() {
    h_.promise().started = true;
    loop.call_soon(h_);
  }
  bool await_ready() const { return h_.done(); }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) {
    h_.promise().continuation = awaiting;
    if (h_.promise().started) return std::noop_coroutine();  // a task: the loop runs it
    h_.promise().started = true;
    return h_;  // not started: run it now, in place of the one awaiting
  }
  T await_resume() {
    if (h_.promise().error) std::rethrow_exception(h_.promise().error);
    return h_.promise().get();
  }

 private:
  std::coroutine_handle<promise_type> h_;
};

// A task is a coroutine the loop starts (and so runs beside the one that made it).
template <class T>
Coro<T> create_task(Coro<T> c) {
  c.start_soon();
  return c;
}

// Awaiters: a timer, an fd.
struct sleep {
  double seconds;
  bool await_ready() const { return false; }
  void await_suspend(std::coroutine_handle<> h) const { loop.call_at(loop.time() + seconds, h); }
  void await_resume() const {}
};
struct readable {
  int fd;
  bool await_ready() const { return false; }
  void await_suspend(std::coroutine_handle<> h) const { loop.add_reader(fd, h); }
  void await_resume() const {}
};

template <class T>
T run(Coro<T> main) {
  main.start_soon();
  while (!main.done()) loop.run_once();
  return main.await_resume();
}

}  // namespace mini

// A program on it: a ticker, and a reader waiting on a pipe that main writes to.
mini::Coro<int> ticker() {
  for (int i = 1; i <= 3; ++i) {
    co_await mini::sleep{0.1};
    std::printf("%.2f  ticker: tick %d\n", mini::loop.time(), i);
  }
  co_return 3;
}

mini::Coro<std::string> reader(int fd) {
  std::printf("%.2f  reader: waits until select() says the pipe is readable\n", mini::loop.time());
  co_await mini::readable{fd};
  char buf[16] = {};
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  co_return std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
}

mini::Coro<> main_coro() {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  auto ticks = mini::create_task(ticker());
  auto line = mini::create_task(reader(pipe_fds[0]));
  std::printf("%.2f  main: two tasks made; they start on the next iteration\n", mini::loop.time());
  co_await mini::sleep{0.25};
  std::printf("%.2f  main: writes \"hello\" into the pipe\n", mini::loop.time());
  if (::write(pipe_fds[1], "hello", 5) != 5) throw std::runtime_error("write failed");
  std::string got = co_await line;
  std::printf("%.2f  main: the reader read \"%s\"\n", mini::loop.time(), got.c_str());
  int n = co_await ticks;
  std::printf("%.2f  main: the ticker returned %d\n", mini::loop.time(), n);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

int main() { mini::run(main_coro()); }
