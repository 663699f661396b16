// @chapter 01
#include <corio/loop/loop.hpp>

#include <sys/stat.h>

#include <algorithm>  // @since 03
#include <atomic>
#include <cerrno>
#include <mutex>  // @since 03
#include <string>
#include <system_error>
#include <thread>   // @since 11
#include <utility>  // @since 11
#include <vector>   // @since 03

#include <corio/errors.hpp>
#include <corio/loop/detail/trace.hpp>  // @since 02
#include <corio/loop/diagnostics.hpp>

namespace corio {

constinit thread_local Loop* detail::current_loop = nullptr;

detail::LoopHooks detail::loop_hooks;  // @since 03

void detail::refuse_no_loop() { throw RuntimeError("no running event loop"); }

// @before 02: Loop::Loop() : poller_(std::make_unique<detail::SelectPoller>()), owner_(std::this_thread::get_id()) {}
// @since 02
Loop::Loop(LoopOptions options)
    : poller_(detail::make_poller(options.poller ? *options.poller : detail::poller_from_env())),
      clock_(detail::make_clock(options.clock ? *options.clock : detail::clock_from_env())),
      owner_(std::this_thread::get_id()) {
  if (detail::trace_from_env()) set_trace(stdout);
  // @end
  // @since 05
  if (detail::loop_hooks.make_task_list) tasks_ = detail::loop_hooks.make_task_list(*this);
  // @end
  // @since 11
  static const std::atomic<bool> no_mail{false};
  has_mail_ = &no_mail;
  if (detail::loop_hooks.make_threads) attach_threads();
  debug_ = options.debug ? *options.debug : detail::debug_from_env();
  set_slow_callback_duration(options.slow_callback_duration);
  // @end
}  // @since 02

// @since 11
// The wake fd is the poller's alone: it is not a watched fd, so it never
// keeps an idle loop from saying it would wait forever.
void Loop::attach_threads() {
  threads_ = detail::loop_hooks.make_threads(*this);
  // Under select, a process with FD_SETSIZE fds open already gets a wake fd
  // select cannot watch: refused, naming epoll as the fix.
  try {
    poller_->check(threads_->fd());
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(std::string("Loop: the loop's own wake fd cannot be watched, as too many fds are open: ") +
                          e.what());
  }
  poller_->update(threads_->fd(), 0, detail::kReadable);
  wake_fd_ = threads_->fd();
  has_mail_ = &threads_->has_mail();
}
// @end

// Closing: everything the loop still holds is let go.
Loop::~Loop() {
  // @since 14
  // Signals first: from here on none is delivered, and each one's old
  // disposition is back.
  if (signals_) signals_->close();
  // @end
  // @since 11
  // Work on other threads may still use what the tasks below own: it
  // finishes first, and while it does, what other threads post runs; once
  // none is in flight, what is left is dropped unrun.
  if (threads_) settle_threads();
  // @end
  // @since 05
  // Tasks still pending go first, while everything their frames may unhook
  // from still exists; each is reported.
  if (tasks_) tasks_->close();
  // @end
  // @since 12
  // Then the transports still open: their sockets close, each reported.
  if (transports_) transports_->close();
  // @end
  // @since 03
  // Done-callbacks still waiting on futures that can no longer complete go,
  // and what they hold with them (a future of their own, a task's frame).
  if (detail::loop_hooks.drop_done_callbacks) detail::loop_hooks.drop_done_callbacks(*this);
  // @end
  ready_.clear();
  // @since 02
  // Pending timers queue their work, which is dropped with the rest.
  while (!timers_.empty()) timers_.pop()->fire();
  ready_.clear();
  // @end
  for (Watch& w : watches_) {
    if (w.reader) w.reader->release();
    if (w.writer) w.writer->release();
  }
}

std::uint16_t Loop::next_stamp() {
  static std::atomic<std::uint16_t> made{0};
  return made.fetch_add(1, std::memory_order_relaxed);
}

void Loop::check_thread(const char* what) const {
  if (std::this_thread::get_id() == owner_) return;
  throw RuntimeError(std::string("Loop::") + what +
                     " called from a thread that does not own the loop; a loop belongs to the thread that "
                     "created it, and other threads must hand it work through call_soon_threadsafe");
}

Loop::FileId Loop::check_fd(const char* what, int fd) const {
  check_thread(what);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    throw InvalidArgument(std::string(what) + ": fd " + std::to_string(fd) +
                          " is not an open file descriptor; pass an fd from open(), socket() or pipe() "
                          "that has not been closed");
  }
  // epoll refuses these with EPERM and select calls them always ready: both
  // pollers refuse them here alike, as asyncio's epoll selector does.
  if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
    throw InvalidArgument(std::string(what) + ": fd " + std::to_string(fd) + " is a " +
                          (S_ISREG(st.st_mode) ? "regular file" : "directory") +
                          ", which is always ready and cannot be watched; read it directly, or in an executor "
                          "(to_thread) when it may be slow");
  }
  poller_->check(fd);
  return FileId{st.st_dev, st.st_ino};
}

