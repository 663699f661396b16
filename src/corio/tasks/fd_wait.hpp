// @chapter 04
// co_await readable(fd) / co_await writable(fd): suspend the awaiting
// coroutine until the loop's poller says the fd is ready, the coroutine's
// form of chapter 01's add_reader/add_writer. The awaiter watches the fd
// only while it waits: it adds the loop's reader (or writer) when it
// suspends and removes it when it wakes, so a coroutine reading a pipe in
// a loop costs nothing between reads. A second awaiter on the same fd and
// side is refused (docs/decisions.md): asyncio's add_reader would replace
// the first one's callback and leave it waiting forever.
// @since 09
// Cancelled, it removes its reader or writer and wakes at once, to throw.
// @end
#pragma once

#include <coroutine>
#include <string>  // @since 09

#include <corio/loop/detail/ready_queue.hpp>
#include <corio/tasks/detail/awaiter.hpp>

namespace corio {

class Loop;

namespace detail {

class FdWaitAwaiter;

// The callback the loop holds while a coroutine waits on an fd. It and its
// awaiter point at each other until one of them lets go: the loop runs it
// (the fd is ready), the awaiter unhooks it (cancelled, or destroyed with
// its frame), or the loop drops it unrun (the fd was closed under it, or
// add_reader/remove_reader replaced or removed it), and then the awaiter
// wakes with an error instead of waiting forever.
class FdWake {
 public:
  explicit FdWake(FdWaitAwaiter* waiter) noexcept;
  FdWake(FdWake&& other) noexcept;
  FdWake(const FdWake&) = delete;
  FdWake& operator=(const FdWake&) = delete;
  FdWake& operator=(FdWake&&) = delete;
  ~FdWake();
  void operator()();

 private:
  friend class FdWaitAwaiter;
  FdWaitAwaiter* waiter_;
};

class FdWaitAwaiter final : private WaitPoint {
 public:
  enum class Side : unsigned char { Read, Write };
  FdWaitAwaiter(int fd, Side side) noexcept : fd_(fd), side_(side) {}
  FdWaitAwaiter(const FdWaitAwaiter&) = delete;
  FdWaitAwaiter& operator=(const FdWaitAwaiter&) = delete;
  ~FdWaitAwaiter();

  bool await_ready() const noexcept { return false; }
  // Throws InvalidArgument for an fd the loop cannot watch, RuntimeError
  // when another callback or awaiter already watches this fd on this side.
  void await_suspend(std::coroutine_handle<> h);
  // RuntimeError when the loop dropped the wait (the fd was closed while
  // awaited, or add_reader/remove_reader took the wait's place).
  void await_resume() const;

 private:
  friend class FdWake;
  const char* name() const { return side_ == Side::Read ? "readable" : "writable"; }
  void ready();
  void dropped();
  void stop_watching();
  // @since 09
  static CancelAnswer on_cancel(WaitPoint* self, const std::string& message);
  static constexpr WaitKind kReadWait{.cancel = &on_cancel, .what = "readable"};
  static constexpr WaitKind kWriteWait{.cancel = &on_cancel, .what = "writable"};
  // @end

  int fd_;
  Side side_;
  bool armed_ = false;    // the loop holds wake_ and the coroutine is parked
  bool dropped_ = false;  // the loop dropped wake_ unrun
  Loop* loop_ = nullptr;
  FdWake* wake_ = nullptr;  // the loop's callback, while it is hooked on
  ReadyEntry waker_;        // resumes the waiting coroutine
};

}  // namespace detail

// Resume when fd is readable (data, end of file, an error, or a connection
// to accept) or writable (room to write, or a connect that ended).
inline detail::FdWaitAwaiter readable(int fd) { return {fd, detail::FdWaitAwaiter::Side::Read}; }
inline detail::FdWaitAwaiter writable(int fd) { return {fd, detail::FdWaitAwaiter::Side::Write}; }

}  // namespace corio
