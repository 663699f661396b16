// @chapter 01
// The event loop: a ready queue of callbacks, a table of watched fds and a
// poller that sleeps until one of them is ready. docs/architecture.md lists
// the phases of one iteration; run_once() follows that list line for line.
#pragma once

#include <sys/types.h>

#include <atomic>  // @since 11
#include <chrono>
#include <coroutine>  // @since 04
#include <cstdint>
#include <cstdio>  // @since 02
#include <exception>
#include <functional>
#include <memory>
#include <optional>  // @since 02
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <corio/errors.hpp>  // @since 02
#include <corio/loop/callback.hpp>
#include <corio/loop/clock.hpp>  // @since 02
#include <corio/loop/detail/ready_queue.hpp>
#include <corio/loop/poller.hpp>
// @before 02: #include <corio/loop/detail/select_poller.hpp>
#include <corio/loop/detail/timers.hpp>    // @since 02
#include <corio/loop/detail/watchers.hpp>  // @since 02

namespace corio {

namespace detail {
struct LoopAccess;
class LoopPart;     // @since 05
class StepWatcher;  // @since 05
class ThreadsPart;  // @since 11
}  // namespace detail

// @since 02
namespace detail {
class TimerCallback;
class Trace;
}  // namespace detail
// @end
// @since 11
class RemoteLoop;
class ThreadPoolExecutor;
// @end

// @since 02
struct LoopOptions {
  std::optional<PollerKind> poller = std::nullopt;  // unset: CORIO_POLLER, else epoll
  std::optional<ClockKind> clock = std::nullopt;    // unset: CORIO_CLOCK, else real
  std::optional<bool> debug = std::nullopt;         // unset: CORIO_DEBUG, else off  // @since 11
  double slow_callback_duration = 0.1;              // seconds: debug mode reports a step this slow  // @since 11
};

class TimerHandle;
// @end

// What the loop's exception handler is given: asyncio's context dict, for
// an error nobody can catch any more.
struct ExceptionContext {
  ExceptionContext(std::string what, std::exception_ptr error = nullptr)
      : message(std::move(what)), exception(std::move(error)) {}

  std::string message;           // 'message': "Exception in callback", ...
  std::exception_ptr exception;  // 'exception': the error itself, or null
  Handle handle;                 // 'handle': the callback it escaped from, if it did
  const void* future = nullptr;  // 'future'/'task': its state(), for identity only, during the call  // @since 03
  // @since 05
  std::string task_name;  // 'task': its get_name(); empty for a plain future
  std::string coroutine;  // the task's coroutine function
  // @end
};
class Loop;
// asyncio's handler(loop, context).
using ExceptionHandler = std::function<void(Loop& loop, const ExceptionContext& context)>;

// @since 03
namespace detail {
// Lists a loop among the live ones while it exists: a future that outlives
// its loop then reports to the default handler instead.
class LiveLoop {
 public:
  explicit LiveLoop(const Loop* loop);
  ~LiveLoop();
  LiveLoop(const LiveLoop&) = delete;
  LiveLoop& operator=(const LiveLoop&) = delete;

 private:
  const Loop* loop_;
};
bool loop_alive(const Loop* loop);
}  // namespace detail
// @end

class Loop {
 public:
  // @before 02: Loop();
  explicit Loop(LoopOptions options = {});  // @since 02
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  // Runs f on a later iteration, after everything already queued (FIFO).
  template <class F>
  Handle call_soon(F f) {
    check_thread("call_soon");
    auto* cb = new detail::CallbackFn<F>(std::move(f));
    ready_.push(detail::ReadyEntry(cb));
    return Handle(cb);
  }