// The poller hears of every add, even one that leaves the mask as it was:
// the fd may name a new file since (closed and reused), which epoll must
// register afresh.
void Loop::watch(int fd, unsigned side, detail::Callback* cb, FileId file) {
  if (static_cast<std::size_t>(fd) >= watches_.size()) watches_.resize(static_cast<std::size_t>(fd) + 1);
  Watch& w = watches_[static_cast<std::size_t>(fd)];
  unsigned before = w.mask();
  try {
    poller_->update(fd, before, before | side);
  } catch (...) {
    cb->release();
    throw;
  }
  w.file = file;
  detail::Callback*& slot = side == detail::kReadable ? w.reader : w.writer;
  // A replaced callback may already be queued by this iteration's poll:
  // cancel it, so it does not run once more after being replaced.
  if (detail::Callback* old = std::exchange(slot, cb)) {
    old->cancel();
    old->release();
  }
  if (before == 0) ++watched_;
}

bool Loop::unwatch(int fd, unsigned side) {
  if (fd < 0 || static_cast<std::size_t>(fd) >= watches_.size()) return false;
  Watch& w = watches_[static_cast<std::size_t>(fd)];
  detail::Callback*& slot = side == detail::kReadable ? w.reader : w.writer;
  if (slot == nullptr) return false;
  unsigned before = w.mask();
  detail::Callback* old = std::exchange(slot, nullptr);
  old->cancel();  // it may be queued already: removed means it never runs again
  old->release();
  if (w.mask() == 0) --watched_;
  poller_->update(fd, before, w.mask());
  return true;
}

// Before a poll: every watched fd is checked once a round, the first round
// at the loop's first poll and the next a second after one ends, and no
// wait outlasts the next check. That is how a loop finds an fd closed
// under it (which epoll drops silently, so the loop would wait forever) or
// closed and reused by another file. A check is an fstat (about 1 us), so
// a round takes kAuditSlice fds at a time, kAuditGap apart: 50,000 fds at
// once would stall the loop for 50 ms.
detail::PollTimeout Loop::audit_fds(detail::PollTimeout timeout) {
  constexpr std::chrono::seconds kAuditEvery{1};
  constexpr std::chrono::milliseconds kAuditGap{25};
  constexpr std::size_t kAuditSlice = 256;
  auto now = std::chrono::steady_clock::now();
  if (now >= next_audit_) {
    std::size_t dropped = drop_closed_fds(audit_slot_, kAuditSlice);
    bool round_done = audit_slot_ >= watches_.size();
    if (round_done) audit_slot_ = 0;
    next_audit_ = now + (round_done ? std::chrono::steady_clock::duration(kAuditEvery) : kAuditGap);
    // With a watched fd gone, the loop may have nothing left to wait for.
    if (dropped != 0 && timeout.count() < 0) timeout = poll_timeout();
  }
  if (watched_ == 0) return timeout;
  auto left = std::chrono::duration_cast<detail::PollTimeout>(next_audit_ - now);
  return timeout.count() < 0 || timeout > left ? left : timeout;
}

