// @chapter 07
#include <corio/waiter_list.hpp>

#include <string>

#include <corio/errors.hpp>

namespace corio::detail {

void WaiterList::throw_bound_elsewhere() const {
  throw RuntimeError(std::string(kind_) +
                     " is bound to a different event loop: coroutines of another loop are waiting on it; use one "
                     "primitive per loop");
}

}  // namespace corio::detail
