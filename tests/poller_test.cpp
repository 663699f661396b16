// @chapter 02
// The two pollers behind one interface: chosen explicitly or by CORIO_POLLER,
// reporting the same readiness, and each refusing what it cannot watch with
// an error that says what to do.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <corio/errors.hpp>
#include <corio/loop/loop.hpp>
#include <corio/loop/poller.hpp>

#include "support/corio_test.hpp"

using Catch::Matchers::Contains;
using corio::PollerKind;
using corio_test::Pipe;

namespace {

corio::LoopOptions with(PollerKind kind) { return {.poller = kind, .clock = corio::ClockKind::Real}; }

// Sets CORIO_POLLER for one test and puts back whatever was there.
class PollerEnv {
 public:
  explicit PollerEnv(const char* value) {
    if (const char* old = std::getenv("CORIO_POLLER")) saved_ = old;
    set(value);
  }
  ~PollerEnv() { set(saved_ ? saved_->c_str() : nullptr); }
  PollerEnv(const PollerEnv&) = delete;
  PollerEnv& operator=(const PollerEnv&) = delete;

 private:
  static void set(const char* value) {
    if (value) {
      ::setenv("CORIO_POLLER", value, 1);
    } else {
      ::unsetenv("CORIO_POLLER");
    }
  }
  std::optional<std::string> saved_;
};

// Raises the soft fd limit above `fd` for one test; restores it after.
class FdLimit {
 public:
  explicit FdLimit(int fd) {
    if (::getrlimit(RLIMIT_NOFILE, &saved_) != 0) return;
    rlim_t need = static_cast<rlim_t>(fd) + 1;
    if (saved_.rlim_cur >= need) {
      ok_ = true;
      return;
    }
    if (saved_.rlim_max != RLIM_INFINITY && saved_.rlim_max < need) return;
    rlimit raised = saved_;
    raised.rlim_cur = need;
    ok_ = ::setrlimit(RLIMIT_NOFILE, &raised) == 0;
    changed_ = ok_;
  }
  ~FdLimit() {
    if (changed_) ::setrlimit(RLIMIT_NOFILE, &saved_);
  }
  FdLimit(const FdLimit&) = delete;
  FdLimit& operator=(const FdLimit&) = delete;
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  bool ok_ = false;
  bool changed_ = false;
};

constexpr int kHighFd = 1100;  // above FD_SETSIZE (1024)
static_assert(kHighFd >= FD_SETSIZE);

}  // namespace

TEST_CASE("select and epoll report readability and writability the same", "[ch02]") {
  auto kind = GENERATE(PollerKind::Select, PollerKind::Epoll);
  CAPTURE(corio::detail::poller_name(kind));
  corio::Loop loop(with(kind));
  Pipe pipe;
  int reads = 0;
  int writes = 0;
  loop.add_reader(pipe.read_end, [&] { ++reads; });
  loop.add_writer(pipe.write_end, [&] { ++writes; });

  loop.run_once();
  CHECK(reads == 0);
  CHECK(writes == 1);

  REQUIRE(::write(pipe.write_end, "ab", 2) == 2);
  loop.run_once();
  CHECK(reads == 1);
  CHECK(writes == 2);

  // Level-triggered on both: unread data keeps the reader firing.
  CHECK(loop.remove_writer(pipe.write_end));
  loop.run_once();
  CHECK(reads == 2);
  char buf[2];
  REQUIRE(::read(pipe.read_end, buf, 2) == 2);

  // The writer gone and the pipe drained: only the writer's close wakes it.
  ::close(pipe.write_end);
  pipe.write_end = -1;
  loop.run_once();
  CHECK(reads == 3);
  CHECK(writes == 2);
  CHECK(loop.remove_reader(pipe.read_end));
}

