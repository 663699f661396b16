// shield: cancelling the handler cancels its save too, unless the save is shielded
#include <cstdio>

#include <corio/corio.hpp>

double start = 0;

double elapsed() { return corio::get_running_loop().time() - start; }

corio::Coro<> save() {
  std::printf("%.1f  save: starts writing\n", elapsed());
  try {
    co_await corio::sleep(0.5);
  } catch (const corio::CancelledError&) {
    std::printf("%.1f  save: cancelled part-way, the file is torn\n", elapsed());
    throw;
  }
  std::printf("%.1f  save: written\n", elapsed());
}

corio::Coro<> handler(bool shielded) {
  if (shielded) {
    co_await corio::shield(save());  // save() becomes a task the cancellation does not reach
  } else {
    co_await save();
  }
}

corio::Coro<> main_coro() {
  for (bool shielded : {false, true}) {
    start = corio::get_running_loop().time();
    std::printf("%s\n", shielded ? "with shield(save()):" : "without shield:");
    corio::Task<> task = corio::create_task(handler(shielded));
    co_await corio::sleep(0.2);
    std::printf("%.1f  main: cancels the handler\n", elapsed());
    task.cancel();
    try {
      co_await task;
    } catch (const corio::CancelledError&) {
      std::printf("%.1f  main: the handler ended with CancelledError\n", elapsed());
    }
    co_await corio::sleep(0.5);  // time for a shielded save to finish
  }
}

int main() { corio::run(main_coro()); }
