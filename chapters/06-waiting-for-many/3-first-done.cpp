// wait and as_completed: act on the first download done, then take the others as they come
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <corio/waiting/as_completed.hpp>
#include <corio/corio.hpp>
#include <corio/waiting/wait.hpp>

corio::Coro<std::string> download(std::string page, double delay) {
  co_await corio::sleep(delay);
  if (page == "missing.html") throw std::runtime_error(page + ": 404 Not Found");
  co_return page;
}

double start = 0;  // when main_coro began, on the loop's clock

double since_start() { return corio::get_running_loop().time() - start; }

corio::Coro<> main_coro() {
  start = corio::get_running_loop().time();
  std::vector<corio::Task<std::string>> tasks;
  tasks.push_back(corio::create_task(download("index.html", 1.5), "index.html"));
  tasks.push_back(corio::create_task(download("about.html", 0.5), "about.html"));
  tasks.push_back(corio::create_task(download("missing.html", 1), "missing.html"));
  tasks.push_back(corio::create_task(download("blog.html", 2), "blog.html"));

  auto [done, pending] = co_await corio::wait(tasks, corio::FIRST_COMPLETED);
  std::printf("%.1fs  wait: done %s; pending", since_start(), done[0].get_name().c_str());
  for (const auto& task : pending) std::printf(" %s", task.get_name().c_str());
  std::printf("\n");

  auto rest = corio::as_completed(pending);
  while (rest.remaining() > 0) {
    try {
      std::string page = co_await rest.next();
      std::printf("%.1fs  as_completed: %s\n", since_start(), page.c_str());
    } catch (const std::exception& e) {
      std::printf("%.1fs  as_completed: error: %s\n", since_start(), e.what());
    }
  }
}

int main() { corio::run(main_coro()); }
