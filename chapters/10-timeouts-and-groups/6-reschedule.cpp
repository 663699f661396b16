// Timeout::reschedule: an idle timeout, pushed back one second each time a chunk arrives
#include <cstdio>

#include <corio/corio.hpp>

double elapsed() { return corio::get_running_loop().time(); }

corio::Coro<> download(corio::Timeout& deadline) {
  const double chunk_takes[] = {0.8, 0.8, 0.8, 1.5};  // the last one stalls
  for (int i = 0; i < 4; ++i) {
    co_await corio::sleep(chunk_takes[i]);
    deadline.reschedule(elapsed() + 1.0);
    std::printf("%.1f  chunk %d; deadline moved to %.1f\n", elapsed(), i + 1, *deadline.when());
  }
}

corio::Coro<> main_coro() {
  corio::Timeout deadline = corio::timeout(1.0);
  std::printf("%.1f  download starts; deadline %.1f\n", elapsed(), *deadline.when());
  try {
    co_await deadline.run(download(deadline));
  } catch (const corio::TimeoutError&) {
    std::printf("%.1f  TimeoutError: no chunk for 1 s; expired(): %s\n", elapsed(), deadline.expired() ? "yes" : "no");
  }
}

int main() { corio::run(main_coro(), corio::LoopOptions{.clock = corio::ClockKind::Virtual}); }
