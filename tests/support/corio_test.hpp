// @chapter 01
// What the tests share: loops on the virtual clock, a way to catch what the
// runtime reports, a counter of lives that catches objects (and so
// coroutine frames) destroyed twice or never, and a runner for the
// chapters' example programs.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <corio/loop/diagnostics.hpp>
#include <corio/loop/loop.hpp>
#include <corio/tasks/task.hpp>  // @since 05

namespace corio_test {

// @since 02
// A loop on the virtual clock; the poller comes from CORIO_POLLER, which
// `make test` sets to select for one run of the suite and epoll for another.
inline corio::LoopOptions virtual_time() { return {.poller = std::nullopt, .clock = corio::ClockKind::Virtual}; }
// @end

// Collects every diagnostic reported while it lives.
class Diagnostics {
 public:
  Diagnostics() {
    previous_ = corio::set_diagnostic_sink([this](std::string_view m) { messages.emplace_back(m); });
  }
  ~Diagnostics() { corio::set_diagnostic_sink(std::move(previous_)); }
  Diagnostics(const Diagnostics&) = delete;
  Diagnostics& operator=(const Diagnostics&) = delete;

  bool any_contains(std::string_view text) const {
    for (const std::string& m : messages) {
      if (m.find(text) != std::string::npos) return true;
    }
    return false;
  }

  std::vector<std::string> messages;

 private:
  corio::DiagnosticSink previous_;
};

// Counts lives. Put a Life in a coroutine (as a local or a parameter) and
// the count tells whether its frame was destroyed: exactly once, or never.
struct Lives {
  int made = 0;
  int ended = 0;
  int twice = 0;  // destructors run on an already-destroyed Life
  int alive() const { return made - ended; }
};

class Life {
 public:
  explicit Life(Lives& lives) : lives_(&lives) { ++lives_->made; }
  Life(const Life& other) : lives_(other.lives_) { ++lives_->made; }
  Life& operator=(const Life&) = delete;
  ~Life() {
    if (state_ != kAlive) {
      ++lives_->twice;
      return;
    }
    state_ = kDead;
    ++lives_->ended;
  }

 private:
  static constexpr unsigned kAlive = 0xA11CE;
  static constexpr unsigned kDead = 0xDEAD;
  Lives* lives_;
  unsigned state_ = kAlive;
};

// Both ends of a pipe, closed when the test is done with them.
struct Pipe {
  int read_end = -1;
  int write_end = -1;
  Pipe() {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe() failed");
    read_end = fds[0];
    write_end = fds[1];
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  ~Pipe() {
    if (read_end >= 0) ::close(read_end);
    if (write_end >= 0) ::close(write_end);
  }
  void put(char c = 'x') const {
    if (::write(write_end, &c, 1) != 1) throw std::runtime_error("write to the test pipe failed");
  }
  char take() const {
    char c = 0;
    if (::read(read_end, &c, 1) != 1) throw std::runtime_error("read from the test pipe failed");
    return c;
  }
};

// A FILE* that writes to memory, for what the runtime prints (the trace,
// the timeline); text() is what was written so far.
class Capture {
 public:
  Capture() : file_(::open_memstream(&buf_, &size_)) {
    if (file_ == nullptr) throw std::runtime_error("open_memstream() failed");
  }
  ~Capture() {
    std::fclose(file_);
    std::free(buf_);
  }
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;
  std::FILE* file() const { return file_; }
  std::string text() const {
    std::fflush(file_);
    return std::string(buf_, size_);
  }

 private:
  char* buf_ = nullptr;
  std::size_t size_ = 0;
  std::FILE* file_;
};

// Where the chapters' programs were built: the test binary is
// <build>/tests/<name>, the programs are under <build>/examples. Found at run
// time rather than compiled in, so that a test's object file does not depend
// on the build directory and is shared by every build with the same flags
// (the sanitizer variants, the chapters' snapshots).
inline std::string examples_dir() {
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) throw std::runtime_error("cannot read /proc/self/exe to find the built programs");
  std::string path(self, static_cast<std::size_t>(n));
  for (int up = 0; up < 2; ++up) path.erase(path.rfind('/'));
  return path + "/examples";
}

// Runs chapters/<chapter>/<program> (built under <build>/examples) on the
// virtual clock and returns what it printed on stdout; env adds variables
// ("CORIO_TRACE=1").
inline std::string run_example(const std::string& program, const std::string& env = "") {
  std::string cmd = "CORIO_CLOCK=virtual " + env + " " + examples_dir() + "/" + program;
  FILE* out = ::popen(cmd.c_str(), "r");
  if (out == nullptr) throw std::runtime_error("cannot start " + cmd);
  std::string text;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, out)) > 0;) text.append(buf, n);
  int status = ::pclose(out);
  if (status != 0) throw std::runtime_error(cmd + " exited with status " + std::to_string(status));
  return text;
}

// A program's output, a line per entry, for comparing line by line.
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// @since 05
// Runs main as a task to its end, like corio::run, then closes the loop
// with whatever tasks are still pending: they are destroyed where they wait
// and reported, as when a loop is closed by hand. (From chapter 10 on,
// corio::run cancels such tasks instead, and lets them finish.)
template <class T>
T run_and_close(corio::Coro<T> main) {
  std::optional<corio::Task<T>> task;
  {
    corio::Loop loop(virtual_time());
    loop.call_soon([&] {
      task = corio::create_task(std::move(main));
      task->add_done_callback([&loop](const corio::Task<T>&) { loop.stop(); });
    });
    loop.run_forever();
  }
  return task->result();
}
// @end

}  // namespace corio_test
