// E08 timeouts: under corio::timeout(5), a slow fetch raises TimeoutError after 5 s; a fast one returns normally
#include <cstdio>
#include <string>

#include <corio/corio.hpp>

double elapsed() { return corio::get_running_loop().time(); }

// Stands in for a network fetch that takes `seconds`.
corio::Coro<std::string> fetch_url(std::string url, double seconds) {
  std::printf("%.1f  fetching %s (it takes %.0f s)\n", elapsed(), url.c_str(), seconds);
  co_await corio::sleep(seconds);
  co_return "<page " + url + ">";
}

corio::Coro<> fetch_with_timeout(std::string url, double seconds) {
  try {
    std::string result = co_await corio::timeout(5).run(fetch_url(url, seconds));
    std::printf("%.1f  got %s\n", elapsed(), result.c_str());
  } catch (const corio::TimeoutError&) {
    std::printf("%.1f  TimeoutError: %s took longer than 5 s\n", elapsed(), url.c_str());
  }
}

corio::Coro<> main_coro() {
  co_await fetch_with_timeout("https://slow.example/", 60);
  co_await fetch_with_timeout("https://fast.example/", 1);
}

// On the virtual clock the five seconds pass at once, tour or not.
int main() { corio::run(main_coro(), corio::LoopOptions{.clock = corio::ClockKind::Virtual}); }