  // Runs f (again on every iteration) while fd is readable / writable. A
  // second add_reader for the same fd replaces the first callback. A regular
  // file is refused (InvalidArgument): it is always ready. An fd closed while
  // watched is found at the loop's next poll or within about a second: its
  // callbacks are dropped, unrun, with a diagnostic naming it.
  template <class F>
  void add_reader(int fd, F f) {
    FileId file = check_fd("add_reader", fd);
    watch(fd, detail::kReadable, new detail::CallbackFn<F>(std::move(f)), file);
  }
  template <class F>
  void add_writer(int fd, F f) {
    FileId file = check_fd("add_writer", fd);
    watch(fd, detail::kWritable, new detail::CallbackFn<F>(std::move(f)), file);
  }
  // True when a callback was removed.
  bool remove_reader(int fd);
  bool remove_writer(int fd);

  // @since 02
  // The loop's clock in seconds. Virtual loops start at 0.0.
  double time() const;
  template <class F>
  TimerHandle call_later(double delay, F f);
  template <class F>
  TimerHandle call_at(double when, F f);
  const char* poller_name() const { return poller_->name(); }
  bool virtual_clock() const { return clock_->is_virtual(); }
  // Writes one line per iteration to out, the loop explaining itself
  // (detail/trace.hpp); null turns it off. CORIO_TRACE=1 in the
  // environment turns it on, to stdout, for every loop.
  void set_trace(std::FILE* out);
  std::FILE* get_trace() const;
  // @end

  // Runs iterations until stop() is called. stop() before run_forever()
  // still lets one iteration run, as in asyncio.
  void run_forever();
  void stop() { stopping_ = true; }
  bool is_running() const { return running_; }
  // Tells apart loops that lived at the same address one after another (a
  // loop is often a local of run()): what is bound to a loop keeps both.
  std::uint16_t stamp() const { return stamp_; }
  // One iteration: poll, dispatch, run what is ready (docs/architecture.md).
  void run_once();

  // asyncio's exception handler: where an error escaping a callback, and
  // (from chapter 03 on) an exception never retrieved, goes. An empty
  // handler restores the default, which writes one line to the diagnostic
  // sink (diagnostics.hpp); get_exception_handler() is empty then.
  void set_exception_handler(ExceptionHandler handler) { exception_handler_ = std::move(handler); }
  const ExceptionHandler& get_exception_handler() const { return exception_handler_; }
  static void default_exception_handler(const ExceptionContext& context);
  // The handler, or the default; an error escaping the handler is reported
  // by the default, with the context it was given.
  void call_exception_handler(const ExceptionContext& context);

  // @since 04
  // asyncio's run_until_complete, for code that keeps its own loop (run.hpp).
  template <class A>
  auto run_until_complete(A&& aw);
  // @end

  // @since 11
  // Runs f on the loop's thread, called from any thread (inbox.hpp): the
  // loop's wake fd wakes it if it sleeps. No Handle, unlike call_soon.
  template <class F>
  void call_soon_threadsafe(F f) {
    post_threadsafe(new detail::CallbackFn<F>(std::move(f)));
  }
  // This loop as other threads may use it, for as long as they like.
  RemoteLoop remote() const;
  // Where run_in_executor(nullptr, ...) and to_thread run: made on first
  // use. shutdown_default_executor() lets its queued jobs run and joins its
  // threads (blocking this thread); the loop's destructor does it too. After
  // it, default_executor() throws RuntimeError.
  ThreadPoolExecutor& default_executor();
  void shutdown_default_executor();
  // Debug mode (asyncio's): every callback or coroutine step that runs for
  // slow_callback_duration seconds or more, on the real steady clock, is
  // reported as "Executing <what> took 0.153 seconds".
  bool get_debug() const { return debug_; }
  void set_debug(bool on) { debug_ = on; }
  double slow_callback_duration() const;
  void set_slow_callback_duration(double seconds);
  // For the objects bound to this loop (futures, events, semaphores): throws
  // RuntimeError, naming what, when called from another thread than the
  // loop's own.
  void check_owner_thread(const char* what) const {
    if (std::this_thread::get_id() != owner_) refuse_foreign_thread(what);
  }
  // @end

