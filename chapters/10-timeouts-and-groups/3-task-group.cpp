// TaskGroup: children run together; the first failure cancels the others, and the errors come out as an ExceptionGroup
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>

#include <corio/corio.hpp>

double start = 0;

double elapsed() { return corio::get_running_loop().time() - start; }

corio::Coro<std::string> fetch(std::string service, double seconds, bool fails = false) {
  std::printf("%.1f  %s: fetching\n", elapsed(), service.c_str());
  try {
    co_await corio::sleep(seconds);
  } catch (const corio::CancelledError&) {
    std::printf("%.1f  %s: cancelled\n", elapsed(), service.c_str());
    throw;
  }
  if (fails) throw std::runtime_error(service + " is down");
  std::printf("%.1f  %s: done\n", elapsed(), service.c_str());
  co_return "<" + service + ">";
}

struct Dashboard {
  corio::Task<std::string> github, twitter, linkedin;
};

// The group's block: it starts the children and returns; run() waits for them.
corio::Coro<> start_fetches(corio::TaskGroup& group, Dashboard& d, bool twitter_down) {
  d.github = group.create_task(fetch("github", 0.3));
  d.twitter = group.create_task(fetch("twitter", 0.1, twitter_down));
  d.linkedin = group.create_task(fetch("linkedin", 0.2));
  co_return;
}

corio::Coro<> main_coro() {
  start = corio::get_running_loop().time();
  std::printf("every service answers:\n");
  Dashboard ok;
  corio::TaskGroup group;
  co_await group.run(start_fetches(group, ok, false));
  std::printf("%.1f  run() returned: %s %s %s\n", elapsed(), ok.github.result().c_str(), ok.twitter.result().c_str(),
              ok.linkedin.result().c_str());

  std::printf("twitter is down:\n");
  Dashboard failed;
  corio::TaskGroup group2;
  try {
    co_await group2.run(start_fetches(group2, failed, true));
  } catch (const corio::ExceptionGroup& e) {
    std::printf("%.1f  ExceptionGroup: %s\n", elapsed(), e.what());
    std::printf("%.1f  %zu error(s); github cancelled: %s, linkedin cancelled: %s\n", elapsed(),
                e.exceptions().size(), failed.github.cancelled() ? "yes" : "no",
                failed.linkedin.cancelled() ? "yes" : "no");
  }
}

int main() { corio::run(main_coro()); }
