// E01 greet: a first coroutine that says hello, sleeps a second, says goodbye
#include <cstdio>
#include <string>

#include <corio/corio.hpp>

// The parameter is taken by value: it is copied into the coroutine's frame,
// which outlives the call that created it.
corio::Coro<std::string> greet(std::string name) {
  std::printf("Hello, %s!\n", name.c_str());
  co_await corio::sleep(1);
  std::printf("Goodbye, %s!\n", name.c_str());
  co_return "Greeted " + name;
}

int main() {
  std::string result = corio::run(greet("Alice"));
  std::printf("%s\n", result.c_str());
}