 private:
  // Which open file an fd named when it was watched: a number closed and
  // reused by another file is not the file the callbacks were given.
  struct FileId {
    dev_t dev = 0;
    ino_t ino = 0;
    bool operator==(const FileId&) const = default;
  };
  struct Watch {
    detail::Callback* reader = nullptr;
    detail::Callback* writer = nullptr;
    FileId file;
    unsigned mask() const { return (reader ? detail::kReadable : 0u) | (writer ? detail::kWritable : 0u); }
  };
  // The poller is asked only every kPollEvery iterations while callbacks are
  // queued (a system call per step would cap a yield near 1 us), and every
  // time the ready queue is empty. Tokio uses 61; so do we.
  static constexpr unsigned kPollEvery = 61;

  static std::uint16_t next_stamp();
  void check_thread(const char* what) const;
  FileId check_fd(const char* what, int fd) const;
  void watch(int fd, unsigned side, detail::Callback* cb, FileId file);
  bool unwatch(int fd, unsigned side);
  detail::PollTimeout audit_fds(detail::PollTimeout timeout);
  bool poll_fds(detail::PollTimeout timeout);
  void audit_now_and_then();
  std::size_t drop_closed_fds();
  std::size_t drop_closed_fds(std::size_t& slot, std::size_t most);
  detail::PollTimeout poll_timeout() const;
  bool should_poll(detail::PollTimeout timeout);
  void dispatch_fired();
  void advance_virtual_clock();  // @since 02
  void move_due_timers();        // @since 02
  void run_ready();
  inline void run_entry(detail::ReadyEntry r);  // defined in loop.cpp, its only user
  // @since 02
  void run_ready_observed();
  void observe();
  // @end
  void run_callback(detail::Callback* cb);
  // @since 04
  // sleep(0)'s shortcut (sleep.hpp): true when the iteration a yield would
  // wait for would do nothing but resume the yielder, so that it may go on
  // at once. Only under run_forever, not in a run_once called by hand;
  // nothing else ready, no stop asked for, nobody watching the iterations,
  // no timer due, and (with an fd watched) no poll due.
  bool lone_yield() const {
    if (!ready_.empty() || !running_ || stopping_ || (detail::kWatchers && observed_)) return false;
    if (!timers_.empty() && timers_.top()->when() <= clock_->now()) return false;
    if (debug_ || has_mail_->load(std::memory_order_acquire)) return false;  // @since 11
    return watched_ == 0 || since_poll_ + 1 < kPollEvery;
  }
  // The yielder goes on: that counts as the iteration's turn, as should_poll
  // counts it.
  void yield_in_place() {
    if (watched_ != 0) ++since_poll_;
  }
  // @end
  // @since 11
  void post_threadsafe(detail::Callback* cb) const;  // inbox.cpp
  void attach_threads();
  void settle_threads() noexcept;
  bool threads_quiet() const;
  [[noreturn]] void refuse_foreign_thread(const char* what) const;
  // @end