// Phase 2. With fds watched, a loop that would wait first asks without
// waiting: on a busy loop some fd is ready already, and that one call is
// all the phase makes, with no clock read. (A wait with a deadline reads
// the clock twice in the kernel, and audit_fds once here: on a 64-byte echo
// over loopback, chapter 12, that was 8 % of a round trip.) Only a loop
// about to sleep audits its fds on the way, and sleeps no longer than the
// next audit; a loop that does not wait (busy, or on a virtual clock) looks
// at the audit's clock at its first poll and every kAuditPolls polls after,
// once the poll is made, so that what the audit drops is not dispatched.
// The price: a loop that does sleep makes two calls.
bool Loop::poll_fds(detail::PollTimeout timeout) {
  fired_.clear();
  if (watched_ == 0) return poller_->poll(timeout, fired_);
  bool ok = poller_->poll(detail::PollTimeout(0), fired_);
  if (timeout.count() == 0 || (ok && !fired_.empty())) {
    if (ok) audit_now_and_then();
    return ok;
  }
  // Nothing ready: the loop will sleep. select refused a closed fd
  // (EBADF): drop it first, and the loop may have nothing left to wait for.
  fired_.clear();
  if (!ok && drop_closed_fds() != 0 && timeout.count() < 0) timeout = poll_timeout();
  return poller_->poll(audit_fds(timeout), fired_);
}

// After a poll that did not wait: the audit's clock, every kAuditPolls-th time.
void Loop::audit_now_and_then() {
  constexpr unsigned kAuditPolls = 64;
  if (busy_polls_++ % kAuditPolls == 0) audit_fds(detail::PollTimeout(0));
}

std::size_t Loop::drop_closed_fds() {
  std::size_t slot = 0;
  return drop_closed_fds(slot, watches_.size());
}

// A watched fd that is no longer open, or now names another file, was
// closed under the loop: its callbacks are dropped unrun (running them
// would read or write whatever file took the number) and reported. Checks
// at most `most` watched fds from `slot` on, and leaves `slot` at the next
// watched fd unchecked (or at the end).
std::size_t Loop::drop_closed_fds(std::size_t& slot, std::size_t most) {
  std::size_t dropped = 0;
  std::size_t checked = 0;
  for (; slot < watches_.size(); ++slot) {
    Watch& w = watches_[slot];
    if (w.mask() == 0) continue;
    if (checked++ == most) break;
    int fd = static_cast<int>(slot);
    struct stat st {};
    bool open = ::fstat(fd, &st) == 0;
    if (open && FileId{st.st_dev, st.st_ino} == w.file) continue;
    std::string sides = w.reader && w.writer ? "its reader and writer" : w.reader ? "its reader" : "its writer";
    unsigned before = w.mask();
    for (detail::Callback* cb : {std::exchange(w.reader, nullptr), std::exchange(w.writer, nullptr)}) {
      if (cb == nullptr) continue;
      cb->cancel();
      cb->release();
    }
    --watched_;
    ++dropped;
    poller_->update(fd, before, 0);
    detail::report("fd " + std::to_string(fd) + " was closed while the loop watched it" +
                   (open ? " (the number now names another file)" : "") + "; the loop dropped " + sides +
                   " unrun: call remove_reader/remove_writer before closing an fd");
  }
  return dropped;
}

bool Loop::remove_reader(int fd) {
  check_thread("remove_reader");
  return unwatch(fd, detail::kReadable);
}

bool Loop::remove_writer(int fd) {
  check_thread("remove_writer");
  return unwatch(fd, detail::kWritable);
}

// @since 02
double Loop::time() const { return std::chrono::duration<double>(clock_->now()).count(); }

void Loop::set_trace(std::FILE* out) {
  check_thread("set_trace");
  detail::Nanos origin = clock_->is_virtual() ? detail::Nanos(0) : clock_->now();
  trace_ = out != nullptr ? std::make_unique<detail::Trace>(out, origin) : nullptr;
  observe();
}

