// @chapter 11
#include <corio/threads/detail/inbox.hpp>

#include <poll.h>

#include <cerrno>
#include <string_view>
#include <system_error>

#include <corio/errors.hpp>
#include <corio/threads/executor.hpp>

namespace corio {

namespace detail {

namespace {
// A new loop's inbox (LoopHooks, loop.hpp): its wake fd is an eventfd under
// epoll, a self-pipe under select.
struct SetThreadsHook {
  SetThreadsHook() {
    loop_hooks.make_threads = [](const Loop& loop) -> std::shared_ptr<ThreadsPart> {
      return std::make_shared<Inbox>(loop.poller_name() == std::string_view("epoll") ? WakeFdKind::EventFd
                                                                                     : WakeFdKind::Pipe);
    };
  }
} set_threads_hook;
}  // namespace

// Whatever is still here was refused by close() or posted after it: its
// callbacks never ran and never will.
Inbox::~Inbox() {
  for (Callback* cb : mail_) cb->release();
}

void Inbox::post(Callback* cb) {
  {
    std::lock_guard lock(mutex_);
    if (!closed_) {
      push(cb, false);
      return;
    }
  }
  cb->release();
  throw RuntimeError(
      "call_soon_threadsafe: Event loop is closed; the Loop this RemoteLoop belongs to was destroyed, so "
      "nothing will ever run the callback");
}

void Inbox::post_done(Callback* cb) noexcept {
  std::lock_guard lock(mutex_);
  push(cb, true);
}

// The write to the wake fd happens under the lock, so a thread that posted
// touches nothing of the inbox once the loop can see its mail.
void Inbox::push(Callback* cb, bool finishes_work) {
  mail_.push_back(cb);
  if (finishes_work && --work_in_flight_ == 0) all_done_.notify_all();
  if (!has_mail_.exchange(true, std::memory_order_acq_rel)) waker_.wake();
}

void Inbox::work_started() {
  std::lock_guard lock(mutex_);
  if (closed_) {
    throw RuntimeError("work_started: Event loop is closed; no work can be handed back to a destroyed Loop");
  }
  ++work_in_flight_;
}

void Inbox::work_finished() {
  std::lock_guard lock(mutex_);
  if (work_in_flight_ == 0) {
    throw RuntimeError("work_finished() called more often than work_started(); call it once for each");
  }
  if (--work_in_flight_ == 0) all_done_.notify_all();
  // The loop may be asleep counting on this work: let it look again.
  waker_.wake();
}

bool Inbox::quiet() {
  std::lock_guard lock(mutex_);
  return mail_.empty() && work_in_flight_ == 0;
}

std::size_t Inbox::work_in_flight() {
  std::lock_guard lock(mutex_);
  return work_in_flight_;
}

// has_mail_ goes false together with the swap, under the lock; a post after
// it sets it again and writes the fd again, so mail is never left unseen.
void Inbox::deliver(ReadyQueue& ready) {
  {
    std::lock_guard lock(mutex_);
    std::swap(mail_, taken_);
    has_mail_.store(false, std::memory_order_release);
    waker_.drain();
  }
  for (Callback* cb : taken_) ready.push(ReadyEntry(cb));
  taken_.clear();
  // @since 14
  // After has_mail_ went false: a signal arriving from here on raises it
  // again, so none is left unseen. A load first: most mail carries no
  // signal, and a load costs less than an exchange.
  if (signals_.load(std::memory_order_acquire) == 0) return;
  std::uint64_t arrived = signals_.exchange(0, std::memory_order_acq_rel);
  for (int signum = 1; arrived != 0; ++signum, arrived >>= 1) {
    if ((arrived & 1) == 0) continue;
    std::uint32_t times = signal_counts_[signum].exchange(0, std::memory_order_acq_rel);
    if (times != 0 && signal_sink_ != nullptr) signal_sink_->arrived(signum, times, ready);
  }
  // @end
}

// @since 14
// The count first, then the bit: a deliver() that sees the bit finds the
// count, and one that took the count early leaves a bit that finds 0.
void Inbox::signal_arrived(int signum) noexcept {
  signal_counts_[signum].fetch_add(1, std::memory_order_acq_rel);
  signals_.fetch_or(std::uint64_t{1} << (signum - 1), std::memory_order_acq_rel);
  if (!has_mail_.exchange(true, std::memory_order_acq_rel)) waker_.wake();
}
// @end

void Inbox::wait_for_mail() {
  pollfd p{.fd = waker_.fd(), .events = POLLIN, .revents = 0};
  while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
  }
}

void Inbox::close() {
  std::vector<Callback*> dropped;
  {
    std::unique_lock lock(mutex_);
    all_done_.wait(lock, [this] { return work_in_flight_ == 0; });
    closed_ = true;
    std::swap(dropped, mail_);
    has_mail_.store(false, std::memory_order_release);
  }
  for (Callback* cb : dropped) cb->release();
}

void Inbox::begin_close() noexcept {
  default_executor_shut_down_ = true;
  if (!default_executor_) return;
  work_started();
  try {
    joiner_ = std::thread([this] {
      default_executor_->shutdown();
      work_finished();
    });
  } catch (const std::system_error&) {  // no thread to spare: join here, as before
    default_executor_->shutdown();
    work_finished();
  }
}

// The executor goes here, on the loop's thread, with its threads joined:
// the inbox itself may outlive the loop, on whichever thread drops it last.
void Inbox::end_close() noexcept {
  if (joiner_.joinable()) joiner_.join();
  default_executor_.reset();
  close();
}

ThreadPoolExecutor& Inbox::default_executor() {
  if (default_executor_shut_down_) {
    throw RuntimeError(
        "the loop's default executor was shut down (shutdown_default_executor); pass a "
        "ThreadPoolExecutor of your own to run_in_executor");
  }
  if (!default_executor_) default_executor_ = std::make_unique<ThreadPoolExecutor>(default_max_workers());
  return *default_executor_;
}

void Inbox::shutdown_default_executor() {
  default_executor_shut_down_ = true;
  if (default_executor_) default_executor_->shutdown();
}

}  // namespace detail

// Loop's members for other threads: the threads layer's, defined here.
void Loop::post_threadsafe(detail::Callback* cb) const { detail::inbox_of(*this)->post(cb); }

RemoteLoop Loop::remote() const { return RemoteLoop(detail::inbox_of(*this)); }

ThreadPoolExecutor& Loop::default_executor() {
  check_thread("default_executor");
  return detail::inbox_of(*this)->default_executor();
}

void Loop::shutdown_default_executor() {
  check_thread("shutdown_default_executor");
  detail::inbox_of(*this)->shutdown_default_executor();
}

detail::Inbox& RemoteLoop::inbox() const {
  if (!inbox_) throw RuntimeError("RemoteLoop: this one is empty; get one from Loop::remote()");
  return *inbox_;
}

}  // namespace corio
