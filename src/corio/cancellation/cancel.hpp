// @chapter 09
// Chapter 09's errors, CancelledError and TimeoutError (errors.hpp), and
// how the runtime tells a cancellation apart from a failure. CancelledError
// is what a cancelled task's coroutine sees at the await where it waits;
// TimeoutError is what a timeout turns that cancellation into, outside its
// block only.
#pragma once

#include <exception>

#include <corio/errors.hpp>

namespace corio {

namespace detail {
// True when error holds a CancelledError.
bool is_cancellation(const std::exception_ptr& error);
}  // namespace detail

}  // namespace corio
