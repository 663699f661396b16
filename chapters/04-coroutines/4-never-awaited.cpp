// E17 a coroutine created and dropped without being awaited says so
#include <cstdio>
#include <string>

#include <corio/corio.hpp>

corio::Coro<> save(std::string what) {
  std::printf("saved %s\n", what.c_str());
  co_return;
}

corio::Coro<> main_coro() {
  std::printf("creating save(\"report\") and dropping it without co_await\n");
  // The warning goes to stderr, which is unbuffered: flush stdout first so
  // that the two streams interleave in the order things happened.
  std::fflush(stdout);
  {
    corio::Coro<> forgotten = save("report");
  }
  std::printf("now with co_await\n");
  co_await save("report");
}

int main() { corio::run(main_coro()); }
