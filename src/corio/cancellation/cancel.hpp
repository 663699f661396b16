// @chapter 09
// How the runtime tells a cancellation apart from a failure. The errors
// themselves live in errors.hpp: CancelledError, what a cancelled task's
// coroutine sees at the await where it waits, and TimeoutError, what a
// timeout turns that cancellation into, outside its block only.
#pragma once

#include <exception>

#include <corio/errors.hpp>

namespace corio {

namespace detail {
// True when error holds a CancelledError.
bool is_cancellation(const std::exception_ptr& error);
}  // namespace detail

}  // namespace corio
