// @chapter 11
// The loop's wake fd: how another thread wakes a loop asleep in its poller.
// The poller watches one more fd, and waking the loop is writing to it. On
// Linux that fd is an eventfd, a kernel counter that reads as one fd; the
// select poller gets the portable version, a self-pipe (write a byte to one
// end, the loop sees the other end readable), which is what asyncio uses.
#pragma once

namespace corio::detail {

enum class WakeFdKind { EventFd, Pipe };

class WakeFd {
 public:
  explicit WakeFd(WakeFdKind kind);
  ~WakeFd();
  WakeFd(const WakeFd&) = delete;
  WakeFd& operator=(const WakeFd&) = delete;

  // The fd the poller watches for reading.
  int fd() const { return read_fd_; }
  WakeFdKind kind() const { return kind_; }
  // Any thread: makes fd() readable. Never blocks: a full pipe is readable
  // already.
  void wake() noexcept;
  // The loop's thread: reads everything written, so fd() stops firing.
  void drain() noexcept;

 private:
  WakeFdKind kind_;
  int read_fd_ = -1;
  int write_fd_ = -1;  // the same fd as read_fd_ for an eventfd
};

}  // namespace corio::detail
