// @chapter 01
#include <corio/loop.hpp>

#include <fcntl.h>

#include <atomic>
#include <string>
#include <string_view>   // @since 10
#include <system_error>  // @since 10
#include <thread>        // @since 10
#include <utility>       // @since 10

#include <corio/diagnostics.hpp>
#include <corio/errors.hpp>
#include <corio/executor.hpp>   // @since 10
#include <corio/slow_step.hpp>  // @since 10
#include <corio/task_list.hpp>  // @since 05

namespace corio {

namespace {
thread_local Loop* current = nullptr;  // the loop running on this thread
}

Loop* detail::running_loop() { return current; }

Loop& get_running_loop() {
  if (current == nullptr) throw RuntimeError("no running event loop");
  return *current;
}

// @before 02: Loop::Loop() : poller_(std::make_unique<detail::SelectPoller>()), owner_(std::this_thread::get_id()) {}
// @since 02
Loop::Loop(LoopOptions options)
    : poller_(detail::make_poller(options.poller ? *options.poller : detail::poller_from_env())),
      clock_(detail::make_clock(options.clock ? *options.clock : detail::clock_from_env())),
      tasks_(std::make_unique<detail::TaskList>()),  // @since 05
      // @before 10: owner_(std::this_thread::get_id()) {}
      owner_(std::this_thread::get_id()) {  // @since 10
// @end
// @since 10
  // The wake fd is the poller's alone: it is not a watched fd, so it never
  // keeps an idle loop from saying it would wait forever.
  inbox_ = std::make_shared<detail::Inbox>(poller_->name() == std::string_view("epoll") ? detail::WakerKind::EventFd
                                                                                         : detail::WakerKind::Pipe);
  poller_->update(inbox_->fd(), 0, detail::kReadable);
  debug_ = options.debug ? *options.debug : detail::debug_from_env();
  set_slow_callback_duration(options.slow_callback_duration);
}
// @end

// Closing: everything the loop still holds is let go.
Loop::~Loop() {
  // @since 10
  // Work on other threads may still use what the tasks below own: it
  // finishes first, and while it does, what other threads post runs; once
  // none is in flight, what is left is dropped unrun.
  default_executor_shut_down_ = true;
  settle_threads();
  inbox_->close();
  // @end
  // @since 05
  // Tasks still pending go first, while everything their frames may unhook
  // from still exists; each is reported.
  tasks_->destroy_pending();
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

void Loop::check_fd(const char* what, int fd) const {
  check_thread(what);
  if (fd < 0 || ::fcntl(fd, F_GETFD) < 0) {
    throw InvalidArgument(std::string(what) + ": fd " + std::to_string(fd) +
                          " is not an open file descriptor; pass an fd from open(), socket() or pipe() "
                          "that has not been closed");
  }
  poller_->check(fd);
}

void Loop::watch(int fd, unsigned side, detail::Callback* cb) {
  if (static_cast<std::size_t>(fd) >= watches_.size()) watches_.resize(static_cast<std::size_t>(fd) + 1);
  Watch& w = watches_[static_cast<std::size_t>(fd)];
  unsigned before = w.mask();
  detail::Callback*& slot = side == detail::kReadable ? w.reader : w.writer;
  // A replaced callback may already be queued by this iteration's poll:
  // cancel it, so it does not run once more after being replaced.
  if (detail::Callback* old = std::exchange(slot, cb)) {
    old->cancel();
    old->release();
  }
  if (w.mask() == before) return;
  try {
    poller_->update(fd, before, w.mask());
  } catch (...) {
    slot = nullptr;
    cb->release();
    throw;
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
  poller_->update(fd, before, w.mask());
  if (w.mask() == 0) --watched_;
  return true;
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
// @end

void Loop::run_forever() {
  check_thread("run_forever");
  if (running_) throw RuntimeError("This event loop is already running");
  if (current != nullptr) throw RuntimeError("Cannot run the event loop while another loop is running");
  running_ = true;
  current = this;
  struct Reset {
    Loop* loop;
    ~Reset() {
      loop->running_ = false;
      loop->stopping_ = false;
      current = nullptr;
    }
  } reset{this};
  do {
    run_once();
  } while (!stopping_);
}

// The phases of one iteration, as numbered in docs/architecture.md.
void Loop::run_once() {
  // @since 10
  // 0. What other threads posted (call_soon_threadsafe) joins the ready queue.
  if (inbox_->has_mail()) inbox_->deliver(ready_);
  // @end
  // 1. How long may the poller wait?
  detail::PollTimeout timeout = poll_timeout();
  // 2. Ask the OS which fds are ready, and 3. queue their callbacks.
  if (should_poll(timeout)) {
    fired_.clear();
    poller_->poll(timeout, fired_);
    dispatch_fired();
  }
  // @since 02
  // 4. On the virtual clock, an idle loop jumps to the next deadline.
  advance_virtual_clock();
  // 5. Move every timer whose deadline has passed to the ready queue.
  move_due_timers();
  // @end
  // 6. Run what is ready now; what that schedules waits for the next round.
  run_ready();
}

// Phase 1: no wait when work is queued or a stop was asked for; until the
// earliest deadline when a timer is pending (chapter 02); otherwise until
// an fd fires.
// @since 10
// While work on other threads is in flight (chapter 10), an idle loop sleeps
// on its wake fd instead: a virtual clock must not jump past deadlines while
// real work goes on, and nothing waits forever while a result is owed.
// @end
detail::PollTimeout Loop::poll_timeout() const {
  if (!ready_.empty() || stopping_) return detail::PollTimeout(0);
  // @since 02
  if (!timers_.empty()) {
    // @before 10: if (clock_->is_virtual()) return detail::PollTimeout(0);
    if (clock_->is_virtual()) return detail::PollTimeout(inbox_->quiet() ? 0 : -1);  // @since 10
    detail::Nanos left = timers_.top()->when() - clock_->now();
    return left.count() > 0 ? left : detail::PollTimeout(0);
  }
  // @end
  // @before 10: if (watched_ == 0) {
  if (watched_ == 0 && inbox_->quiet()) {  // @since 10: work in flight will wake the loop
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
    // @since 10
    if (f.fd == inbox_->fd()) {
      inbox_->deliver(ready_);
      continue;
    }
    // @end
    Watch& w = watches_[static_cast<std::size_t>(f.fd)];
    if ((f.events & detail::kReadable) && w.reader) {
      w.reader->retain();
      ready_.push(detail::Ready(w.reader));
    }
    if ((f.events & detail::kWritable) && w.writer) {
      w.writer->retain();
      ready_.push(detail::Ready(w.writer));
    }
  }
}

// @since 02
// Phase 4: only a virtual clock moves here, and only when the loop has
// nothing else to do: nothing ready after the poll, and a timer pending.
void Loop::advance_virtual_clock() {
  // @before 10: if (!clock_->is_virtual() || !ready_.empty() || timers_.empty()) return;
  if (!clock_->is_virtual() || !ready_.empty() || timers_.empty() || !inbox_->quiet()) return;  // @since 10
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
  for (std::size_t n = ready_.size(); n > 0; --n) {
    detail::Ready r = ready_.pop();
    detail::StepTimer timer(debug_, slow_callback_duration_, r);  // @since 10: debug mode times each step
    // @since 04
    if (r.is_coroutine()) {
      r.coroutine().resume();
      continue;
    }
    // @end
    // @since 09
    if (r.is_task()) {
      detail::step_task(r.task());
      continue;
    }
    // @end
    run_callback(r.callback());
  }
}

// An exception escaping a callback is reported and the loop goes on, as
// asyncio's "Exception in callback" does.
void Loop::run_callback(detail::Callback* cb) {
  try {
    cb->run();
  } catch (const std::exception& e) {
    detail::report(std::string("Exception in callback: ") + e.what());
  } catch (...) {
    detail::report("Exception in callback: an exception not derived from std::exception");
  }
  cb->release();
}

// @since 10
ThreadPoolExecutor& Loop::default_executor() {
  check_thread("default_executor");
  if (default_executor_shut_down_) {
    throw RuntimeError("the loop's default executor was shut down (shutdown_default_executor); pass a "
                       "ThreadPoolExecutor of your own to run_in_executor");
  }
  if (!default_executor_) default_executor_ = std::make_unique<ThreadPoolExecutor>(default_max_workers());
  return *default_executor_;
}

void Loop::shutdown_default_executor() {
  check_thread("shutdown_default_executor");
  default_executor_shut_down_ = true;
  if (default_executor_) default_executor_->shutdown();
}

void Loop::refuse_foreign_thread(const char* what) const {
  throw RuntimeError(std::string(what) +
                     ": Non-thread-safe operation invoked on an event loop other than the current one (this "
                     "object belongs to a loop of another thread); hand the call to that loop's thread with "
                     "call_soon_threadsafe");
}

// At close: the default executor's threads are joined, and the loop waits
// until no work is in flight. Meanwhile what other threads post runs here,
// as asyncio.run keeps its loop running while the default executor shuts
// down: a job that posts a call back and waits for it would otherwise wait
// for a loop that waits for it.
void Loop::settle_threads() noexcept {
  std::thread joiner;
  if (default_executor_) {
    inbox_->work_started();
    try {
      joiner = std::thread([this] {
        default_executor_->shutdown();
        inbox_->work_finished();
      });
    } catch (const std::system_error&) {  // no thread to spare: join here, as before
      default_executor_->shutdown();
      inbox_->work_finished();
    }
  }
  Loop* outer = std::exchange(current, this);
  detail::ReadyQueue posted;
  while (inbox_->work_in_flight() != 0) {
    inbox_->wait_for_mail();
    inbox_->deliver(posted);
    while (!posted.empty()) run_callback(posted.pop().callback());
  }
  current = outer;
  if (joiner.joinable()) joiner.join();
}

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
