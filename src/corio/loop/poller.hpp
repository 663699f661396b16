// @chapter 01
// What the loop asks of the operating system: "which of these fds can I read
// or write without blocking? wait at most this long". A poller only reports
// which fds fired; it never sees a callback. Dispatching lives in the loop.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>
#include <vector>

namespace corio::detail {

// Interest and readiness, as bits.
enum : unsigned { kReadable = 1, kWritable = 2 };

struct Fired {
  int fd;
  unsigned events;  // kReadable | kWritable
};

// A negative timeout means: wait until something fires.
using PollTimeout = std::chrono::nanoseconds;

// The longest a poller waits at once: a longer timeout (a timer years away)
// waits a day, after which the loop simply polls again.
constexpr std::chrono::hours kLongestPoll{24};

// @since 02
// Chapter 02 puts select and epoll behind one interface, chosen at run time.
class Poller {
 public:
  virtual ~Poller() = default;
  virtual const char* name() const = 0;
  // Throws InvalidArgument when this poller cannot watch fd at all.
  virtual void check(int fd) const = 0;
  // The loop tells the poller the interest in fd (0 = none) on every add or
  // remove, even when the mask stays the same: fd may name a new file.
  virtual void update(int fd, unsigned old_mask, unsigned new_mask) = 0;
  // Waits at most timeout and appends what fired to `fired`. False when a
  // watched fd was found closed (select's EBADF): the loop finds which.
  virtual bool poll(PollTimeout timeout, std::vector<Fired>& fired) = 0;
};

}  // namespace corio::detail

namespace corio {
enum class PollerKind { Select, Epoll };
}

namespace corio::detail {

// The kind named by CORIO_POLLER ("select" or "epoll"); epoll when unset.
// Throws InvalidArgument for any other value.
PollerKind poller_from_env();
std::unique_ptr<Poller> make_poller(PollerKind kind);
std::string_view poller_name(PollerKind kind);
// @end

}  // namespace corio::detail
