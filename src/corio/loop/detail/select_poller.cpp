// @chapter 01
#include <corio/loop/detail/select_poller.hpp>

#include <cerrno>
#include <string>
#include <system_error>

#include <corio/errors.hpp>

namespace corio::detail {

SelectPoller::SelectPoller() {
  FD_ZERO(&readers_);
  FD_ZERO(&writers_);
}

void SelectPoller::check(int fd) const {
  if (fd >= FD_SETSIZE) {
    throw InvalidArgument("fd " + std::to_string(fd) + " is too large for the select poller (FD_SETSIZE is " +
                          std::to_string(FD_SETSIZE) + "); use the epoll poller (CORIO_POLLER=epoll)");
  }
}

// Every fd select will see passes check() first: FD_SET beyond FD_SETSIZE
// would write past the end of the set.
void SelectPoller::update(int fd, unsigned old_mask, unsigned new_mask) {
  (void)old_mask;
  check(fd);
  if (new_mask & kReadable) FD_SET(fd, &readers_); else FD_CLR(fd, &readers_);
  if (new_mask & kWritable) FD_SET(fd, &writers_); else FD_CLR(fd, &writers_);
  if (new_mask != 0 && fd > max_fd_) max_fd_ = fd;
  while (max_fd_ >= 0 && !FD_ISSET(max_fd_, &readers_) && !FD_ISSET(max_fd_, &writers_)) --max_fd_;
}

bool SelectPoller::poll(PollTimeout timeout, std::vector<Fired>& fired) {
  fd_set readable = readers_;
  fd_set writable = writers_;
  timeval tv{};
  timeval* wait = nullptr;
  if (timeout.count() >= 0) {
    // Round up to whole microseconds: waking a little early would spin.
    if (timeout > kLongestPoll) timeout = kLongestPoll;
    auto us = (timeout.count() + 999) / 1000;
    tv.tv_sec = static_cast<time_t>(us / 1000000);
    tv.tv_usec = static_cast<suseconds_t>(us % 1000000);
    wait = &tv;
  }
  int n = ::select(max_fd_ + 1, &readable, &writable, nullptr, wait);
  if (n < 0) {
    if (errno == EINTR) return true;
    if (errno == EBADF) return false;  // someone closed a watched fd: the loop finds it and drops it
    throw std::system_error(errno, std::generic_category(), "select");
  }
  for (int fd = 0; n > 0 && fd <= max_fd_; ++fd) {
    unsigned events = 0;
    if (FD_ISSET(fd, &readable)) events |= kReadable;
    if (FD_ISSET(fd, &writable)) events |= kWritable;
    if (events == 0) continue;
    fired.push_back({fd, events});
    --n;
  }
  return true;
}

}  // namespace corio::detail
