// call_soon_threadsafe from a thread of your own: a sensor thread hands its readings to the loop
#include <cstdio>
#include <thread>

#include <corio/corio.hpp>

corio::Coro<> main_coro() {
  const std::thread::id loop_thread = std::this_thread::get_id();
  corio::Queue<int> readings;  // the loop's: only its thread touches it
  corio::RemoteLoop remote = corio::get_running_loop().remote();
  remote.work_started();  // calls are owed: the loop waits for them instead of saying it would wait forever

  std::thread sensor([remote, &readings] {
    for (int i = 1; i <= 3; ++i) {
      int value = 20 + i;  // stands in for reading a device, blocking
      remote.call_soon_threadsafe([&readings, value] { readings.put_nowait(value); });
    }
    remote.call_soon_threadsafe([&readings] { readings.put_nowait(-1); });  // the end
    remote.work_finished();
  });

  for (;;) {
    int value = co_await readings.get();
    if (value < 0) break;
    std::printf("loop: reading %d, on the loop's thread: %s\n", value,
                std::this_thread::get_id() == loop_thread ? "yes" : "no");
  }
  sensor.join();  // its last step, work_finished(), never waits for the loop
  std::printf("loop: the sensor thread is done\n");
}

int main() { corio::run(main_coro()); }