TEST_CASE("a full pipe is not writable on either poller", "[ch02]") {
  auto kind = GENERATE(PollerKind::Select, PollerKind::Epoll);
  CAPTURE(corio::detail::poller_name(kind));
  corio::Loop loop(with(kind));
  Pipe full;
  Pipe other;
  char chunk[4096] = {};
  REQUIRE(::fcntl(full.write_end, F_SETFL, O_NONBLOCK) == 0);
  while (::write(full.write_end, chunk, sizeof chunk) > 0) {
  }
  int full_writes = 0;
  int other_writes = 0;
  loop.add_writer(full.write_end, [&] { ++full_writes; });
  loop.add_writer(other.write_end, [&] { ++other_writes; });
  loop.run_once();
  CHECK(full_writes == 0);
  CHECK(other_writes == 1);
  // Draining the pipe makes it writable again.
  REQUIRE(::fcntl(full.read_end, F_SETFL, O_NONBLOCK) == 0);
  while (::read(full.read_end, chunk, sizeof chunk) > 0) {
  }
  loop.run_once();
  CHECK(full_writes == 1);
  loop.remove_writer(full.write_end);
  loop.remove_writer(other.write_end);
}

TEST_CASE("the loop names the poller it was given", "[ch02]") {
  CHECK(std::string(corio::Loop(with(PollerKind::Select)).poller_name()) == "select");
  CHECK(std::string(corio::Loop(with(PollerKind::Epoll)).poller_name()) == "epoll");
  CHECK(corio::detail::poller_name(PollerKind::Select) == "select");
  CHECK(corio::detail::poller_name(PollerKind::Epoll) == "epoll");
}

TEST_CASE("CORIO_POLLER picks the poller of a loop given none", "[ch02]") {
  SECTION("select") {
    PollerEnv env("select");
    CHECK(corio::detail::poller_from_env() == PollerKind::Select);
    CHECK(std::string(corio::Loop().poller_name()) == "select");
  }
  SECTION("epoll") {
    PollerEnv env("epoll");
    CHECK(corio::detail::poller_from_env() == PollerKind::Epoll);
    CHECK(std::string(corio::Loop().poller_name()) == "epoll");
  }
  SECTION("unset means epoll") {
    PollerEnv env(nullptr);
    CHECK(corio::detail::poller_from_env() == PollerKind::Epoll);
    CHECK(std::string(corio::Loop().poller_name()) == "epoll");
  }
  SECTION("empty means epoll") {
    PollerEnv env("");
    CHECK(corio::detail::poller_from_env() == PollerKind::Epoll);
  }
  SECTION("an explicit choice wins over the environment") {
    PollerEnv env("select");
    CHECK(std::string(corio::Loop(with(PollerKind::Epoll)).poller_name()) == "epoll");
  }
}

TEST_CASE("a CORIO_POLLER that names no poller throws InvalidArgument saying what is allowed", "[ch02]") {
  PollerEnv env("kqueue");
  CHECK_THROWS_AS(corio::detail::poller_from_env(), corio::InvalidArgument);
  CHECK_THROWS_WITH(corio::detail::poller_from_env(),
                    Contains("CORIO_POLLER=kqueue") && Contains("select") && Contains("epoll"));
  CHECK_THROWS_WITH(corio::Loop(), Contains("CORIO_POLLER=kqueue"));
}

TEST_CASE("a loop given its poller does not read CORIO_POLLER at all", "[ch02]") {
  PollerEnv env("kqueue");
  CHECK_NOTHROW(corio::Loop(with(PollerKind::Select)));
  CHECK_NOTHROW(corio::Loop(with(PollerKind::Epoll)));
}

