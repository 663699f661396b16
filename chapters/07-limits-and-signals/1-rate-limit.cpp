// E06 rate limiting: 100 requests, at most 10 in flight (Semaphore(10))
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <corio/corio.hpp>
#include <corio/sync/semaphore.hpp>

// The simulated server counts the requests it is serving at once.
int in_flight = 0;
int max_in_flight = 0;
int done = 0;
double start = 0;
std::vector<std::string> timeline;  // one line per moment something changed

double elapsed() { return corio::get_running_loop().time() - start; }

// Records the state after a change; changes at the same moment share a line.
void note() {
  char line[160];
  std::string bar(static_cast<std::size_t>(std::min(in_flight, 10)), '#');
  if (in_flight > 10) bar += '+';
  std::snprintf(line, sizeof line, "  %4.1f  %-11s %3d in flight, %3d done", elapsed(), bar.c_str(), in_flight, done);
  std::string moment = std::string(line).substr(0, 8);
  if (!timeline.empty() && timeline.back().compare(0, 8, moment) == 0) timeline.pop_back();
  timeline.push_back(line);
}

// A simulated HTTP client: every request takes half a second.
corio::Coro<std::string> client_get(std::string url) {
  max_in_flight = std::max(max_in_flight, ++in_flight);
  note();
  co_await corio::sleep(0.5);
  --in_flight;
  ++done;
  note();
  co_return "200 OK " + url;
}

corio::Coro<std::string> fetch_with_limit(corio::Semaphore& semaphore, std::string url) {
  auto held = co_await semaphore.hold();  // async with semaphore:
  co_return co_await client_get(url);
}

corio::Coro<> fetch_all(corio::Semaphore* semaphore) {
  in_flight = max_in_flight = done = 0;
  timeline.clear();
  start = corio::get_running_loop().time();
  std::vector<corio::Task<std::string>> tasks;
  for (int i = 0; i < 100; ++i) {
    std::string url = "https://api.example.com/items/" + std::to_string(i);
    tasks.push_back(corio::create_task(semaphore ? fetch_with_limit(*semaphore, url) : client_get(url)));
  }
  int ok = 0;
  for (corio::Task<std::string>& task : tasks) ok += (co_await task).rfind("200 OK", 0) == 0;
  for (const std::string& line : timeline) std::printf("%s\n", line.c_str());
  std::printf("%d responses, at most %d in flight, total %.1fs\n", ok, max_in_flight, elapsed());
}

corio::Coro<> main_coro() {
  std::printf("without a limit (# = a request in flight, + = more than ten):\n");
  co_await fetch_all(nullptr);
  std::printf("with Semaphore(10):\n");
  corio::Semaphore semaphore(10);
  co_await fetch_all(&semaphore);
}

int main() { corio::run(main_coro()); }
