// E04 two downloads: awaited one after the other (2.0 s), then as tasks (1.0 s)
#include <cstdio>
#include <string>

#include <corio/corio.hpp>

double start = 0;  // loop.time() when the current part began

double elapsed() { return corio::get_running_loop().time() - start; }

corio::Coro<std::string> download(std::string page) {
  std::printf("  %.1f  start %s\n", elapsed(), page.c_str());
  co_await corio::sleep(1);
  std::printf("  %.1f  done  %s\n", elapsed(), page.c_str());
  co_return "<" + page + ">";
}

corio::Coro<> main_coro() {
  std::printf("awaiting two coroutines, one after the other:\n");
  start = corio::get_running_loop().time();
  std::string page1 = co_await download("page1.html");
  std::string page2 = co_await download("page2.html");
  std::printf("total: %.1fs\n", elapsed());

  std::printf("creating two tasks, then awaiting them:\n");
  start = corio::get_running_loop().time();
  corio::Task<std::string> task1 = corio::create_task(download("page1.html"));
  corio::Task<std::string> task2 = corio::create_task(download("page2.html"));
  std::string result1 = co_await task1;
  std::string result2 = co_await task2;
  std::printf("got %s and %s\n", result1.c_str(), result2.c_str());
  std::printf("total: %.1fs\n", elapsed());
}

int main() { corio::run(main_coro()); }
