// @chapter 02
// epoll: the kernel keeps the interest list, so each wait costs in the
// number of fds that fired, not the number watched, and there is no
// FD_SETSIZE limit. Level-triggered, like select, so the two report
// readiness alike. One difference: an fd closed while watched silently
// leaves epoll's interest list, where select fails and the loop names it.
#pragma once

#include <sys/epoll.h>

#include <vector>

#include <corio/poller.hpp>

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
  void poll(PollTimeout timeout, std::vector<Fired>& fired) override;

 private:
  int epfd_;
  std::vector<epoll_event> events_;  // reused by every poll
};

}  // namespace corio::detail
