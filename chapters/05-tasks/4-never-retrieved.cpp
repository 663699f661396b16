// A task's error that nobody retrieves is reported when the task is destroyed
#include <cstdio>
#include <stdexcept>
#include <string>

#include <corio/corio.hpp>

corio::Coro<> save(std::string what) {
  co_await corio::sleep(0.1);
  throw std::runtime_error("disk full while saving " + what);
}

corio::Coro<> main_coro() {
  std::printf("creating task 'saver' and dropping its handle\n");
  // The report goes to stderr, which is unbuffered: flush stdout first so
  // that the two streams interleave in the order things happened.
  std::fflush(stdout);
  corio::create_task(save("report"), "saver");
  co_await corio::sleep(0.5);
  std::printf("main goes on; nobody will ever see that error again\n");

  std::printf("keeping the handle this time, and awaiting it\n");
  corio::Task<> task = corio::create_task(save("draft"), "saver-2");
  try {
    co_await task;
  } catch (const std::exception& e) {
    std::printf("task '%s' failed: %s\n", task.get_name().c_str(), e.what());
  }
}

int main() { corio::run(main_coro()); }
