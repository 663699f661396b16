// E11 a log line names its task; the run as a Chrome trace (open it in ui.perfetto.dev or chrome://tracing)
#include <cstdio>
#include <string>
#include <vector>

#include <corio/corio.hpp>

// One download: wait for a permit, then "fetch" for delay seconds.
corio::Coro<> fetch(corio::Semaphore& limit, std::string url, double delay) {
  corio::log("waiting for a permit for " + url);
  auto permit = co_await limit.hold();
  corio::log("GET " + url);
  co_await corio::sleep(delay);
  corio::log("done " + url);
}

corio::Coro<> crawl(std::string trace_path) {
  // The trace records from here on, and is written when the loop closes.
  corio::record_chrome_trace(corio::get_running_loop(), trace_path);
  corio::Semaphore limit(2);
  std::vector<corio::Task<>> fetches;
  fetches.push_back(corio::create_task(fetch(limit, "/a", 0.3), "fetch-a"));
  fetches.push_back(corio::create_task(fetch(limit, "/b", 0.1), "fetch-b"));
  fetches.push_back(corio::create_task(fetch(limit, "/c", 0.2), "fetch-c"));
  co_await corio::gather(std::move(fetches));
  corio::log("all done; the trace goes to " + trace_path + " as the loop closes");
}

int main(int argc, char** argv) {
  // Every log line to stdout, in the default format: time, level, task, message.
  corio::set_log_sink([](const corio::LogRecord& record) { std::printf("%s\n", record.line().c_str()); });
  corio::run(crawl(argc > 1 ? argv[1] : "corio-trace.json"));
}
