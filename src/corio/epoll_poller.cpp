// @chapter 02
#include <corio/epoll_poller.hpp>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <string>
#include <system_error>

#include <corio/errors.hpp>

namespace corio::detail {

EpollPoller::EpollPoller() : epfd_(::epoll_create1(EPOLL_CLOEXEC)), events_(256) {
  if (epfd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
}

EpollPoller::~EpollPoller() { ::close(epfd_); }

// One epoll_ctl per change of interest, none when nothing changed: the loop
// only calls update when the mask for fd really changes.
void EpollPoller::update(int fd, unsigned old_mask, unsigned new_mask) {
  epoll_event ev{};
  ev.data.fd = fd;
  if (new_mask & kReadable) ev.events |= EPOLLIN;
  if (new_mask & kWritable) ev.events |= EPOLLOUT;
  int op = old_mask == 0 ? EPOLL_CTL_ADD : new_mask == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
  if (::epoll_ctl(epfd_, op, fd, &ev) == 0) return;
  // A closed fd has already left the kernel's interest list.
  if (op == EPOLL_CTL_DEL && (errno == EBADF || errno == ENOENT)) return;
  throw std::system_error(errno, std::generic_category(), "epoll_ctl on fd " + std::to_string(fd));
}

void EpollPoller::poll(PollTimeout timeout, std::vector<Fired>& fired) {
  // Milliseconds, rounded up; a wait longer than a day is cut to a day (the
  // loop simply waits again), so the int never overflows.
  constexpr std::int64_t kDayMs = 24 * 3600 * 1000;
  int ms = -1;
  if (timeout.count() >= 0) ms = static_cast<int>(std::min<std::int64_t>((timeout.count() + 999999) / 1000000, kDayMs));
  int n = ::epoll_wait(epfd_, events_.data(), static_cast<int>(events_.size()), ms);
  if (n < 0) {
    if (errno == EINTR) return;
    throw std::system_error(errno, std::generic_category(), "epoll_wait");
  }
  for (int i = 0; i < n; ++i) {
    unsigned events = 0;
    // An error or hang-up wakes both sides, as select does: the callback's
    // read or write then sees what happened.
    if (events_[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) events |= kReadable;
    if (events_[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) events |= kWritable;
    fired.push_back({events_[i].data.fd, events});
  }
  if (static_cast<std::size_t>(n) == events_.size()) events_.resize(events_.size() * 2);
}

}  // namespace corio::detail
