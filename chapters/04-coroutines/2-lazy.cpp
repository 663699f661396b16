// E03 lazy: calling a coroutine function runs nothing; awaiting it does
#include <cstdio>

#include <corio/corio.hpp>

corio::Coro<int> answer() {
  std::printf("  answer() runs its body\n");
  co_return 42;
}

corio::Coro<> main_coro() {
  std::printf("calling answer()\n");
  corio::Coro<int> coro = answer();
  std::printf("answer() returned; its body has not run (done: %s)\n", coro.done() ? "yes" : "no");
  std::printf("awaiting it\n");
  int value = co_await coro;
  std::printf("the await gave %d (done: %s)\n", value, coro.done() ? "yes" : "no");
  try {
    co_await coro;
  } catch (const corio::RuntimeError& e) {
    std::printf("awaiting it again: RuntimeError: %s\n", e.what());
  }
}

int main() { corio::run(main_coro()); }
