// @chapter 07
#include <corio/waiter_list.hpp>

#include <string>
#include <utility>  // @since 09

#include <corio/coro.hpp>  // @since 09
#include <corio/errors.hpp>

namespace corio::detail {

void WaiterList::throw_bound_elsewhere() const {
  throw RuntimeError(std::string(kind_) +
                     " is bound to a different event loop: coroutines of another loop are waiting on it; use one "
                     "primitive per loop");
}

// @since 09
// The node is off the list already: the task's cancellation finds it gone
// (too late to leave the line), so it throws CancelledError once woken.
void WaiterList::abandon(WaiterNode* n) const {
  ReadyEntry waker = std::exchange(n->waker, ReadyEntry());
  if (!waker.is_task()) return;
  static_cast<PromiseBase*>(waker.task())
      ->request_cancel(std::string(kind_) + " was destroyed while this task waited on it");
  wake(waker);
}
// @end

}  // namespace corio::detail