  detail::ReadyQueue ready_;
  std::vector<Watch> watches_;  // indexed by fd
  std::size_t watched_ = 0;     // fds with any interest
  std::vector<detail::Fired> fired_;
  // @before 02: std::unique_ptr<detail::SelectPoller> poller_;
  std::unique_ptr<detail::Poller> poller_;       // @since 02
  std::unique_ptr<detail::Clock> clock_;         // @since 02
  detail::TimerHeap timers_;                     // @since 02
  std::unique_ptr<detail::Trace> trace_;         // @since 02: null unless tracing
  bool observed_ = false;                        // @since 02: a trace or a step watcher is set
  std::unique_ptr<detail::LoopPart> tasks_;      // @since 05
  detail::StepWatcher* step_watcher_ = nullptr;  // @since 05: null unless a timeline records
  // @since 11
  std::shared_ptr<detail::ThreadsPart> threads_;
  const std::atomic<bool>* has_mail_;  // threads_'s flag, or one never set
  int wake_fd_ = -1;
  bool debug_ = false;
  detail::Nanos slow_callback_duration_{0};
  // @end
  // @since 12
  // Chapter 12's open transports (streams/transport.cpp), made by the first
  // transport: each is closed, and reported, when the loop goes.
  std::unique_ptr<detail::LoopPart> transports_;
  // @end
  // @since 14
  // Chapter 14's signal handlers (signals/signals.cpp), made by the first
  // add_signal_handler and closed first of all with the loop; and how many
  // of them keep an idle loop waiting for their signal.
  std::unique_ptr<detail::LoopPart> signals_;
  std::size_t awaited_signals_ = 0;
  // @end
  ExceptionHandler exception_handler_;
  detail::LiveLoop live_{this};  // @since 03
  std::thread::id owner_;
  unsigned since_poll_ = 0;                             // iterations since the poller was last asked
  std::chrono::steady_clock::time_point next_audit_{};  // when audit_fds checks its next slice of watched fds
  unsigned busy_polls_ = 0;                             // polls that did not wait (audit_now_and_then)
  std::size_t audit_slot_ = 0;                          // the watches_ slot that slice starts at
  bool in_run_once_ = false;
  bool stopping_ = false;
  bool running_ = false;
  std::uint16_t stamp_ = next_stamp();
  friend struct detail::LoopAccess;
  // @since 02
  friend class TimerHandle;
  friend class detail::TimerCallback;
  friend class detail::Trace;
  // @end
};

namespace detail {
// @since 05
// A layer's own state in a loop (chapter 05's task list), made by that
// layer's hook with the loop, closed and destroyed with it.
class LoopPart {
 public:
  virtual ~LoopPart() = default;
  // At the loop's close, before anything the loop holds is dropped.
  virtual void close() noexcept = 0;
};

// Told of each entry phase 6 runs, while one is set (chapter 05's timeline,
// tasks/timeline.hpp). Without one, run_ready pays a test of a pointer per
// iteration, and nothing per entry.
class StepWatcher {
 public:
  virtual void before(ReadyEntry r) = 0;
  virtual void after() = 0;
  virtual void iteration(std::size_t) {}  // @since 14: phase 6 begins, with this many entries

 protected:
  ~StepWatcher() = default;
};
// @end

// @since 11
// Chapter 11's part of a loop, other threads' way in (inbox.hpp), plugged in
// as asyncio's self-pipe is: one more fd the poller watches, outside the
// watch table (so it never keeps an idle loop from saying it would wait
// forever), and what the loop asks of it at each iteration and at close.
class ThreadsPart {
 public:
  virtual ~ThreadsPart() = default;
  // The fd the poller watches for reading: readable when something is posted.
  virtual int fd() const = 0;
  // Posted and not yet delivered: read at every iteration, a load, no call.
  const std::atomic<bool>& has_mail() const { return has_mail_; }
  // Moves what was posted to the ready queue and empties the wake fd.
  virtual void deliver(ReadyQueue& ready) = 0;
  // Nothing posted and no work in flight: only then may an idle loop say it
  // would wait forever, or a virtual clock jump.
  virtual bool quiet() = 0;
  // At close: begin_close() starts what ends the work in flight (the
  // default executor's shutdown); the loop runs what is posted while
  // work_in_flight() is not 0, sleeping in wait_for_mail(); end_close()
  // refuses posts from then on and drops what was posted unrun.
  virtual void begin_close() noexcept = 0;
  virtual std::size_t work_in_flight() = 0;
  virtual void wait_for_mail() = 0;
  virtual void end_close() noexcept = 0;

