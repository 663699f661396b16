// @chapter 06
#include <corio/waiting/gather.hpp>

namespace corio::detail {

namespace {

// Marks a child's error retrieved when the child completes, then frees
// itself. The only allocation of gather, made on its error path: the
// awaiting frame that holds the nodes may be gone by then.
class ErrorRetriever final : Waiter {
 public:
  static void hang_on(FutureCore* core) { core->add_waiter(new ErrorRetriever(core)); }

 private:
  explicit ErrorRetriever(FutureCore* core) : core_(core) { notify = &on_notice; }
  static void on_notice(Waiter* w, Notice notice) {
    auto* self = static_cast<ErrorRetriever*>(w);
    if (notice == Notice::Done) self->core_->exception("gather");
    delete self;
  }
  FutureCore* core_;
};

}  // namespace

void GatherBase::rethrow_first_error() {
  std::size_t failed = first_failed();
  if (failed == kNone) return;
  for (Node& node : nodes()) {
    if (&node == &nodes()[failed]) continue;
    if (node.core->done()) {
      node.core->exception("gather");
    } else {
      ErrorRetriever::hang_on(node.core);
    }
  }
  std::rethrow_exception(nodes()[failed].core->exception("gather"));
}

}  // namespace corio::detail
