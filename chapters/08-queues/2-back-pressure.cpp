// A bounded queue: a fast producer waits for a slow consumer (back-pressure), so at most 3 items wait
#include <cstdio>

#include <corio/corio.hpp>
#include <corio/queues/queue.hpp>

double start = 0;

double elapsed() { return corio::get_running_loop().time() - start; }

corio::Coro<> producer(corio::Queue<int>& queue) {
  for (int item = 0; item < 6; ++item) {
    if (queue.full()) std::printf("%.1f  producer: queue full, waits to put %d\n", elapsed(), item);
    co_await queue.put(item);
    std::printf("%.1f  producer: put %d (%zu waiting)\n", elapsed(), item, queue.qsize());
  }
  co_await queue.put(-1);  // no more items
}

corio::Coro<> consumer(corio::Queue<int>& queue) {
  for (;;) {
    int item = co_await queue.get();
    if (item < 0) co_return;
    std::printf("%.1f  consumer: took %d\n", elapsed(), item);
    co_await corio::sleep(0.5);  // handling an item takes a while
  }
}

corio::Coro<> main_coro() {
  start = corio::get_running_loop().time();
  corio::Queue<int> queue(3);
  corio::Task<> consuming = corio::create_task(consumer(queue));
  co_await producer(queue);
  co_await consuming;
  std::printf("%.1f  all done\n", elapsed());
}

int main() { corio::run(main_coro()); }
