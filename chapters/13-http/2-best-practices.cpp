// E11 best practices at once: run(), named tasks, one reused Client, timeouts, a Semaphore, a log
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <corio/corio.hpp>

constexpr int kAtOnce = 4;

double start = 0;

double elapsed() { return corio::get_running_loop().time() - start; }

// Logging: the loop's clock, a level, the task's name (chapter 05), what happened.
void log(const char* level, const std::string& message) {
  std::printf("%.3f  %-5s  %-6s  %s\n", elapsed(), level, corio::current_task().get_name().c_str(), message.c_str());
}

std::string seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f s", s);
  return text;
}

// One job: wait for a permit, GET, check the status; log the start, the end and how long it took.
corio::Coro<bool> job(corio::http::Client& client, corio::Semaphore& limit, std::string base, std::string path) {
  auto permit = co_await limit.hold();
  double began = elapsed();
  log("INFO", "started GET " + path);
  try {
    corio::http::Response response = co_await client.get(base + path);
    response.raise_for_status();
    log("INFO", "finished: " + std::to_string(response.status) + " in " + seconds(elapsed() - began));
    co_return true;
  } catch (const corio::HttpStatusError& e) {
    log("ERROR", "failed: status " + std::to_string(e.status()) + " after " + seconds(elapsed() - began));
  } catch (const corio::ReadTimeout&) {
    log("ERROR", "failed: ReadTimeout after " + seconds(elapsed() - began));
  }
  co_return false;
}

corio::Coro<> main_coro() {
  corio::http::Server server = co_await corio::http::Server::start(corio::http::test_routes(), "127.0.0.1", 0);
  std::string base = "http://127.0.0.1:" + std::to_string(server.port());

  // One client for every request: its pool keeps connections alive between them.
  corio::http::ClientOptions options;
  options.timeouts = {.connect = 1.0, .read = 0.5, .write = 1.0, .pool = 1.0};
  options.limits = {.max_connections = kAtOnce, .max_keepalive = kAtOnce};
  corio::http::Client client(options);
  corio::Semaphore limit(kAtOnce);
  std::printf("one client (timeouts: connect 1 s, read 0.5 s, write 1 s, pool 1 s), at most %d requests at once\n",
              kAtOnce);

  start = corio::get_running_loop().time();
  std::vector<std::string> paths = {"/delay/100",  "/delay/250", "/stall",     "/delay/150",
                                    "/status/503", "/delay/300", "/delay/120", "/delay/200"};
  std::vector<corio::Task<bool>> jobs;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    jobs.push_back(corio::create_task(job(client, limit, base, paths[i]), "job-" + std::to_string(i + 1)));
  }
  std::vector<corio::Outcome<bool>> results = co_await corio::gather(corio::return_exceptions, std::move(jobs));
  int succeeded = 0;
  for (const corio::Outcome<bool>& r : results) succeeded += r.has_value() && r.value();
  std::printf("%zu requests: %d succeeded, %zu failed, all done at %.3f s\n", paths.size(), succeeded,
              paths.size() - succeeded, elapsed());
  std::printf("connections opened: %zu, the pool's size, for %zu requests\n", client.connections_opened(),
              paths.size());

  co_await client.aclose();
  server.close();
  co_await server.wait_closed();
}

int main() { corio::run(main_coro()); }
