// @chapter 04
// readable(fd) and writable(fd): fd_wait.hpp says what they do.
#include <corio/tasks/fd_wait.hpp>

#include <string>
#include <utility>

#include <corio/errors.hpp>
#include <corio/loop/loop.hpp>
#include <corio/tasks/coro.hpp>  // @since 09: park() and cancel_pending(), inline

namespace corio::detail {

FdWake::FdWake(FdWaitAwaiter* waiter) noexcept : waiter_(waiter) {}

// The loop moves the callback into its own node: the awaiter follows it.
FdWake::FdWake(FdWake&& other) noexcept : waiter_(std::exchange(other.waiter_, nullptr)) {
  if (waiter_ != nullptr) waiter_->wake_ = this;
}

// Destroyed while still hooked on: the loop let go of it without running it.
FdWake::~FdWake() {
  if (waiter_ != nullptr) waiter_->dropped();
}

void FdWake::operator()() {
  if (waiter_ != nullptr) waiter_->ready();
}

FdWaitAwaiter::~FdWaitAwaiter() {
  if (wake_ != nullptr) stop_watching();
}

void FdWaitAwaiter::await_suspend(std::coroutine_handle<> h) {
  loop_ = &get_running_loop();
  unsigned side = side_ == Side::Read ? kReadable : kWritable;
  if (LoopAccess::watching(*loop_, fd_, side)) {
    throw RuntimeError(std::string(name()) + ": fd " + std::to_string(fd_) + " is already watched for " +
                       (side_ == Side::Read ? "reading" : "writing") +
                       " by another coroutine or callback; one waiter per fd and side: let one coroutine read "
                       "(or write) and hand the data to the others, through a Queue for instance");
  }
  try {
    if (side_ == Side::Read) {
      loop_->add_reader(fd_, FdWake(this));
    } else {
      loop_->add_writer(fd_, FdWake(this));
    }
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(std::string(name()) + "(" + std::to_string(fd_) + "): " + e.what());
  }
  armed_ = true;
  kind = side_ == Side::Read ? &kReadWait : &kWriteWait;  // @since 09
  waker_ = park(h, this, name());
}

void FdWaitAwaiter::await_resume() const {
  throw_if_cancelled();  // @since 09
  if (dropped_) {
    throw RuntimeError(std::string(name()) + ": the loop dropped the wait on fd " + std::to_string(fd_) +
                       " before it was ready: the fd was closed while a coroutine awaited it, or add_" +
                       (side_ == Side::Read ? "reader/remove_reader" : "writer/remove_writer") +
                       " took the wait's place; close an fd only once nothing awaits it (cancel the waiter "
                       "first)");
  }
}

// Level-triggered: the loop would run the callback again at every
// iteration while the fd stays ready, so the wait ends by unwatching it.
void FdWaitAwaiter::ready() {
  stop_watching();
  LoopAccess::schedule(*loop_, waker_);
}

void FdWaitAwaiter::dropped() {
  wake_ = nullptr;
  if (!armed_) return;  // refused by the poller inside add_reader: await_suspend throws
  dropped_ = true;
  LoopAccess::schedule(*loop_, waker_);
}

void FdWaitAwaiter::stop_watching() {
  std::exchange(wake_, nullptr)->waiter_ = nullptr;
  if (side_ == Side::Read) {
    loop_->remove_reader(fd_);
  } else {
    loop_->remove_writer(fd_);
  }
}

// @since 09
CancelAnswer FdWaitAwaiter::on_cancel(WaitPoint* self, const std::string&) {
  auto* me = static_cast<FdWaitAwaiter*>(self);
  if (me->wake_ == nullptr) return CancelAnswer::TooLate;
  me->stop_watching();
  LoopAccess::schedule(*me->loop_, me->waker_);
  return CancelAnswer::LetGo;
}
// @end

}  // namespace corio::detail
