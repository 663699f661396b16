// @chapter 01
// The errors corio throws, named after asyncio's so a reader can hold the
// guide and the code side by side. Each chapter that needs a new error
// declares it next to the concept that throws it (InvalidStateError lives in
// future.hpp); this header holds the ones the loop itself throws.
#pragma once

#include <stdexcept>
#include <string>

namespace corio {

// asyncio raises RuntimeError for a loop used the wrong way: run() inside a
// running loop, a loop driven from another thread, a closed loop.
class RuntimeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad arguments: an fd that is not open, an fd the chosen poller cannot
// watch. Python raises ValueError or OSError; we name it for what it is.
class InvalidArgument : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

}  // namespace corio
