// E16 run() inside a running loop is refused; the fix is to await
#include <cstdio>
#include <string>

#include <corio/corio.hpp>

corio::Coro<std::string> greet(std::string name) {
  co_await corio::sleep(0.5);
  co_return "Greeted " + name;
}

corio::Coro<> main_coro() {
  std::printf("inside a coroutine, calling corio::run(greet(\"Bob\"))\n");
  std::fflush(stdout);  // the runtime's warning below goes to stderr, unbuffered
  try {
    std::string result = corio::run(greet("Bob"));
    std::printf("%s\n", result.c_str());
  } catch (const corio::RuntimeError& e) {
    std::printf("RuntimeError: %s\n", e.what());
  }
  std::printf("the fix: co_await greet(\"Bob\")\n");
  std::string result = co_await greet("Bob");
  std::printf("%s\n", result.c_str());
}

int main() { corio::run(main_coro()); }
