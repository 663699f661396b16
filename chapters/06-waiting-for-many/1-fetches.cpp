// E02 three fetches with gather: they overlap, so the wait is the slowest one, 2.0 s, not 3.5 s
#include <cstdio>
#include <string>

#include <corio/corio.hpp>
#include <corio/waiting/gather.hpp>

corio::Coro<std::string> fetch_data(std::string source, double delay) {
  std::printf("Fetching from %s...\n", source.c_str());
  co_await corio::sleep(delay);
  co_return "Data from " + source;
}

corio::Coro<> main_coro() {
  corio::Loop& loop = corio::get_running_loop();
  double start = loop.time();
  auto [api, database, cache] =
      co_await corio::gather(fetch_data("API", 2), fetch_data("Database", 1), fetch_data("Cache", 0.5));
  double elapsed = loop.time() - start;
  std::printf("%s\n%s\n%s\n", api.c_str(), database.c_str(), cache.c_str());
  std::printf("Concurrent: %.1fs\n", elapsed);
}

int main() { corio::run(main_coro()); }
