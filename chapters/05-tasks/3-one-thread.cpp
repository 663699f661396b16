// C04 every task runs on the loop's thread, one step at a time
#include <cstdio>
#include <set>
#include <string>
#include <thread>

#include <corio/corio.hpp>

std::set<std::thread::id> threads_seen;
int steps = 0;

// Records the thread that runs each step of the task.
corio::Coro<> worker(int rounds) {
  for (int i = 0; i < rounds; ++i) {
    threads_seen.insert(std::this_thread::get_id());
    ++steps;
    co_await corio::sleep(0.1);
  }
}

corio::Coro<> main_coro() {
  corio::Task<> a = corio::create_task(worker(3), "a");
  corio::Task<> b = corio::create_task(worker(4), "b");
  corio::Task<> c = corio::create_task(worker(5), "c");
  co_await a;
  co_await b;
  co_await c;
}

int main() {
  corio::run(main_coro());
  std::printf("3 tasks ran %d steps on %zu thread(s)\n", steps, threads_seen.size());
  std::printf("that thread is the one that called run(): %s\n",
              threads_seen == std::set{std::this_thread::get_id()} ? "yes" : "no");
}
