// E18 asyncio.TimeoutError: CancelledError inside the timed block, TimeoutError outside it, and how to catch it
#include <cstdio>
#include <exception>
#include <string>

#include <corio/corio.hpp>

double elapsed() { return corio::get_running_loop().time(); }

corio::Coro<std::string> build_report() {
  std::printf("%.1f    the report takes 3 s\n", elapsed());
  try {
    co_await corio::sleep(3);
  } catch (const corio::CancelledError&) {
    // Inside the block the deadline is an ordinary cancellation: tidy up, let it go on.
    std::printf("%.1f    build_report: CancelledError at its sleep; removing the half-written file\n", elapsed());
    throw;
  }
  co_return "report ready";
}

// One try under a deadline of `limit` seconds; true when the report was built.
corio::Coro<bool> attempt(double limit) {
  corio::Timeout deadline = corio::timeout(limit);
  try {
    std::string report = co_await deadline.run(build_report());
    std::printf("%.1f    got: %s; expired(): %s\n", elapsed(), report.c_str(), deadline.expired() ? "yes" : "no");
    co_return true;
  } catch (const corio::TimeoutError& e) {
    std::printf("%.1f    outside the block: TimeoutError: %s\n", elapsed(), e.what());
    std::printf("%.1f    expired(): %s\n", elapsed(), deadline.expired() ? "yes" : "no");
    co_return false;
  }
}

corio::Coro<> main_coro() {
  std::printf("attempt 1, with a 2 s timeout:\n");
  if (!co_await attempt(2)) {
    std::printf("attempt 2, with a 5 s timeout (the guide: increase the timeout):\n");
    co_await attempt(5);
  }

  // TimeoutError is an ordinary error: a catch of std::exception sees it.
  std::printf("wait_for(build_report(), 1):\n");
  try {
    co_await corio::wait_for(build_report(), 1);
  } catch (const std::exception& e) {
    std::printf("%.1f    caught as a std::exception: %s\n", elapsed(), e.what());
  }
}

// On the virtual clock the seconds pass at once, tour or not.
int main() { corio::run(main_coro(), corio::LoopOptions{.clock = corio::ClockKind::Virtual}); }
