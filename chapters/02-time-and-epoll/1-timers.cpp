// Timers fire in deadline order, whatever order they were scheduled in
//
// Six callbacks are handed to the loop out of order: call_later with delays,
// call_at with an absolute time on the loop's clock, one call_soon, and one
// timer cancelled before it can fire. Each prints the loop's time (seconds
// since the loop started) when it runs.
#include <cstdio>

#include <corio/loop/loop.hpp>

int main() {
  corio::Loop loop;
  const double start = loop.time();
  auto say = [&](const char* what) {
    return [&loop, start, what] { std::printf("%.3f s  %s\n", loop.time() - start, what); };
  };

  loop.call_later(0.3, say("call_later(0.3)"));
  loop.call_later(0.1, say("call_later(0.1)"));
  loop.call_at(start + 0.2, say("call_at(start + 0.2)"));
  loop.call_later(0.2, say("call_later(0.2): the same deadline, scheduled later, so it runs later"));
  corio::TimerHandle cancelled = loop.call_later(0.15, say("call_later(0.15): cancelled, never printed"));
  loop.call_soon(say("call_soon: no deadline, runs on the first iteration"));
  loop.call_later(0.4, [&] {
    std::printf("%.3f s  call_later(0.4): stop\n", loop.time() - start);
    loop.stop();
  });
  cancelled.cancel();

  std::printf("%s clock, %s poller\n", loop.virtual_clock() ? "virtual" : "real", loop.poller_name());
  loop.run_forever();
}
