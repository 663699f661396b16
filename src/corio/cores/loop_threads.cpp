// @chapter 14
#include <corio/cores/loop_threads.hpp>

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <system_error>
#include <utility>

#include <corio/errors.hpp>
#include <corio/loop/diagnostics.hpp>
#include <corio/tasks/fd_wait.hpp>
#include <corio/tasks/run.hpp>
#include <corio/tasks/task.hpp>

namespace corio {

namespace {

// Cancels body each time fd (the loop's stop eventfd) becomes readable:
// every stop() cancels again, as a second task.cancel() does, so a body
// that caught the first cancellation is stopped by the next. Reading the
// eventfd sets its counter back to 0, until the next stop() writes.
Coro<void> watch_stop(int fd, Task<void> body) {
  for (;;) {
    co_await readable(fd);
    std::uint64_t stops = 0;
    [[maybe_unused]] ssize_t n = ::read(fd, &stops, sizeof stops);  // non-blocking; EAGAIN only if read already
    body.cancel("LoopThreads::stop()");
  }
}

}  // namespace

LoopThreads::LoopThreads(int count, Body body, LoopOptions options) : body_(std::move(body)) {
  if (count < 1) throw InvalidArgument("LoopThreads(" + std::to_string(count) + ", ...): at least one loop is needed");
  if (!body_) throw InvalidArgument("LoopThreads: the body is empty (a default-constructed std::function)");
  for (int i = 0; i < count; ++i) {
    int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0) {
      for (int made : stop_fds_) ::close(made);
      throw std::system_error(errno, std::generic_category(), "LoopThreads: eventfd");
    }
    stop_fds_.push_back(fd);
  }
  threads_.reserve(static_cast<std::size_t>(count));
  try {
    for (int i = 0; i < count; ++i) threads_.emplace_back([this, i, options] { run_one(i, options); });
  } catch (...) {  // a thread could not start: the ones that did are stopped and joined, and nothing leaks
    stop();
    for (std::thread& t : threads_) t.join();
    for (int fd : stop_fds_) ::close(fd);
    throw;
  }
}

LoopThreads::~LoopThreads() {
  stop();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  for (int fd : stop_fds_) ::close(fd);
  if (first_error_ && !error_taken_) {
    detail::report("LoopThreads: a loop's body failed and join() was never called: " + detail::describe(first_error_));
  }
}

void LoopThreads::stop() {
  stopping_ = true;
  const std::uint64_t one = 1;
  for (int fd : stop_fds_) {
    [[maybe_unused]] ssize_t n = ::write(fd, &one, sizeof one);  // only an overflowing counter fails: still readable
  }
}

void LoopThreads::join() {
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  std::lock_guard lock(mutex_);
  if (first_error_ && !error_taken_) {
    error_taken_ = true;
    std::rethrow_exception(first_error_);
  }
}

// The first failure stops the others, as a TaskGroup's does.
void LoopThreads::fail(std::exception_ptr error) {
  {
    std::lock_guard lock(mutex_);
    if (!first_error_) first_error_ = std::move(error);
  }
  stop();
}

// The body as a task, beside a task that cancels it when stop() writes to
// this loop's eventfd.
Coro<void> LoopThreads::guard(int index) {
  Task<void> body = create_task(body_(index), "loop-" + std::to_string(index));
  Task<void> watcher = create_task(watch_stop(stop_fds_[static_cast<std::size_t>(index)], body),
                                   "loop-" + std::to_string(index) + "-stop");
  std::exception_ptr error;
  try {
    co_await body;
  } catch (const CancelledError&) {
    if (!stopping_) error = std::current_exception();
  } catch (...) {
    error = std::current_exception();
  }
  watcher.cancel();
  try {
    co_await watcher;
  } catch (const CancelledError&) {
  }
  if (error) fail(std::move(error));
}

void LoopThreads::run_one(int index, LoopOptions options) {
  try {
    run(guard(index), options);
  } catch (...) {
    fail(std::current_exception());
  }
}

}  // namespace corio
