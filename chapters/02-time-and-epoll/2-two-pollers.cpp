// One program, two pollers: select and epoll behind the same interface
//
// The same schedule runs on a loop with each poller, chosen at run time with
// LoopOptions (a program that passes none gets CORIO_POLLER's, else epoll):
// a timer writes a byte into a pipe at 0.1 s, the pipe's reader picks it up,
// a second timer stops the loop at 0.2 s. Then the difference that matters:
// an fd numbered past FD_SETSIZE, which select cannot watch and epoll can.
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

#include <corio/errors.hpp>
#include <corio/loop/loop.hpp>

namespace {

void same_schedule(corio::PollerKind kind) {
  corio::Loop loop({.poller = kind});
  const char* name = loop.poller_name();
  const double start = loop.time();
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return;

  loop.add_reader(pipe_fds[0], [&] {
    char byte = 0;
    (void)::read(pipe_fds[0], &byte, 1);
    std::printf("%-6s %.3f s  the reader got '%c'\n", name, loop.time() - start, byte);
    loop.remove_reader(pipe_fds[0]);
  });
  loop.call_later(0.1, [&] {
    std::printf("%-6s %.3f s  a timer writes '!' into the pipe\n", name, loop.time() - start);
    (void)::write(pipe_fds[1], "!", 1);
  });
  loop.call_later(0.2, [&] {
    std::printf("%-6s %.3f s  stop\n", name, loop.time() - start);
    loop.stop();
  });
  loop.run_forever();
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

// Watches fd 1100 (a copy of a pipe's read end) with the given poller.
void watch_a_high_fd(corio::PollerKind kind, int high_fd) {
  corio::Loop loop({.poller = kind});
  try {
    loop.add_reader(high_fd, [] {});
    std::printf("%-6s watches fd %d\n", loop.poller_name(), high_fd);
    loop.remove_reader(high_fd);
  } catch (const corio::InvalidArgument& e) {
    std::printf("%-6s refuses fd %d: %s\n", loop.poller_name(), high_fd, e.what());
  }
}

}  // namespace

int main() {
  same_schedule(corio::PollerKind::Select);
  same_schedule(corio::PollerKind::Epoll);

  // Most systems start a process with room for 1024 fds; ask for more.
  const int high_fd = 1100;
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur <= static_cast<rlim_t>(high_fd) && limit.rlim_max > static_cast<rlim_t>(high_fd)) {
    limit.rlim_cur = static_cast<rlim_t>(high_fd) + 1;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0 || ::dup2(pipe_fds[0], high_fd) != high_fd) {
    std::printf("this system will not give a process fd %d; the comparison is skipped\n", high_fd);
    return 0;
  }
  watch_a_high_fd(corio::PollerKind::Select, high_fd);
  watch_a_high_fd(corio::PollerKind::Epoll, high_fd);
  for (int fd : {pipe_fds[0], pipe_fds[1], high_fd}) ::close(fd);
}
