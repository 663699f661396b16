// run()'s shutdown: a task still running when main returns is cancelled, and run() waits for it to clean up
#include <cstdio>

#include <corio/corio.hpp>

double start = 0;

double elapsed() { return corio::get_running_loop().time() - start; }

corio::Coro<> heartbeat() {
  try {
    for (;;) {
      std::printf("%.2f  heartbeat\n", elapsed());
      co_await corio::sleep(0.1);
    }
  } catch (const corio::CancelledError&) {
    std::printf("%.2f  heartbeat: cancelled by run() as main ended; stopping\n", elapsed());
    throw;
  }
}

corio::Coro<> main_coro() {
  start = corio::get_running_loop().time();
  corio::create_task(heartbeat());
  co_await corio::sleep(0.15);
  std::printf("%.2f  main: returning, with the heartbeat still running\n", elapsed());
}

int main() { corio::run(main_coro()); }