// Phase 6 checks one flag for every watcher.
void Loop::observe() {
  observed_ = trace_ != nullptr;
  if (step_watcher_ != nullptr) observed_ = true;  // @since 05
}

std::FILE* Loop::get_trace() const { return trace_ ? trace_->out() : nullptr; }
// @end

void Loop::run_forever() {
  check_thread("run_forever");
  if (running_) throw RuntimeError("This event loop is already running");
  if (detail::current_loop != nullptr) throw RuntimeError("Cannot run the event loop while another loop is running");
  running_ = true;
  detail::current_loop = this;
  struct Reset {
    Loop* loop;
    ~Reset() {
      loop->running_ = false;
      loop->stopping_ = false;
      detail::current_loop = nullptr;
    }
  } reset{this};
  do {
    run_once();
  } while (!stopping_);
}

// The phases of one iteration, as numbered in docs/architecture.md.
void Loop::run_once() {
  // A callback that runs the loop again would run this iteration's queue
  // from inside itself.
  if (in_run_once_)
    throw RuntimeError("This event loop is already running (run_once called from one of its callbacks)");
  // Nor may another loop's callback: the work of one loop would run inside
  // the other's (from chapter 05 on, a task's step inside another's). Run
  // on its own, an iteration makes its loop the running one while it
  // lasts, as run_forever does.
  if (detail::current_loop != nullptr && detail::current_loop != this)
    throw RuntimeError("Cannot run the event loop while another loop is running (run_once)");
  in_run_once_ = true;
  struct Leave {
    bool& flag;
    bool own;
    ~Leave() {
      flag = false;
      if (own) detail::current_loop = nullptr;
    }
  } leave{in_run_once_, detail::current_loop == nullptr};
  detail::current_loop = this;
  // @since 11
  // 0. What other threads posted (call_soon_threadsafe) joins the ready queue.
  if (has_mail_->load(std::memory_order_acquire)) threads_->deliver(ready_);
  // @end
  // 1. How long may the poller wait?
  detail::PollTimeout timeout = poll_timeout();
  if (detail::kWatchers && trace_) trace_->chose(*this, timeout);  // @since 02
  // 2. Ask the OS which fds are ready, and 3. queue their callbacks.
  if (should_poll(timeout)) {
    // False: select found a closed fd (EBADF), which the audit drops.
    if (!poll_fds(timeout) && drop_closed_fds() == 0) {
      throw std::system_error(EBADF, std::generic_category(), "select: a bad fd the loop does not watch");
    }
    dispatch_fired();
    if (detail::kWatchers && trace_) trace_->polled(*this);  // @since 02
  }
  // @since 02
  // Phases 4 and 5 only with a timer pending: a loop that only yields
  // makes neither call, and never reads the clock.
  if (!timers_.empty()) {
    // 4. On the virtual clock, an idle loop jumps to the next deadline.
    advance_virtual_clock();
    // 5. Move every timer whose deadline has passed to the ready queue.
    move_due_timers();
  }
  // @end
  // 6. Run what is ready now; what that schedules waits for the next round.
  run_ready();
}

// Phase 1: no wait when work is queued or a stop was asked for; until the
// earliest deadline when a timer is pending (chapter 02); otherwise until
// an fd fires.
// @since 11
// While work on other threads is in flight (chapter 11), an idle loop sleeps
// on its wake fd instead: a virtual clock must not jump past deadlines while
// real work goes on, and nothing waits forever while a result is owed.
// @end
detail::PollTimeout Loop::poll_timeout() const {
  if (!ready_.empty() || stopping_) return detail::PollTimeout(0);
  // @since 02
  if (!timers_.empty()) {
    // @before 11: if (clock_->is_virtual()) return detail::PollTimeout(0);
    if (clock_->is_virtual()) return detail::PollTimeout(threads_quiet() ? 0 : -1);  // @since 11
    detail::Nanos left = timers_.top()->when() - clock_->now();
    return left.count() > 0 ? left : detail::PollTimeout(0);
  }
  // @end
  // @before 11: if (watched_ == 0) {
  if (watched_ == 0 && threads_quiet()) {  // @since 11: work in flight will wake the loop
    if (awaited_signals_ != 0) return detail::PollTimeout(-1);  // @since 14: a signal will wake it
    throw RuntimeError(
        "the loop would wait forever: nothing is ready, no timer is pending and no fd is watched, so "
        "nothing can ever wake it (is a coroutine awaiting something nobody will complete?)");
  }
  return detail::PollTimeout(-1);
}

