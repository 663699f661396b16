// @chapter 07
#include <corio/sync/lock.hpp>

#include <corio/errors.hpp>

namespace corio {

void Lock::throw_not_acquired() {
  throw RuntimeError("Lock is not acquired. (release() was called on a lock nobody holds; release once per acquire())");
}

}  // namespace corio
