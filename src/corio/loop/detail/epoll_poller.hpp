// @chapter 02
// epoll: the kernel keeps the interest list, so each wait costs in the
// number of fds that fired, not the number watched, and there is no
// FD_SETSIZE limit. Level-triggered, like select, so the two report
// readiness alike.
//
// epoll watches an open file, not a number: its interest list is keyed by
// (fd, file). An fd closed while watched leaves the list silently - unless
// a dup of it keeps the file open, when it stays and fires under the old
// number, and no epoll_ctl can reach it any more. So each registration
// carries a generation beside its fd; an event of a registration no longer
// wanted (stale generation, or none wanted) makes the poller rebuild its
// epoll instance from the interest it keeps, which drops every stale one.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <vector>

#include <corio/loop/poller.hpp>

namespace corio::detail {

class EpollPoller final : public Poller {
 public:
  EpollPoller();
  ~EpollPoller() override;
  EpollPoller(const EpollPoller&) = delete;
  EpollPoller& operator=(const EpollPoller&) = delete;

  const char* name() const override { return "epoll"; }
  void check(int fd) const override { (void)fd; }
  void update(int fd, unsigned old_mask, unsigned new_mask) override;
  bool poll(PollTimeout timeout, std::vector<Fired>& fired) override;

 private:
  struct Interest {
    unsigned mask = 0;
    std::uint32_t generation = 0;
  };
  void add(int fd, unsigned mask);
  void rebuild();
  int wait(PollTimeout timeout);  // @since 14

  // @since 14
  bool precise_ = true;  // epoll_pwait2 is there (Linux 5.11 and later)
  // @end

  int epfd_;
  std::vector<Interest> interest_;  // indexed by fd
  std::uint32_t next_generation_ = 0;
  std::vector<epoll_event> events_;  // reused by every poll
};

}  // namespace corio::detail
