// Three seconds of timers in microseconds: the virtual clock
//
// A loop made with LoopOptions{.clock = Virtual} reads a clock that only the
// loop moves: whenever nothing is ready and no fd fired, it jumps straight
// to the next deadline. Here a heartbeat re-arms itself every half second
// for three seconds. The loop's clock says 3 s; the wall clock says how long
// it really took.
#include <chrono>
#include <cstdio>

#include <corio/loop/loop.hpp>

int main() {
  corio::Loop loop({.clock = corio::ClockKind::Virtual});
  int beats = 0;
  auto wall_start = std::chrono::steady_clock::now();

  struct Heartbeat {
    corio::Loop* loop;
    int* beats;
    void operator()() const {
      ++*beats;
      std::printf("beat %d at %.1f s\n", *beats, loop->time());
      if (loop->time() >= 3.0) {
        loop->stop();
        return;
      }
      loop->call_later(0.5, *this);
    }
  };
  loop.call_later(0.5, Heartbeat{&loop, &beats});
  loop.run_forever();

  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  std::printf("%d beats; the loop's clock says %.3f s, the wall clock %.0f us\n", beats, loop.time(), wall * 1e6);
}