TEST_CASE("select refuses an fd at or above FD_SETSIZE and suggests epoll, which accepts it", "[ch02]") {
  FdLimit limit(kHighFd);
  if (!limit.ok()) {
    WARN("cannot raise RLIMIT_NOFILE above " << kHighFd << ": skipping the FD_SETSIZE test");
    return;
  }
  Pipe pipe;
  REQUIRE(::dup2(pipe.read_end, kHighFd) == kHighFd);
  struct CloseHigh {
    ~CloseHigh() { ::close(kHighFd); }
  } close_high;

  {
    corio::Loop loop(with(PollerKind::Select));
    CHECK_THROWS_AS(loop.add_reader(kHighFd, [] {}), corio::InvalidArgument);
    CHECK_THROWS_WITH(loop.add_reader(kHighFd, [] {}),
                      Contains("fd " + std::to_string(kHighFd)) && Contains("FD_SETSIZE") && Contains("epoll"));
    CHECK_THROWS_WITH(loop.add_writer(kHighFd, [] {}), Contains("select"));
    CHECK_FALSE(loop.remove_reader(kHighFd));  // nothing was watched
  }
  {
    corio::Loop loop(with(PollerKind::Epoll));
    int reads = 0;
    REQUIRE_NOTHROW(loop.add_reader(kHighFd, [&] { ++reads; }));
    REQUIRE(::write(pipe.write_end, "x", 1) == 1);
    loop.run_once();
    CHECK(reads == 1);
    CHECK(loop.remove_reader(kHighFd));
  }
}

namespace {

corio::LoopOptions virtual_with(PollerKind kind) { return {.poller = kind, .clock = corio::ClockKind::Virtual}; }

const char* name_of(PollerKind kind) { return kind == PollerKind::Select ? "select" : "epoll"; }

}  // namespace

TEST_CASE("a watched fd closed under the loop is dropped unrun with a diagnostic naming it, on both pollers",
          "[ch02]") {
  for (PollerKind kind : {PollerKind::Select, PollerKind::Epoll}) {
    INFO("poller " << name_of(kind));
    corio_test::Diagnostics diagnostics;
    corio::Loop loop(virtual_with(kind));
    Pipe pipe;
    int fd = pipe.read_end;
    int reads = 0;
    loop.add_reader(fd, [&] { ++reads; });
    ::close(fd);
    pipe.read_end = -1;
    loop.call_later(10, [&] { loop.stop(); });
    REQUIRE_NOTHROW(loop.run_forever());
    CHECK(loop.time() == 10.0);
    CHECK(reads == 0);
    CHECK(diagnostics.any_contains("fd " + std::to_string(fd) + " was closed while the loop watched it"));
    CHECK(diagnostics.any_contains("remove_reader"));
    CHECK_FALSE(loop.remove_reader(fd));  // the loop dropped it already
  }
}

TEST_CASE("an fd number closed while watched and reused by a new pipe fires for the new pipe after add_reader",
          "[ch02]") {
  for (PollerKind kind : {PollerKind::Select, PollerKind::Epoll}) {
    INFO("poller " << name_of(kind));
    corio::Loop loop(virtual_with(kind));
    Pipe old_pipe;
    int fd = old_pipe.read_end;
    int old_reads = 0;
    loop.add_reader(fd, [&] { ++old_reads; });
    ::close(fd);
    old_pipe.read_end = -1;
    Pipe new_pipe;  // pipe() takes the lowest free numbers: fd again
    REQUIRE(new_pipe.read_end == fd);
    int new_reads = 0;
    loop.add_reader(fd, [&] {
      ++new_reads;
      loop.stop();
    });
    new_pipe.put();
    loop.call_later(10, [&] { loop.stop(); });  // bounds the test if the reader never fires
    loop.run_forever();
    CHECK(new_reads == 1);
    CHECK(old_reads == 0);
    CHECK(loop.time() == 0.0);
  }
}

TEST_CASE("a watched fd whose dup keeps the file open, closed under the loop, is dropped without its reader spinning",
          "[ch02]") {
  for (PollerKind kind : {PollerKind::Select, PollerKind::Epoll}) {
    INFO("poller " << name_of(kind));
    corio_test::Diagnostics diagnostics;
    corio::Loop loop(virtual_with(kind));
    Pipe pipe;
    int fd = pipe.read_end;
    int copy = ::dup(fd);
    REQUIRE(copy >= 0);
    int reads = 0;
    loop.add_reader(fd, [&] {
      if (++reads == 1000) loop.stop();  // bounds the test if it spins
    });
    pipe.put();  // readable for good: nobody reads it
    ::close(fd);
    pipe.read_end = -1;
    loop.call_later(10, [&] { loop.stop(); });
    REQUIRE_NOTHROW(loop.run_forever());
    ::close(copy);
    CHECK(reads == 0);
    CHECK(loop.time() == 10.0);
    CHECK(diagnostics.any_contains("fd " + std::to_string(fd) + " was closed"));
  }
}

