// @chapter 11
#include <corio/threads/detail/wake_fd.hpp>

#include <fcntl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace corio::detail {

WakeFd::WakeFd(WakeFdKind kind) : kind_(kind) {
  if (kind == WakeFdKind::EventFd) {
    read_fd_ = write_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (read_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd() for the loop's wake fd");
    return;
  }
  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
    throw std::system_error(errno, std::generic_category(), "pipe2() for the loop's wake fd");
  }
  read_fd_ = fds[0];
  write_fd_ = fds[1];
}

WakeFd::~WakeFd() {
  ::close(read_fd_);
  if (write_fd_ != read_fd_) ::close(write_fd_);
}

// EAGAIN means the counter or the pipe is full, which leaves the fd
// readable: the wake-up is not lost. EINTR is tried again.
void WakeFd::wake() noexcept {
  if (kind_ == WakeFdKind::EventFd) {
    std::uint64_t one = 1;
    while (::write(write_fd_, &one, sizeof one) < 0 && errno == EINTR) {
    }
    return;
  }
  char byte = 1;
  while (::write(write_fd_, &byte, 1) < 0 && errno == EINTR) {
  }
}

// One read empties an eventfd's counter; a pipe is read until it is empty.
void WakeFd::drain() noexcept {
  char buf[256];
  for (;;) {
    ssize_t n = ::read(read_fd_, buf, kind_ == WakeFdKind::EventFd ? sizeof(std::uint64_t) : sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || kind_ == WakeFdKind::EventFd) return;
  }
}

}  // namespace corio::detail
