// A task starts on the loop's next iteration, has a name, and can be awaited many times
#include <cstdio>
#include <stdexcept>

#include <corio/corio.hpp>

corio::Coro<int> square(int x) {
  std::printf("  square(%d) starts\n", x);
  co_await corio::sleep(0.5);
  co_return x * x;
}

corio::Coro<int> fail() {
  co_await corio::sleep(0.5);
  throw std::runtime_error("the disk is full");
}

corio::Coro<> main_coro() {
  corio::Task<int> task = corio::create_task(square(7), "square-7");
  std::printf("created task '%s'; done: %s\n", task.get_name().c_str(), task.done() ? "yes" : "no");
  std::printf("main goes on until it awaits something\n");
  co_await corio::sleep(0);
  std::printf("after sleep(0), one iteration later; done: %s\n", task.done() ? "yes" : "no");
  int first = co_await task;
  int again = co_await task;
  std::printf("awaited twice: %d and %d; done: %s, result(): %d\n", first, again, task.done() ? "yes" : "no",
              task.result());

  corio::Task<int> unnamed = corio::create_task(fail());
  try {
    co_await unnamed;
  } catch (const std::exception& e) {
    std::printf("task '%s' failed: %s\n", unnamed.get_name().c_str(), e.what());
  }
  std::printf("exception() holds it too: %s\n", unnamed.exception() ? "yes" : "no");
}

int main() { corio::run(main_coro()); }
