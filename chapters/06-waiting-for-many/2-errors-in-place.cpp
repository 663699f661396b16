// E09 errors without stopping the others: the first error at once, or every error in its place
#include <cstdio>
#include <stdexcept>
#include <string>
#include <tuple>

#include <corio/corio.hpp>
#include <corio/waiting/gather.hpp>

double start = 0;  // when the current gather began, on the loop's clock

double since_start() { return corio::get_running_loop().time() - start; }

corio::Coro<std::string> fetch(std::string source, double delay) {
  co_await corio::sleep(delay);
  std::printf("  %.1fs  %s answered\n", since_start(), source.c_str());
  co_return "Data from " + source;
}

corio::Coro<std::string> broken(std::string source, double delay) {
  co_await corio::sleep(delay);
  throw std::runtime_error(source + " is down");
}

template <class T>
void show(const char* source, const corio::Outcome<T>& outcome) {
  try {
    std::printf("  %s: %s\n", source, outcome.value().c_str());
  } catch (const std::exception& e) {
    std::printf("  %s: error: %s\n", source, e.what());
  }
}

corio::Coro<> main_coro() {
  std::printf("without return_exceptions:\n");
  start = corio::get_running_loop().time();
  try {
    co_await corio::gather(fetch("API", 1.5), broken("Database", 1), fetch("Cache", 0.5));
  } catch (const std::exception& e) {
    std::printf("  %.1fs  caught: %s\n", since_start(), e.what());
  }
  co_await corio::sleep(1);  // the API fetch was not cancelled: watch it answer

  std::printf("with return_exceptions:\n");
  start = corio::get_running_loop().time();
  auto [api, database, cache] =
      co_await corio::gather(corio::return_exceptions, fetch("API", 1.5), broken("Database", 1), fetch("Cache", 0.5));
  std::printf("  %.1fs  every result is back\n", since_start());
  show("API", api);
  show("Database", database);
  show("Cache", cache);
}

int main() { corio::run(main_coro()); }