 protected:
  std::atomic<bool> has_mail_{false};
};
// @end

// @since 03
// What the layers above the loop core (loop, clocks, timers, pollers, ready
// queue: chapters 01-02) plug into every loop. Each layer fills its hooks
// from its own .cpp as the program starts, and a layer's .cpp is linked in
// whenever a program uses the layer; so the core names none of their types
// and builds, runs and is tested without them. (A loop made before main()
// starts may find them empty.)
struct LoopHooks {
  // At close, after the tasks: drop the done-callbacks still waiting on
  // futures that can no longer complete (future.cpp).
  void (*drop_done_callbacks)(Loop& loop) = nullptr;
  // @end
  // @since 05
  // The task layer's part of a new loop: its list of live tasks (task.cpp).
  std::unique_ptr<LoopPart> (*make_task_list)(Loop& loop) = nullptr;
  // @end
  // @since 09
  // Runs a ready entry that is a task's step (task.cpp).
  void (*step_task)(void* task) = nullptr;
  // @end
  // @since 11
  // Names a task's step for debug mode's report (task.cpp).
  std::string (*describe_task)(const void* task) = nullptr;
  // Other threads' way into a new loop: its inbox and wake fd (inbox.cpp).
  std::shared_ptr<ThreadsPart> (*make_threads)(const Loop& loop) = nullptr;
  // @end
};                            // @since 03
extern LoopHooks loop_hooks;  // @since 03

// The loop's hooks for the rest of the runtime, kept out of Loop's own
// surface (which is asyncio's loop API): what asyncio's futures, tasks and
// timers reach through the loop's underscore methods.
struct LoopAccess {
  // The slot of the ready queue the next entry takes: what a test reads to
  // see that a round's last entry rewound the queue it emptied (run_ready).
  static std::size_t next_ready_slot(const Loop& loop) { return loop.ready_.next_slot(); }
  // @since 03
  // For the futures of this library: run cb on the next iteration (the
  // queue takes over the caller's reference).
  static void schedule(Loop& loop, Callback* cb) { loop.ready_.push(ReadyEntry(cb)); }
  // @end
  // @since 04
  // For the awaiters of this library: resume h on the next iteration.
  static void schedule(Loop& loop, std::coroutine_handle<> h) { loop.ready_.push(ReadyEntry(h)); }
  // For awaiters: queue a waker, what park() returned.
  static void schedule(Loop& loop, ReadyEntry r) { loop.ready_.push(r); }
  // For sleep(0): may the yielder go on at once (Loop::lone_yield)? And it
  // does.
  static bool lone_yield(const Loop& loop) { return loop.lone_yield(); }
  static void yield_in_place(Loop& loop) { loop.yield_in_place(); }
  // For the fd awaiters: whether a callback watches fd on side (kReadable
  // or kWritable), which a second waiter would replace.
  static bool watching(const Loop& loop, int fd, unsigned side) {
    return fd >= 0 && static_cast<std::size_t>(fd) < loop.watches_.size() &&
           (loop.watches_[static_cast<std::size_t>(fd)].mask() & side) != 0;
  }
  // @end
  // @since 02
  // For timer nodes that live elsewhere (chapter 04's sleep keeps its node
  // inside the sleeping coroutine's frame).
  static Nanos now(const Loop& loop) { return loop.clock_->now(); }
  static void add_timer(Loop& loop, TimerNode* node, Nanos when) { loop.timers_.push(node, when); }
  static void remove_timer(Loop& loop, TimerNode* node) {
    if (node->scheduled()) loop.timers_.remove(node);
  }
  // @end
  // @since 05
  static LoopPart& tasks(Loop& loop) { return *loop.tasks_; }
  static void watch_steps(Loop& loop, StepWatcher* watcher) {
    loop.step_watcher_ = watcher;
    loop.observe();
  }
  // @end
  // @since 09
  // Timers still armed (call_later handles and sleeping coroutines): what a
  // test reads to see that a cancelled sleep took its timer with it.
  static std::size_t timers_armed(const Loop& loop) { return loop.timers_.size(); }
  // @end
  // @since 11
  // The loop's part for other threads, which its RemoteLoops share.
  static const std::shared_ptr<ThreadsPart>& threads(const Loop& loop) { return loop.threads_; }
  // @end
  // @since 12
  // The transports' part of a loop: null until the first transport.
  static std::unique_ptr<LoopPart>& transports(Loop& loop) { return loop.transports_; }
  // @end
  // @since 14
  // The signals layer's part of a loop (null until its first handler), and
  // its count of handlers an idle loop waits for rather than saying it would
  // wait forever.
  static std::unique_ptr<LoopPart>& signals(Loop& loop) { return loop.signals_; }
  static std::size_t& awaited_signals(Loop& loop) { return loop.awaited_signals_; }
  // @end
};
}  // namespace detail

namespace detail {
// The loop running on this thread, or null: read inline on every await.
extern constinit thread_local Loop* current_loop;
[[noreturn, gnu::cold]] void refuse_no_loop();
inline Loop* running_loop() { return current_loop; }
}  // namespace detail

// The loop running on this thread; throws RuntimeError when there is none
// (asyncio's "no running event loop").
inline Loop& get_running_loop() {
  if (detail::current_loop == nullptr) [[unlikely]]
    detail::refuse_no_loop();
  return *detail::current_loop;
}

// @since 02
namespace detail {
// A call_later callback: a Callback that also sits in the timer heap. The
// heap's reference moves to the ready queue when the timer fires.
class TimerCallback : public Callback, public TimerNode {
 public:
  explicit TimerCallback(Loop* loop) : TimerNode(&on_fire), loop_(loop) {}
  void unschedule() {
    if (!scheduled()) return;
    loop_->timers_.remove(this);
    release();
  }

