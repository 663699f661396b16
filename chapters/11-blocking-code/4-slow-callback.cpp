// debug mode names the step that blocked the loop
#include <chrono>
#include <cstdio>
#include <string_view>
#include <thread>

#include <corio/corio.hpp>

void blocking_call() { std::this_thread::sleep_for(std::chrono::milliseconds(150)); }

void schedule_blocking_callback() {
  corio::get_running_loop().call_soon([] { blocking_call(); });
}

corio::Coro<> main_coro() {
  std::printf("a callback blocks for 0.15 s:\n");
  schedule_blocking_callback();
  co_await corio::sleep(0);
  std::printf("a coroutine blocks for 0.15 s:\n");
  blocking_call();
  co_await corio::sleep(0);
}

int main() {
  // The reports go to stdout here, to read them in order with the rest.
  corio::set_diagnostic_sink(
      [](std::string_view message) { std::printf("  %.*s\n", static_cast<int>(message.size()), message.data()); });
  corio::run(main_coro(), {.debug = true, .slow_callback_duration = 0.1});
}
