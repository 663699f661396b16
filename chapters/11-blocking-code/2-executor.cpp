// E10 blocking code in a thread pool: the loop keeps running other tasks
#include <chrono>
#include <cstdio>
#include <latch>
#include <string>
#include <thread>

#include <corio/corio.hpp>

std::latch orders_taken(3);
std::thread::id loop_thread;

// A blocking library call. It cannot return before the loop has taken three
// orders, so it returns at all only if the loop keeps running meanwhile.
int blocking_function(int arg) {
  orders_taken.wait();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // and blocks some more
  std::printf("  blocking_function(%d): done, on %s thread\n", arg,
              std::this_thread::get_id() == loop_thread ? "the loop's" : "a pool");
  return arg * 2;
}

// Another task on the loop, busy while the blocking call runs.
corio::Coro<> waiter() {
  for (int order = 1; order <= 3; ++order) {
    std::printf("  waiter: takes order %d\n", order);
    orders_taken.count_down();
    co_await corio::sleep(0);
  }
}

std::size_t checksum(std::string text) {
  std::size_t sum = 0;
  for (unsigned char c : text) sum = sum * 31 + c;
  return sum;
}

corio::Coro<> main_coro() {
  loop_thread = std::this_thread::get_id();
  corio::ThreadPoolExecutor pool(2);
  std::printf("main: run_in_executor(pool, blocking_function, 21)\n");
  corio::Future<int> result = corio::run_in_executor(pool, blocking_function, 21);
  corio::Task<> w = corio::create_task(waiter());
  std::printf("main: got %d\n", co_await result);
  co_await w;

  std::size_t sum = co_await corio::to_thread(checksum, std::string("corio"));
  std::printf("main: to_thread(checksum, \"corio\") returned %zu\n", sum);
}

int main() { corio::run(main_coro()); }
