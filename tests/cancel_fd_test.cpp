// @chapter 09
// Cancelling a task that awaits readable(fd) or writable(fd): the awaiter
// removes its reader or writer at once, the task ends cancelled, and
// nothing stays hooked on the loop.
#include <catch2/catch.hpp>

#include <string>

#include <corio/corio.hpp>

#include "support/cancel_helpers.hpp"
#include "support/corio_test.hpp"

using corio_test::ended_cancelled;
using corio_test::Life;
using corio_test::Lives;
using corio_test::now;
using corio_test::tick;

namespace {

using corio::detail::kReadable;
using corio::detail::LoopAccess;

bool reader_on(int fd) { return LoopAccess::watching(corio::get_running_loop(), fd, kReadable); }

corio::Coro<> read_a_byte(int fd, Lives& lives) {
  Life life(lives);
  co_await corio::readable(fd);
  FAIL("the cancelled wait on the pipe went on");
}

corio::Coro<> cancel_a_wait_on_a_pipe(const corio_test::Pipe& pipe, Lives& lives) {
  corio::Task<> task = corio::create_task(read_a_byte(pipe.read_end, lives));
  co_await tick();
  CHECK(reader_on(pipe.read_end));
  co_await corio::sleep(1);
  task.cancel();
  CHECK_FALSE(reader_on(pipe.read_end));            // the reader left at once
  bool cancelled = co_await ended_cancelled(task);  // (not inside CHECK: GCC 12 would await it twice)
  CHECK(cancelled);
  CHECK(now() == 1.0);
  // The fd can be awaited again, by anyone: nothing of the old wait is left.
  pipe.put();
  co_await corio::readable(pipe.read_end);
  CHECK(pipe.take() == 'x');
  CHECK_FALSE(reader_on(pipe.read_end));
}

TEST_CASE("a task cancelled while it awaits readable(fd) removes its reader and ends cancelled", "[ch09]") {
  corio_test::Pipe pipe;
  Lives lives;
  corio::run(cancel_a_wait_on_a_pipe(pipe, lives), corio_test::virtual_time());
  CHECK(lives.made == 1);
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
}

corio::Coro<> cancel_after_the_fd_was_ready(const corio_test::Pipe& pipe, Lives& lives) {
  corio::Task<> task = corio::create_task(read_a_byte(pipe.read_end, lives));
  co_await tick();
  pipe.put();
  // The poller sees the byte and the wait ends: the reader goes and the
  // task is queued. This coroutine, queued before the task, runs first and
  // cancels it before it has run.
  while (reader_on(pipe.read_end)) co_await tick();
  CHECK_FALSE(task.done());
  task.cancel();
  bool cancelled = co_await ended_cancelled(task);
  CHECK(cancelled);
  CHECK_FALSE(reader_on(pipe.read_end));
  CHECK(pipe.take() == 'x');  // the byte is still there for whoever reads next
}

TEST_CASE("a task cancelled after its fd became ready, before it ran, still ends cancelled", "[ch09]") {
  corio_test::Pipe pipe;
  Lives lives;
  corio::run(cancel_after_the_fd_was_ready(pipe, lives), corio_test::virtual_time());
  CHECK(lives.alive() == 0);
}

// timeout() arrives in chapter 10.
// @since 10
corio::Coro<> wait_readable(int fd) { co_await corio::readable(fd); }

corio::Coro<> time_out_a_wait_on_a_pipe(const corio_test::Pipe& pipe) {
  bool timed_out = false;
  try {
    co_await corio::timeout(0.5).run(wait_readable(pipe.read_end));
  } catch (const corio::TimeoutError&) {
    timed_out = true;
  }
  CHECK(timed_out);
  CHECK(now() == 0.5);
  CHECK_FALSE(reader_on(pipe.read_end));
}

TEST_CASE("a timeout around readable(fd) ends the wait at its deadline and leaves no reader", "[ch10]") {
  corio_test::Pipe pipe;
  corio::run(time_out_a_wait_on_a_pipe(pipe), corio_test::virtual_time());
}
// @end

}  // namespace
