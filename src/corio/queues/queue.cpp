// @chapter 08
#include <corio/queues/queue.hpp>

#include <string>

namespace corio::detail {

QueueCore::QueueCore(std::ptrdiff_t maxsize, const char* kind)
    : getters_(kind), putters_(kind), joiners_(kind), maxsize_(maxsize), kind_(kind) {}

// The last task done wakes every coroutine in join(), oldest first.
void QueueCore::task_done() {
  if (unfinished_ == 0) {
    throw ValueError(std::string("task_done() called too many times: every item put on this ") + kind_ +
                     " is marked done already; call it once for each item taken with get()");
  }
  if (--unfinished_ > 0) return;
  while (!joiners_.empty()) joiners_.wake_front();
}

void QueueCore::throw_empty() const {
  if (size_ == 0) {
    throw QueueEmpty(std::string("get_nowait: the ") + kind_ + " is empty; await get() to wait for an item");
  }
  throw QueueEmpty(std::string("get_nowait: every item in the ") + kind_ + " (" + std::to_string(size_) +
                   ") is promised to a getter that was waiting first; await get() to wait in line");
}

void QueueCore::throw_full() const {
  if (size_ >= static_cast<std::size_t>(maxsize_)) {
    throw QueueFull(std::string("put_nowait: the ") + kind_ + " is full (maxsize " + std::to_string(maxsize_) +
                    "); await put() to wait for a free slot");
  }
  throw QueueFull(std::string("put_nowait: every free slot of the ") + kind_ + " (maxsize " +
                  std::to_string(maxsize_) + ") is promised to a putter that was waiting first; await put() to "
                  "wait in line");
}

}  // namespace corio::detail
