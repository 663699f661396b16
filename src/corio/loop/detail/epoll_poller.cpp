// @chapter 02
#include <corio/loop/detail/epoll_poller.hpp>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <string>
#include <system_error>
#include <utility>

#include <corio/errors.hpp>

namespace corio::detail {

EpollPoller::EpollPoller() : epfd_(::epoll_create1(EPOLL_CLOEXEC)), events_(256) {
  if (epfd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
}

EpollPoller::~EpollPoller() { ::close(epfd_); }

namespace {

epoll_event event_for(int fd, unsigned mask, std::uint32_t generation) {
  epoll_event ev{};
  ev.data.u64 = (std::uint64_t{generation} << 32) | static_cast<std::uint32_t>(fd);
  if (mask & kReadable) ev.events |= EPOLLIN;
  if (mask & kWritable) ev.events |= EPOLLOUT;
  return ev;
}

[[noreturn]] void throw_ctl_error(int fd) {
  throw std::system_error(errno, std::generic_category(), "epoll_ctl on fd " + std::to_string(fd));
}

}  // namespace

// A new registration: ADD under a new generation, or MOD when this file is
// registered under fd already (EEXIST).
void EpollPoller::add(int fd, unsigned mask) {
  Interest& in = interest_[static_cast<std::size_t>(fd)];
  in.generation = ++next_generation_;
  epoll_event ev = event_for(fd, mask, in.generation);
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0 &&
      (errno != EEXIST || ::epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) != 0)) {
    throw_ctl_error(fd);
  }
  in.mask = mask;
}

// One epoll_ctl per add or remove. A MOD that finds no registration
// (ENOENT: fd was closed, and its number reused) registers the new file.
void EpollPoller::update(int fd, unsigned old_mask, unsigned new_mask) {
  (void)old_mask;
  if (static_cast<std::size_t>(fd) >= interest_.size()) interest_.resize(static_cast<std::size_t>(fd) + 1);
  Interest& in = interest_[static_cast<std::size_t>(fd)];
  if (new_mask == 0) {
    in.mask = 0;
    epoll_event ev{};
    // A closed fd has already left the list, or (a dup keeps its file open)
    // can no longer be removed: its next event makes poll() rebuild.
    if (::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, &ev) == 0 || errno == EBADF || errno == ENOENT) return;
    throw_ctl_error(fd);
  }
  if (in.mask == 0) return add(fd, new_mask);
  epoll_event ev = event_for(fd, new_mask, in.generation);
  if (::epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) == 0) {
    in.mask = new_mask;
    return;
  }
  if (errno != ENOENT) throw_ctl_error(fd);
  add(fd, new_mask);
}

// A fresh epoll instance holding exactly the interest wanted. An fd that
// cannot be added (closed) is left out; the loop finds it and drops it.
void EpollPoller::rebuild() {
  int fresh = ::epoll_create1(EPOLL_CLOEXEC);
  if (fresh < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  ::close(std::exchange(epfd_, fresh));
  for (std::size_t fd = 0; fd < interest_.size(); ++fd) {
    Interest& in = interest_[fd];
    if (in.mask == 0) continue;
    epoll_event ev = event_for(static_cast<int>(fd), in.mask, in.generation);
    (void)::epoll_ctl(epfd_, EPOLL_CTL_ADD, static_cast<int>(fd), &ev);
  }
}

// @since 14
// epoll_wait counts in milliseconds: rounded up, a timer wakes the loop up
// to a millisecond past its deadline. epoll_pwait2 takes a timespec, so the
// loop wakes on time but for the kernel's timer slack (50 us by default); a
// kernel older than 5.11 answers ENOSYS, and the poller goes back to
// milliseconds for good. A wait longer than a day is cut to a day (the loop
// simply waits again).
int EpollPoller::wait(PollTimeout timeout) {
  auto size = static_cast<int>(events_.size());
  if (timeout.count() >= 0) timeout = std::min<PollTimeout>(timeout, kLongestPoll);
  if (precise_) {
    timespec ts{};
    if (timeout.count() >= 0) {
      ts.tv_sec = static_cast<time_t>(timeout.count() / 1000000000);
      ts.tv_nsec = static_cast<long>(timeout.count() % 1000000000);
    }
    int n = ::epoll_pwait2(epfd_, events_.data(), size, timeout.count() >= 0 ? &ts : nullptr, nullptr);
    if (n >= 0 || errno != ENOSYS) return n;
    precise_ = false;
  }
  int ms = timeout.count() < 0 ? -1 : static_cast<int>((timeout.count() + 999999) / 1000000);
  return ::epoll_wait(epfd_, events_.data(), size, ms);
}
// @end

bool EpollPoller::poll(PollTimeout timeout, std::vector<Fired>& fired) {
  // @before 14
  // // Milliseconds, rounded up; a wait longer than a day is cut to a day (the
  // // loop simply waits again), so the int never overflows.
  // int ms = -1;
  // if (timeout.count() >= 0) {
  //   ms = static_cast<int>((std::min<PollTimeout>(timeout, kLongestPoll).count() + 999999) / 1000000);
  // }
  // int n = ::epoll_wait(epfd_, events_.data(), static_cast<int>(events_.size()), ms);
  // @end
  int n = wait(timeout);  // @since 14
  if (n < 0) {
    if (errno == EINTR) return true;
    // @before 14
    // throw std::system_error(errno, std::generic_category(), "epoll_wait");
    // @end
    throw std::system_error(errno, std::generic_category(), precise_ ? "epoll_pwait2" : "epoll_wait");  // @since 14
  }
  bool stale = false;
  for (int i = 0; i < n; ++i) {
    auto fd = static_cast<int>(events_[i].data.u64 & 0xffffffffu);
    auto generation = static_cast<std::uint32_t>(events_[i].data.u64 >> 32);
    auto at = static_cast<std::size_t>(fd);
    if (at >= interest_.size() || interest_[at].mask == 0 || interest_[at].generation != generation) {
      stale = true;
      continue;
    }
    unsigned events = 0;
    // An error or hang-up wakes both sides, as select does: the callback's
    // read or write then sees what happened.
    if (events_[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) events |= kReadable;
    if (events_[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) events |= kWritable;
    fired.push_back({fd, events});
  }
  if (static_cast<std::size_t>(n) == events_.size()) events_.resize(events_.size() * 2);
  if (stale) rebuild();
  return true;
}

}  // namespace corio::detail