 private:
  static void on_fire(TimerNode* self) {
    auto* me = static_cast<TimerCallback*>(self);
    me->loop_->ready_.push(detail::ReadyEntry(me));
  }
  Loop* loop_;
};

template <class F>
class TimerCallbackFn final : public TimerCallback {
 public:
  TimerCallbackFn(Loop* loop, F f) : TimerCallback(loop), f_(std::move(f)) {}

 private:
  void invoke() override { f_(); }
  F f_;
};
}  // namespace detail

// What call_later and call_at return. cancel() takes the timer out of the
// heap at once.
class TimerHandle : public Handle {
 public:
  TimerHandle() = default;
  explicit TimerHandle(detail::TimerCallback* cb) : Handle(cb) {}
  void cancel() {
    if (!callback()) return;
    callback()->cancel();
    timer()->unschedule();
  }
  // The deadline in the loop's seconds. An empty handle (default-constructed
  // or moved from) has none: RuntimeError. (Its cancel() does nothing, as
  // Handle's does.)
  double when() const {
    if (!callback()) {
      throw RuntimeError(
          "TimerHandle::when: this TimerHandle is empty (default-constructed or moved from): no timer "
          "is behind it");
    }
    return std::chrono::duration<double>(timer()->when()).count();
  }

 private:
  detail::TimerCallback* timer() const { return static_cast<detail::TimerCallback*>(callback()); }
};

template <class F>
TimerHandle Loop::call_at(double when, F f) {
  check_thread("call_at");
  detail::Nanos deadline = detail::to_nanos(when, "call_at");
  auto* cb = new detail::TimerCallbackFn<F>(this, std::move(f));
  timers_.push(cb, deadline);
  return TimerHandle(cb);
}

template <class F>
TimerHandle Loop::call_later(double delay, F f) {
  check_thread("call_later");
  detail::Nanos deadline = detail::deadline_after(clock_->now(), detail::to_nanos(delay, "call_later"));
  auto* cb = new detail::TimerCallbackFn<F>(this, std::move(f));
  timers_.push(cb, deadline);
  return TimerHandle(cb);
}
// @end

}  // namespace corio
