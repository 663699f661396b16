// @chapter 07
#include <corio/sync/detail/waiter_list.hpp>

#include <string>

#include <corio/tasks/coro.hpp>  // @since 09
#include <corio/errors.hpp>

namespace corio::detail {

void WaiterList::throw_bound_elsewhere() const {
  throw RuntimeError(std::string(kind_) +
                     " is bound to a different event loop: coroutines of another loop are waiting on it; use one "
                     "primitive per loop");
}

// The node is off the list already, and forgets its waker: its awaiter
// takes it for one that never waited.
// @since 09
// A task is cancelled first: its cancellation finds the node gone (too
// late to leave the line), so it throws CancelledError once woken.
// @end
void WaiterList::abandon(WaiterNode* n) const {
  // @since 09
  if (n->waker.is_task()) {
    static_cast<PromiseBase*>(n->waker.task())->request_cancel(std::string(kind_) + " was destroyed while this task waited on it");
    wake(n->waker);
  }
  // @end
  n->waker = ReadyEntry();
}

}  // namespace corio::detail
