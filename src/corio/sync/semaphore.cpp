// @chapter 07
#include <corio/sync/semaphore.hpp>

#include <string>

namespace corio {

namespace {

std::size_t checked(int value, const char* kind) {
  if (value < 0) {
    throw ValueError(std::string(kind) + " initial value must be >= 0 (got " + std::to_string(value) +
                     "); it is the number of holders allowed at once");
  }
  return static_cast<std::size_t>(value);
}

}  // namespace

Semaphore::Semaphore(int value, std::size_t bound, const char* kind)
    : permits_(checked(value, kind), kind), bound_(bound) {}

BoundedSemaphore::BoundedSemaphore(int value)
    : Semaphore(value, checked(value, "BoundedSemaphore"), "BoundedSemaphore") {}

void Semaphore::throw_released_too_often() const {
  throw ValueError("BoundedSemaphore released too many times: all " + std::to_string(bound_) +
                   " permits are free already; release() only what acquire() took");
}

}  // namespace corio
