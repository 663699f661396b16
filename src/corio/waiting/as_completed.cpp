// @chapter 06
#include <corio/waiting/as_completed.hpp>

#include <algorithm>  // @since 09
#include <utility>

#include <corio/errors.hpp>

namespace corio::detail {

CompletionOrder::CompletionOrder(std::size_t n) : nodes_(n) { order_.reserve(n); }

void CompletionOrder::unhook_all() {
  timer_.cancel();  // @since 09
  for (Node& node : nodes_) unhook(node);
}

void CompletionOrder::watch() {
  try {
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      Node& node = nodes_[i];
      node.owner = this;
      node.notify = &on_notice;
      if (node.core->done()) {
        order_.push_back(static_cast<std::uint32_t>(i));
      } else {
        hook(node, "as_completed");
      }
    }
  } catch (...) {  // a child of another loop (hook): no destructor will take off the nodes hooked
    unhook_all();
    throw;
  }
}

void CompletionOrder::check_next() const {
  if (remaining() == 0) {
    throw InvalidStateError("as_completed: next() called after every result was taken; call it remaining() times");
  }
  if (waiting_) {
    throw RuntimeError("as_completed: next() awaited by two coroutines at once; one coroutine takes the results");
  }
}

// Runs inside the child's completion: the child is listed, and a coroutine
// waiting in next() is queued on the loop.
void CompletionOrder::on_notice(Waiter* w, Waiter::Notice) {
  Node& node = *static_cast<Node*>(w);
  CompletionOrder& self = *node.owner;
  self.order_.push_back(static_cast<std::uint32_t>(&node - self.nodes_.data()));
  if (self.order_.size() == self.nodes_.size()) self.timer_.cancel();  // @since 09: nothing left to time out
  if (self.waiting_ && !self.woken_) {
    self.woken_ = true;
    detail::LoopAccess::schedule(node.core->loop(), self.waker_);
  }
}

// @since 09
void CompletionOrder::arm(double timeout) {
  if (order_.size() == nodes_.size()) return;  // every child is done already
  timer_ = get_running_loop().call_later(std::max(timeout, 0.0), [this] { on_timeout(); });
}

void CompletionOrder::on_timeout() {
  for (Node& node : nodes_) {
    if (!node.hooked()) continue;
    unhook(node);
    order_.push_back(kTimedOut);
  }
  if (waiting_ && !woken_) {
    woken_ = true;
    wake(waker_);
  }
}

void CompletionOrder::throw_timed_out() {
  throw TimeoutError(
      "as_completed: the timeout passed before this result came; the tasks not done run on (cancel them if they "
      "should stop)");
}
// @end

}  // namespace corio::detail
