// One release() too many: a Semaphore quietly grows a permit, a BoundedSemaphore says ValueError
#include <cstdio>

#include <corio/corio.hpp>

template <class S>
corio::Coro<> acquire_release_release(S& sem, const char* name) {
  co_await sem.acquire();
  sem.release();
  try {
    sem.release();  // the bug: nothing acquired this one
    std::printf("%s: the extra release() passes; value() is %zu, a third holder may get in\n", name, sem.value());
  } catch (const corio::ValueError& e) {
    std::printf("%s: the extra release() throws ValueError:\n  %s\n", name, e.what());
  }
}

corio::Coro<> main_coro() {
  corio::Semaphore plain(2);
  co_await acquire_release_release(plain, "Semaphore(2)");
  corio::BoundedSemaphore bounded(2);
  co_await acquire_release_release(bounded, "BoundedSemaphore(2)");
}

int main() { corio::run(main_coro()); }
