// @chapter 12
// Real peers for the tests: a program of someone else's (Python's asyncio,
// tests/peers/*.py) started as a child process, talked to over 127.0.0.1.
//
// A Peer spawns the program with posix_spawnp, its stdin and stdout on
// pipes (stderr is the test's own, so a peer's traceback shows in the
// test's output). Every wait is bounded: reading a line, reading to the end,
// waiting for the exit all take a limit in seconds and throw, naming the
// program and what it was waiting for, when it passes; a test that goes
// wrong fails with that message instead of hanging. The destructor closes
// the peer's stdin (the echo server exits on that), kills what is still
// running and reaps it, so no test leaves a process behind.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "corio_test.hpp"

extern char** environ;

namespace corio_test {

// The number of file descriptors this process has open (the entries of
// /proc/self/fd, less the one the listing itself holds). The tests count
// before and after to show nothing leaked.
inline int open_fd_count() {
  int n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n - 1;
}

// A file of the source tree, e.g. "tests/peers/echo_server.py": found from
// the current directory or from the build directory the tests were built
// for (examples_dir() is <tree>/<build>/examples), going up.
inline std::string source_file(const std::string& relative) {
  namespace fs = std::filesystem;
  std::vector<fs::path> starts = {fs::current_path(), examples_dir()};
  for (fs::path dir : starts) {
    for (; !dir.empty(); dir = dir.parent_path()) {
      std::error_code ec;
      if (fs::is_regular_file(dir / relative, ec)) return (dir / relative).string();
      if (dir == dir.root_path()) break;
    }
  }
  throw std::runtime_error("cannot find " + relative + " above " + fs::current_path().string() +
                           " (run the tests from the source tree)");
}

class Peer {
 public:
  // Starts argv[0] (looked up in PATH) with the rest as its arguments.
  explicit Peer(std::vector<std::string> argv) : name_(argv.at(0)) {
    for (std::size_t i = 1; i < argv.size(); ++i) name_ += " " + argv[i];
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed for " + name_);
    if (::pipe2(out, O_CLOEXEC) != 0) {
      ::close(in[0]);
      ::close(in[1]);
      throw std::runtime_error("pipe2 failed for " + name_);
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    int err = ::posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
    if (err != 0) {
      pid_ = -1;
      close_fds();
      throw std::runtime_error("cannot start " + name_ + ": " + std::strerror(err));
    }
  }
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;
  ~Peer() {
    close_stdin();
    if (pid_ > 0 && !reap(0.5)) {
      ::kill(pid_, SIGKILL);
      reap(10.0);
    }
    close_fds();
  }

  const std::string& name() const { return name_; }
  pid_t pid() const { return pid_; }  // -1 once reaped
  int stdout_fd() const { return stdout_; }

  // The peer's stdin reaches end of file: the echo server exits.
  void close_stdin() {
    if (stdin_ >= 0) ::close(stdin_);
    stdin_ = -1;
  }

  // The next line the peer prints, without its newline. Throws when the
  // peer ends its output first or prints nothing for `seconds`.
  std::string line(double seconds = 10) {
    Deadline until(seconds);
    for (;;) {
      std::size_t nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string l = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return l;
      }
      if (!fill(until)) throw std::runtime_error(name_ + " ended its output before printing a whole line");
    }
  }

  // Everything the peer prints up to the end of its output.
  std::string rest(double seconds = 30) {
    Deadline until(seconds);
    while (fill(until)) {
    }
    return std::exchange(buffer_, std::string());
  }

  // Waits for the peer to exit and returns its exit status (a signal that
  // killed it: 128 + the signal). Throws after `seconds`.
  int wait(double seconds = 30) {
    if (!reap(seconds)) {
      throw std::runtime_error(name_ + " did not exit within " + seconds_text(seconds) + " s");
    }
    return status_;
  }

 private:
  static std::string seconds_text(double seconds) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", seconds);
    return text;
  }

  struct Deadline {
    explicit Deadline(double seconds)
        : at(std::chrono::steady_clock::now() +
             std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds))),
          seconds(seconds) {}
    int ms_left() const {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(at - std::chrono::steady_clock::now());
      return left.count() > 0 ? static_cast<int>(left.count()) : 0;
    }
    std::chrono::steady_clock::time_point at;
    double seconds;
  };

  // Reads what the peer printed into buffer_; false at the end of its output.
  bool fill(const Deadline& until) {
    if (stdout_ < 0) return false;
    pollfd p{stdout_, POLLIN, 0};
    int ready;
    while ((ready = ::poll(&p, 1, until.ms_left())) < 0 && errno == EINTR) {
    }
    if (ready == 0) {
      throw std::runtime_error(name_ + " printed nothing more for " + seconds_text(until.seconds) +
                               " s (what it printed: '" + buffer_ + "')");
    }
    char buf[4096];
    ssize_t n;
    while ((n = ::read(stdout_, buf, sizeof buf)) < 0 && errno == EINTR) {
    }
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  // Waits up to `seconds` for the peer to exit; true once it is reaped.
  bool reap(double seconds) {
    if (pid_ <= 0) return true;
    Deadline until(seconds);
    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
    for (;;) {
      int status = 0;
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_ || (r < 0 && errno != EINTR)) {
        status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        pid_ = -1;
        if (pidfd >= 0) ::close(pidfd);
        return true;
      }
      int left = until.ms_left();
      if (left == 0) {
        if (pidfd >= 0) ::close(pidfd);
        return false;
      }
      // Readable when the process exits; without pidfd_open (before Linux
      // 5.3), look again every millisecond.
      pollfd p{pidfd, POLLIN, 0};
      ::poll(pidfd >= 0 ? &p : nullptr, pidfd >= 0 ? 1 : 0, pidfd >= 0 ? left : 1);
    }
  }

  void close_fds() {
    close_stdin();
    if (stdout_ >= 0) ::close(stdout_);
    stdout_ = -1;
  }

  std::string name_;
  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  int status_ = -1;
  std::string buffer_;
};

// python3 running one of tests/peers/, with its arguments.
inline std::vector<std::string> python_peer(const std::string& script, std::vector<std::string> args = {}) {
  std::vector<std::string> argv = {"python3", "-u", source_file("tests/peers/" + script)};
  for (std::string& a : args) argv.push_back(std::move(a));
  return argv;
}

// The payload the Python echo client sends: byte i is i % 251.
inline std::string peer_payload(std::size_t size) {
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>(i % 251);
  return s;
}

}  // namespace corio_test
