// @chapter 06
#include <corio/waiting/wait.hpp>

#include <utility>

namespace corio::detail {

// One walk over the children, so each child's state is touched once (with
// 200,000 children, a second walk is a second trip to memory for each): a
// pending child gets its node hooked, a done one is counted. When the done
// ones settle the wait, the nodes hooked so far come off again.
bool WaitMany::await_suspend(std::coroutine_handle<> h) {
  start();
  try {
    for (Node& node : nodes_) {
      if (reached(node)) {
        unhook_all();
        return false;
      }
    }
  } catch (...) {  // a child of another loop (hook): no node stays hooked
    unhook_all();
    throw;
  }
  return wait_here(h);
}

// One more child is done: does the rule hold now? Under FIRST_EXCEPTION the
// child's error is looked at, which marks it retrieved, as asyncio does.
bool WaitMany::settled_by(Node& node) {
  ++finished_;
  if (rule_ == ReturnWhen::FirstException && node.core->has_error() && failed(node)) {
    failed_ = static_cast<std::size_t>(&node - nodes_.data());
    return true;
  }
  return rule_ == ReturnWhen::FirstCompleted || finished_ == count_;
}

// A child that ended in an error.
bool WaitMany::failed(const Node& node) const {
  // @since 09
  // A cancelled child is no failure to wait() (asyncio's rule), but is one
  // to gather, which passes its CancelledError on.
  if (!forward_ && node.core->cancelled()) return false;
  // @end
  return node.core->has_error() && node.core->exception("wait") != nullptr;
}

// Runs inside the child's completion, so the coroutine is only queued; the
// other nodes come off at once, and no later completion reaches us.
// (Notice::Dropped cannot come: the awaitable holds every child's handle.)
void WaitMany::on_notice(Waiter* w, Waiter::Notice) {
  Node& node = *static_cast<Node*>(w);
  WaitMany& self = *node.owner;
  --self.hooked_;
  if (!self.settled_by(node)) return;
  self.unhook_all();
  detail::LoopAccess::schedule(node.core->loop(), std::exchange(self.waker_, ReadyEntry()));
}

// @since 09
CancelAnswer WaitMany::on_cancel(WaitPoint* self, const std::string& message) {
  auto& me = *static_cast<WaitMany*>(self);
  if (!me.waker_) return CancelAnswer::TooLate;  // settled already: the coroutine is queued
  if (!me.forward_) {
    me.unhook_all();
    wake(std::exchange(me.waker_, ReadyEntry()));
    return CancelAnswer::LetGo;
  }
  // A child cancelled here may settle the wait at once (on_notice), which
  // unhooks every node; the others are cancelled all the same.
  bool passed = false;
  for (Node& node : me.nodes_) passed = node.core->request_cancel(message) || passed;
  me.cancel_requested_ = me.cancel_requested_ || passed;
  return passed ? CancelAnswer::PassedOn : CancelAnswer::TooLate;
}

void WaitMany::time_out() {
  if (!waker_) return;  // settled (or cancelled) first: the coroutine is queued
  unhook_all();
  wake(std::exchange(waker_, ReadyEntry()));
}
// @end

namespace {
// The block of nodes the thread keeps between range waits (spare_nodes).
thread_local std::vector<ChildWaiter<WaitMany>> spare;
}  // namespace

std::vector<WaitMany::Node> WaitMany::spare_nodes(std::size_t n) {
  std::vector<Node> nodes = std::move(spare);
  spare = std::vector<Node>();
  nodes.clear();
  nodes.reserve(n);
  return nodes;
}

void WaitMany::keep_nodes(std::vector<Node>&& nodes) noexcept {
  if (nodes.capacity() > spare.capacity()) spare = std::move(nodes);
}

std::size_t spare_node_capacity() { return spare.capacity(); }

// Stops once no node is left on a list: a wait settled by its last child
// (ALL_COMPLETED, or a gather that succeeded) walks no node at all.
void WaitMany::unhook_all() {
  for (Node& node : nodes_) {
    if (hooked_ == 0) return;
    if (node.hooked()) {
      unhook(node);
      --hooked_;
    }
  }
}

}  // namespace corio::detail
