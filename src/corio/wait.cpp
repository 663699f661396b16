// @chapter 06
#include <corio/wait.hpp>

namespace corio::detail {

void WaitMany::watch(std::span<Node> nodes) {
  nodes_ = nodes;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    nodes[i].owner = this;
    nodes[i].index = static_cast<std::uint32_t>(i);
    nodes[i].notify = &on_notice;
  }
}

bool WaitMany::await_suspend(std::coroutine_handle<> h) {
  coro_ = h;
  finished_ = 0;
  failed_ = kNone;
  for (Node& node : nodes_) {
    if (node.core->done() && settled_by(node)) return false;
  }
  for (Node& node : nodes_) {
    if (!node.core->done()) hook(node);
  }
  return true;
}

// One more child is done: does the rule hold now? Under FIRST_EXCEPTION the
// child's error is looked at, which marks it retrieved, as asyncio does.
bool WaitMany::settled_by(Node& node) {
  ++finished_;
  if (rule_ == ReturnWhen::FirstException && node.core->exception("wait")) {
    failed_ = node.index;
    return true;
  }
  return rule_ == ReturnWhen::FirstCompleted || finished_ == nodes_.size();
}

// Runs inside the child's completion, so the coroutine is only queued; the
// other nodes come off at once, and no later completion reaches us.
// (Notice::Dropped cannot come: the awaitable holds every child's handle.)
void WaitMany::on_notice(Waiter* w, Waiter::Notice) {
  Node& node = *static_cast<Node*>(w);
  node.hooked = false;
  WaitMany& self = *node.owner;
  if (!self.settled_by(node)) return;
  self.unhook_all();
  node.core->loop().schedule(self.coro_);
}

void WaitMany::unhook_all() {
  for (Node& node : nodes_) unhook(node);
}

}  // namespace corio::detail