// Phase 2's shortcut: while callbacks are queued, a zero-timeout poll is
// made only every kPollEvery iterations; with nothing queued, always (so a
// virtual clock never jumps past an fd that is ready). Never when no fd is
// watched and there is no reason to wait.
bool Loop::should_poll(detail::PollTimeout timeout) {
  if (timeout.count() == 0 && watched_ == 0) return false;
  if (timeout.count() == 0 && !ready_.empty() && ++since_poll_ < kPollEvery) return false;
  since_poll_ = 0;
  return true;
}

// Phase 3: a fired fd queues its reader and/or its writer, once each.
void Loop::dispatch_fired() {
  for (const detail::Fired& f : fired_) {
    // @since 11
    if (f.fd == wake_fd_) {
      threads_->deliver(ready_);
      continue;
    }
    // @end
    Watch& w = watches_[static_cast<std::size_t>(f.fd)];
    if ((f.events & detail::kReadable) && w.reader) {
      w.reader->retain();
      ready_.push(detail::ReadyEntry(w.reader));
    }
    if ((f.events & detail::kWritable) && w.writer) {
      w.writer->retain();
      ready_.push(detail::ReadyEntry(w.writer));
    }
  }
}

// @since 02
// Phase 4: only a virtual clock moves here, and only when the loop has
// nothing else to do: nothing ready after the poll, and a timer pending.
void Loop::advance_virtual_clock() {
  // @before 11: if (timers_.empty() || !ready_.empty() || !clock_->is_virtual()) return;
  if (timers_.empty() || !ready_.empty() || !clock_->is_virtual() || !threads_quiet()) return;  // @since 11
  clock_->advance_to(timers_.top()->when());
}

// Phase 5: due timers leave the heap in deadline order (ties: in the order
// they were scheduled) and queue their work.
void Loop::move_due_timers() {
  detail::Nanos now = clock_->now();
  while (!timers_.empty() && timers_.top()->when() <= now) timers_.pop()->fire();
}
// @end

// Phase 6: exactly the entries queued before this phase began.
void Loop::run_ready() {
  // @since 02
  if (detail::kWatchers && observed_) {
    run_ready_observed();
    return;
  }
  // @end
  // @since 11
  // Debug mode times each step, there too: this loop, which runs every
  // step of every task, then has no timer to set up and test per entry.
  if (debug_) [[unlikely]] {
    run_ready_observed();
    return;
  }
  // @end
  std::size_t n = ready_.size();
  if (n == 0) return;
  for (; n > 1; --n) run_entry(ready_.pop());
  // The last entry apart: if it leaves the queue empty, the queue starts
  // again at its first slot before the entry runs, so that what the entry
  // queues takes slots already written, not the next ones round the ring.
  detail::ReadyEntry last = ready_.pop();
  ready_.rewind();
  run_entry(last);
}

// One entry, as phase 6 runs it.
void Loop::run_entry(detail::ReadyEntry r) {
  // @since 09
  // A task's step first: from this chapter on, nearly every entry is one.
  if (r.is_task()) return detail::loop_hooks.step_task(r.task());
  // @end
  if (r.is_coroutine()) return r.coroutine().resume();  // @since 04
  run_callback(r.callback());
}

