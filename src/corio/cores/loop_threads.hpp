// @chapter 14
// One loop per core: LoopThreads runs body(0) .. body(n-1), each on a thread
// of its own in a loop of its own (corio::run), the way uvloop's users, Node's
// cluster and seastar outgrow one core. The loops share nothing: what they
// share is arranged outside them, such as a port every loop's server binds
// with SO_REUSEPORT (http::ServerOptions::reuse_port), the kernel handing
// each new connection to one of the listeners.
//
//   corio::LoopThreads loops(2, [](int i) -> corio::Coro<> { ... });
//   ...
//   loops.stop();  // any thread: cancels every body
//   loops.join();  // waits; rethrows the first error a body threw
#pragma once

#include <atomic>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <corio/loop/loop.hpp>
#include <corio/tasks/coro.hpp>

namespace corio {

class LoopThreads {
 public:
  using Body = std::function<Coro<void>(int index)>;

  // Starts count threads; thread i runs body(i) as a task named "loop-i" in
  // a loop made with options, until it returns. InvalidArgument for a count
  // below 1 or an empty body.
  LoopThreads(int count, Body body, LoopOptions options = {});
  // stop() and join(); an error join() did not rethrow is reported.
  ~LoopThreads();
  LoopThreads(const LoopThreads&) = delete;
  LoopThreads& operator=(const LoopThreads&) = delete;

  int size() const { return static_cast<int>(threads_.size()); }
  // Any thread, any number of times: cancels every body still running (one
  // not started yet is cancelled as it starts). A body that ends with the
  // CancelledError this caused has ended cleanly.
  void stop();
  // Waits for every thread. When a body throws (anything but the
  // cancellation stop() asked for), the other bodies are stopped at once,
  // and join() rethrows the first such error.
  void join();

 private:
  void run_one(int index, LoopOptions options);
  void fail(std::exception_ptr error);
  Coro<void> guard(int index);

  Body body_;
  std::atomic<bool> stopping_ = false;  // set before the stop fds are written
  std::mutex mutex_;                    // guards first_error_
  std::exception_ptr first_error_;
  bool error_taken_ = false;
  // One eventfd per loop, watched by its loop: stop() writes to each, so it
  // never posts to a loop that has not started or has closed.
  std::vector<int> stop_fds_;
  std::vector<std::thread> threads_;  // last: the threads start once the members they use exist
};

}  // namespace corio