TEST_CASE("a registration whose fd was closed while a dup keeps its file open stops firing once removed", "[ch02]") {
  for (PollerKind kind : {PollerKind::Select, PollerKind::Epoll}) {
    INFO("poller " << name_of(kind));
    auto poller = corio::detail::make_poller(kind);
    Pipe pipe;
    int fd = pipe.read_end;
    int copy = ::dup(fd);
    REQUIRE(copy >= 0);
    poller->update(fd, 0, corio::detail::kReadable);
    pipe.put();
    ::close(fd);
    pipe.read_end = -1;
    // epoll_ctl(DEL) cannot reach the registration any more (EBADF); its
    // first event after the removal must make the poller drop it.
    poller->update(fd, corio::detail::kReadable, 0);
    std::vector<corio::detail::Fired> fired;
    for (int i = 0; i < 3; ++i) {
      CHECK(poller->poll(corio::detail::PollTimeout(0), fired));
      CHECK(fired.empty());
    }
    ::close(copy);
  }
}

namespace {

// Socket pairs, closed at the end of a test.
struct SocketPairs {
  explicit SocketPairs(std::size_t n) : ends(n) {
    for (auto& pair : ends) REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair.data()) == 0);
  }
  ~SocketPairs() {
    for (auto& pair : ends)
      for (int fd : pair)
        if (fd >= 0) ::close(fd);
  }
  SocketPairs(const SocketPairs&) = delete;
  SocketPairs& operator=(const SocketPairs&) = delete;
  std::vector<std::array<int, 2>> ends;
};

}  // namespace

// Checking 50,000 fds at once (an fstat each, about 1 us) stalled a loop for 50 ms every second: the audit takes a
// slice of them per iteration, so the first iteration finds a closed fd among the first, not one among the last.
TEST_CASE("a loop watching thousands of fds checks them for closing a slice at a time, not all in one iteration",
          "[ch02]") {
  corio_test::Diagnostics diagnostics;
  corio::Loop loop(virtual_with(PollerKind::Epoll));
  SocketPairs pairs(1000);
  for (auto& pair : pairs.ends)
    for (int fd : pair) loop.add_reader(fd, [] {});
  int first = std::exchange(pairs.ends.front()[0], -1);
  int last = std::exchange(pairs.ends.back()[1], -1);
  ::close(first);
  ::close(last);
  loop.call_later(1, [] {});
  loop.run_once();
  CHECK(diagnostics.any_contains("fd " + std::to_string(first) + " was closed while the loop watched it"));
  CHECK_FALSE(diagnostics.any_contains("fd " + std::to_string(last) + " was closed while the loop watched it"));
  CHECK_FALSE(loop.remove_reader(first));  // dropped already
  CHECK(loop.remove_reader(last));         // not yet checked
  for (auto& pair : pairs.ends)
    for (int fd : pair)
      if (fd >= 0) loop.remove_reader(fd);
}

// @since 14
// epoll_wait counts in milliseconds, so every timed wait was rounded up to
// one: a 100 us timer could not fire sooner than 1 ms. epoll_pwait2 waits
// to the nanosecond. The best of twenty waits tells the two apart on a
// loaded machine too (a wake can come late, never early).
TEST_CASE("on epoll, a 100 us timer fires well before a millisecond: the wait is to the nanosecond", "[ch14]") {
  corio::Loop loop(with(PollerKind::Epoll));
  auto best = std::chrono::steady_clock::duration::max();
  for (int i = 0; i < 20; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    loop.call_later(0.0001, [&] {
      best = std::min(best, std::chrono::steady_clock::now() - t0);
      loop.stop();
    });
    loop.run_forever();
  }
  CHECK(best >= std::chrono::microseconds(100));
  CHECK(best < std::chrono::microseconds(900));
}
// @end
