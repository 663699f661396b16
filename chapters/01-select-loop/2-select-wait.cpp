// The same wait on a corio::Loop: asleep in select() until the pipe is readable
//
// Same helper thread, same pipe, same byte a second later. This time the main
// thread hands the loop a callback for "the pipe is readable" and runs the
// loop. The loop asks select() once and the kernel puts the thread to sleep
// until the byte arrives: no CPU is used while waiting.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include <corio/loop/loop.hpp>

namespace {

double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

int main() {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return 1;
  ::fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);

  std::thread world([fd = pipe_fds[1]] {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    (void)::write(fd, "!", 1);
  });

  corio::Loop loop;
  int calls = 0;
  char byte = 0;
  loop.add_reader(pipe_fds[0], [&] {
    ++calls;
    if (::read(pipe_fds[0], &byte, 1) != 1) return;  // not for us after all: wait on
    loop.remove_reader(pipe_fds[0]);
    loop.stop();
  });

  auto start = std::chrono::steady_clock::now();
  double cpu_start = cpu_seconds();
  loop.run_forever();
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double cpu = cpu_seconds() - cpu_start;
  world.join();

  std::printf("loop: got '%c'; the reader callback ran %d time(s)\n", byte, calls);
  std::printf("loop: waited %.1f s, used %.2f s of CPU\n", waited, cpu);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}
