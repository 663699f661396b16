// @chapter 01
// select(): the oldest readiness API, on every POSIX system. It copies three
// bit sets into the kernel on every call and cannot watch an fd at or above
// FD_SETSIZE (1024), which is why chapter 02 adds epoll beside it.
#pragma once

#include <sys/select.h>

#include <corio/loop/poller.hpp>

namespace corio::detail {

// @before 02: class SelectPoller {
class SelectPoller final : public Poller {  // @since 02
 public:
  SelectPoller();
  const char* name() const { return "select"; }
  void check(int fd) const;
  void update(int fd, unsigned old_mask, unsigned new_mask);
  bool poll(PollTimeout timeout, std::vector<Fired>& fired);

 private:
  fd_set readers_;
  fd_set writers_;
  int max_fd_ = -1;  // the highest fd with any interest; -1 when none
};

}  // namespace corio::detail
