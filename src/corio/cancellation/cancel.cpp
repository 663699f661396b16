// @chapter 09
// CancelledError's helper; the task's side of cancellation (its requests,
// its steps, park()) lives with the task, in task.cpp.
#include <corio/cancellation/cancel.hpp>

#include <exception>

namespace corio::detail {

bool is_cancellation(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const CancelledError&) {
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace corio::detail
