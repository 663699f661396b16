// @chapter 04
// co_await readable(fd) / writable(fd): a coroutine waits on a real fd (a
// pipe), watched only while it waits, and a wait the loop cannot keep ends
// in an error rather than forever.
#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <utility>

#include <catch2/catch.hpp>

#include <corio/corio.hpp>

#include "support/corio_test.hpp"

namespace {

using corio::detail::kReadable;
using corio::detail::kWritable;
using corio::detail::LoopAccess;

bool reader_on(int fd) { return LoopAccess::watching(corio::get_running_loop(), fd, kReadable); }
bool writer_on(int fd) { return LoopAccess::watching(corio::get_running_loop(), fd, kWritable); }

corio::Coro<> await_a_byte_written_at_one_second(const corio_test::Pipe& pipe) {
  corio::Loop& loop = corio::get_running_loop();
  loop.call_later(1.0, [&pipe] { pipe.put('a'); });
  CHECK_FALSE(reader_on(pipe.read_end));
  co_await corio::readable(pipe.read_end);
  CHECK(loop.time() == 1.0);
  CHECK_FALSE(reader_on(pipe.read_end));  // watched only while awaited
  CHECK(pipe.take() == 'a');
}

TEST_CASE("a coroutine awaiting readable(fd) resumes when the pipe has a byte, and leaves no reader behind", "[ch04]") {
  corio_test::Pipe pipe;
  corio::run(await_a_byte_written_at_one_second(pipe), corio_test::virtual_time());
}

corio::Coro<int> count_wakes_over_three_writes(corio_test::Pipe& pipe) {
  corio::Loop& loop = corio::get_running_loop();
  for (double at : {1.0, 2.0, 3.0}) loop.call_later(at, [&pipe] { pipe.put('x'); });
  loop.call_later(4.0, [&pipe] { ::close(std::exchange(pipe.write_end, -1)); });
  int wakes = 0;
  for (;;) {
    co_await corio::readable(pipe.read_end);
    ++wakes;
    char c = 0;
    if (::read(pipe.read_end, &c, 1) != 1) break;  // end of file
  }
  CHECK(loop.time() == 4.0);
  co_return wakes;
}

TEST_CASE("a coroutine reading a pipe in a loop wakes once per write and once for the end of file", "[ch04]") {
  corio_test::Pipe pipe;
  CHECK(corio::run(count_wakes_over_three_writes(pipe), corio_test::virtual_time()) == 4);
}

corio::Coro<> await_writable_with_room(const corio_test::Pipe& pipe) {
  corio::Loop& loop = corio::get_running_loop();
  co_await corio::writable(pipe.write_end);
  CHECK(loop.time() == 0.0);
  CHECK_FALSE(writer_on(pipe.write_end));
}

TEST_CASE("writable(fd) resumes on the next iteration when the pipe has room, and unwatches the fd", "[ch04]") {
  corio_test::Pipe pipe;
  corio::run(await_writable_with_room(pipe), corio_test::virtual_time());
}

corio::Coro<> fill_then_await_writable(const corio_test::Pipe& pipe) {
  corio::Loop& loop = corio::get_running_loop();
  ::fcntl(pipe.write_end, F_SETFL, O_NONBLOCK);
  std::string block(4096, 'x');
  while (::write(pipe.write_end, block.data(), block.size()) > 0) {
  }
  loop.call_later(2.0, [&pipe] {
    char drain[65536];
    while (::read(pipe.read_end, drain, sizeof drain) == static_cast<ssize_t>(sizeof drain)) {
    }
  });
  co_await corio::writable(pipe.write_end);
  CHECK(loop.time() == 2.0);
}

TEST_CASE("writable(fd) on a full pipe waits until the reader makes room", "[ch04]") {
  corio_test::Pipe pipe;
  ::fcntl(pipe.read_end, F_SETFL, O_NONBLOCK);
  corio::run(fill_then_await_writable(pipe), corio_test::virtual_time());
}

corio::Coro<std::string> await_an_fd_a_callback_watches(const corio_test::Pipe& pipe) {
  corio::Loop& loop = corio::get_running_loop();
  loop.add_reader(pipe.read_end, [] {});
  std::string error;
  try {
    co_await corio::readable(pipe.read_end);
  } catch (const corio::RuntimeError& e) {
    error = e.what();
  }
  CHECK(loop.remove_reader(pipe.read_end));  // the callback that was there first is still there
  co_return error;
}

TEST_CASE("readable(fd) on an fd another callback already reads is refused, and the callback stays", "[ch04]") {
  corio_test::Pipe pipe;
  std::string error = corio::run(await_an_fd_a_callback_watches(pipe), corio_test::virtual_time());
  CHECK(error.find("readable: fd " + std::to_string(pipe.read_end) + " is already watched for reading") == 0);
}

corio::Coro<std::string> await_a_closed_fd(int fd) {
  std::string error;
  try {
    co_await corio::writable(fd);
  } catch (const corio::InvalidArgument& e) {
    error = e.what();
  }
  co_return error;
}

TEST_CASE("writable(fd) on an fd that is not open throws InvalidArgument naming the call", "[ch04]") {
  const int fd = 999999;  // far above any fd this process opens
  std::string error = corio::run(await_a_closed_fd(fd), corio_test::virtual_time());
  CHECK(error.find("writable(" + std::to_string(fd) + "): add_writer: fd " + std::to_string(fd) +
                   " is not an open file descriptor") == 0);
}

corio::Coro<std::string> await_while_remove_reader_takes_the_wait(const corio_test::Pipe& pipe) {
  corio::Loop& loop = corio::get_running_loop();
  loop.call_later(1.0, [&loop, &pipe] { loop.remove_reader(pipe.read_end); });
  std::string error;
  try {
    co_await corio::readable(pipe.read_end);
  } catch (const corio::RuntimeError& e) {
    error = e.what();
  }
  CHECK(loop.time() == 1.0);
  co_return error;
}

TEST_CASE("a wait the loop drops (remove_reader on its fd) ends in RuntimeError instead of waiting forever", "[ch04]") {
  corio_test::Pipe pipe;
  std::string error = corio::run(await_while_remove_reader_takes_the_wait(pipe), corio_test::virtual_time());
  CHECK(error.find("readable: the loop dropped the wait on fd " + std::to_string(pipe.read_end)) == 0);
}

corio::Coro<std::string> await_while_the_fd_is_closed(corio_test::Pipe& pipe) {
  corio::Loop& loop = corio::get_running_loop();
  loop.call_later(1.0, [&pipe] { ::close(std::exchange(pipe.read_end, -1)); });
  std::string error;
  int fd = pipe.read_end;
  try {
    co_await corio::readable(fd);
  } catch (const corio::RuntimeError& e) {
    error = e.what();
  }
  co_return error;
}

TEST_CASE("a coroutine awaiting an fd that is closed under it wakes with RuntimeError", "[ch04]") {
  corio_test::Pipe pipe;
  corio_test::Diagnostics diagnostics;  // the loop reports the fd it dropped
  std::string error = corio::run(await_while_the_fd_is_closed(pipe), corio_test::virtual_time());
  CHECK(error.find("the fd was closed while a coroutine awaited it") != std::string::npos);
  CHECK(diagnostics.any_contains("was closed while the loop watched it"));
}

}  // namespace
