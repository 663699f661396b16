// A busy loop: waiting a second for a pipe burns a second of CPU
//
// A helper thread stands in for the outside world (a network peer, a user at
// a keyboard): after one second it writes a byte into a pipe. The main
// thread wants that byte and knows no better than to ask for it again and
// again. The read end is non-blocking, so every read() that finds nothing
// returns EAGAIN at once, and the loop goes straight round to ask again.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <thread>

namespace {

// User plus system CPU time this process has used so far, in seconds.
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

  auto start = std::chrono::steady_clock::now();
  double cpu_start = cpu_seconds();
  long asked = 0;
  char byte = 0;
  for (;;) {
    ++asked;
    ssize_t n = ::read(pipe_fds[0], &byte, 1);
    if (n == 1) break;
    if (n < 0 && errno != EAGAIN) return 1;
  }
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double cpu = cpu_seconds() - cpu_start;
  world.join();

  std::printf("busy loop: got '%c' after asking read() %ld times\n", byte, asked);
  std::printf("busy loop: waited %.1f s, used %.2f s of CPU\n", waited, cpu);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}