// @since 02
// The same while someone watches: the trace writes its line first, and
// (from chapter 05) a timeline is told of each entry. Apart, so that an
// unwatched loop pays one test per iteration for both.
void Loop::run_ready_observed() {
  if (trace_) trace_->runs(*this);
  if (step_watcher_ != nullptr) step_watcher_->iteration(ready_.size());  // @since 14
  for (std::size_t n = ready_.size(); n > 0; --n) {
    detail::ReadyEntry r = ready_.pop();
    if (n == 1) ready_.rewind();                                   // the last entry, as in run_ready
    detail::StepTimer timer(debug_, slow_callback_duration_, r);  // @since 11
    if (step_watcher_ != nullptr) step_watcher_->before(r);       // @since 05
    run_entry(r);
    if (step_watcher_ != nullptr) step_watcher_->after();  // @since 05
  }
}
// @end

// An exception escaping a callback goes to the exception handler and the
// loop goes on, as asyncio's "Exception in callback" does.
void Loop::run_callback(detail::Callback* cb) {
  try {
    cb->run();
  } catch (...) {
    ExceptionContext context("Exception in callback", std::current_exception());
    context.handle = Handle(cb);
    call_exception_handler(context);
  }
  cb->release();
}

void Loop::default_exception_handler(const ExceptionContext& context) {
  std::string text = context.message;
  // @since 05
  if (!context.task_name.empty()) text += ": task '" + context.task_name + "' (coroutine '" + context.coroutine + "')";
  // @end
  if (context.exception) text += ": " + detail::describe(context.exception);
  detail::report(text);
}

void Loop::call_exception_handler(const ExceptionContext& context) {
  if (!exception_handler_) {
    default_exception_handler(context);
    return;
  }
  try {
    exception_handler_(*this, context);
  } catch (...) {
    default_exception_handler({"Unhandled error in exception handler", std::current_exception()});
    default_exception_handler(context);
  }
}

// @since 03
namespace {
// Every thread's: a loop may be destroyed on another thread than its own.
std::mutex live_loops_mutex;
std::vector<const Loop*> live_loops;
}  // namespace

detail::LiveLoop::LiveLoop(const Loop* loop) : loop_(loop) {
  std::lock_guard<std::mutex> lock(live_loops_mutex);
  live_loops.push_back(loop);
}

detail::LiveLoop::~LiveLoop() {
  std::lock_guard<std::mutex> lock(live_loops_mutex);
  std::erase(live_loops, loop_);
}

bool detail::loop_alive(const Loop* loop) {
  std::lock_guard<std::mutex> lock(live_loops_mutex);
  return std::find(live_loops.begin(), live_loops.end(), loop) != live_loops.end();
}
// @end

// @since 11
void Loop::refuse_foreign_thread(const char* what) const {
  throw RuntimeError(std::string(what) +
                     ": Non-thread-safe operation invoked on an event loop other than the current one (this "
                     "object belongs to a loop of another thread); hand the call to that loop's thread with "
                     "call_soon_threadsafe");
}

// At close: the work in flight ends (the default executor's threads are
// joined), and the loop waits until none is left. Meanwhile what other
// threads post runs here, as asyncio.run keeps its loop running while the
// default executor shuts down: a job that posts a call back and waits for
// it would otherwise wait for a loop that waits for it. Then what is still
// posted is dropped unrun, and posting is refused.
void Loop::settle_threads() noexcept {
  threads_->begin_close();
  Loop* outer = std::exchange(detail::current_loop, this);
  detail::ReadyQueue posted;
  while (threads_->work_in_flight() != 0) {
    threads_->wait_for_mail();
    threads_->deliver(posted);
    while (!posted.empty()) run_callback(posted.pop().callback());
  }
  detail::current_loop = outer;
  threads_->end_close();
}

bool Loop::threads_quiet() const { return !threads_ || threads_->quiet(); }

double Loop::slow_callback_duration() const { return std::chrono::duration<double>(slow_callback_duration_).count(); }

void Loop::set_slow_callback_duration(double seconds) {
  if (!(seconds >= 0)) {
    throw InvalidArgument("slow_callback_duration: " + std::to_string(seconds) +
                          " is not a duration; give the seconds a step may run before debug mode reports it, "
                          "0 or more");
  }
  slow_callback_duration_ = detail::to_nanos(seconds, "slow_callback_duration");
}
// @end

}  // namespace corio
