// LifoQueue: the same crawl breadth-first through a Queue, depth-first through a LifoQueue
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <corio/corio.hpp>
#include <corio/queues/queue.hpp>

// The site: each page and the links on it.
const std::map<std::string, std::vector<std::string>> links = {
    {"/", {"/a", "/b"}},
    {"/a", {"/a/1", "/a/2"}},
    {"/b", {"/b/1"}},
};

template <class Q>
corio::Coro<> crawler(Q& todo, std::string& order) {
  for (;;) {
    std::string page = co_await todo.get();
    if (page.empty()) co_return;  // the end
    co_await corio::sleep(0.02);  // stands in for fetching the page
    order += " " + page;
    if (auto found = links.find(page); found != links.end()) {
      for (const std::string& link : found->second) co_await todo.put(link);
    }
    todo.task_done();
  }
}

template <class Q>
corio::Coro<> crawl(const char* label) {
  Q todo;
  std::string order;
  corio::Task<> worker = corio::create_task(crawler(todo, order));
  co_await todo.put("/");
  co_await todo.join();  // every page put has been crawled
  co_await todo.put("");
  co_await worker;
  std::printf("%-32s%s\n", label, order.c_str());
}

corio::Coro<> main_coro() {
  co_await crawl<corio::Queue<std::string>>("Queue (first in, first out):");
  co_await crawl<corio::LifoQueue<std::string>>("LifoQueue (last in, first out):");
}

int main() { corio::run(main_coro()); }
