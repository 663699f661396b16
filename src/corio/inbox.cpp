// @chapter 11
#include <corio/inbox.hpp>

#include <poll.h>

#include <cerrno>

#include <corio/errors.hpp>

namespace corio {

namespace detail {

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
  for (Callback* cb : taken_) ready.push(Ready(cb));
  taken_.clear();
}

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

}  // namespace detail

detail::Inbox& RemoteLoop::inbox() const {
  if (!inbox_) throw RuntimeError("RemoteLoop: this one is empty; get one from Loop::remote()");
  return *inbox_;
}

}  // namespace corio
