// @chapter 07
// Event: a flag coroutines can wait for, asyncio.Event's counterpart. One
// coroutine set()s it, and every coroutine waiting in wait() goes on;
// wait() on a set event returns at once, until clear() lowers the flag
// again. A start signal for many tasks at once, or "the config is loaded".
#pragma once

#include <coroutine>

#include <corio/sync/detail/waiter_list.hpp>

namespace corio {

class Event;

namespace detail {

// `co_await event.wait()`: at once when the event is set; otherwise resumed
// from the loop on the iteration after set(). The awaiter is the node
// (waiter_list.hpp) alone, in the waiting frame: no allocation, for each of
// 100,000 waiting tasks. Until the node joins the event's line its back
// link holds the event; from then on the line is where the event is.
class [[nodiscard]] EventAwaiter : private WaiterNode {
 public:
  explicit EventAwaiter(Event& event) { until_linked = &event; }
  // Moved only before it is awaited: create_task(ev.wait()) moves it into
  // the frame of the coroutine that awaits it.
  EventAwaiter(EventAwaiter&& other) noexcept { until_linked = other.until_linked; }
  EventAwaiter(const EventAwaiter&) = delete;
  EventAwaiter& operator=(const EventAwaiter&) = delete;
  // A frame destroyed while it waits leaves the event's list.
  ~EventAwaiter() {
    if (linked()) unlink();
  }

  bool await_ready() const;
  void await_suspend(std::coroutine_handle<> h);
  // True, as asyncio's Event.wait() returns: `if (co_await ev.wait())`.
  bool await_resume() const {
    throw_if_cancelled();  // @since 09
    return true;
  }

 private:
  Event& event() const { return *static_cast<Event*>(until_linked); }
  static constexpr WaitKind kKind{.cancel = &leave_line, .what = "event wait"};  // @since 09
};

}  // namespace detail

class Event {
 public:
  Event() : waiters_("Event") {}
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  bool is_set() const { return set_; }
  // Sets the flag and wakes every waiting coroutine, oldest first; the loop
  // resumes them on its next iteration. They go on even if the event is
  // cleared before they run. Setting a set event does nothing.
  void set() {
    if (set_) return;
    waiters_.check_thread("Event::set");  // @since 11
    set_ = true;
    while (!waiters_.empty()) waiters_.wake_front();
  }
  // Lowers the flag: later wait()s wait again for the next set().
  void clear() { set_ = false; }
  detail::EventAwaiter wait() { return detail::EventAwaiter(*this); }

 private:
  friend class detail::EventAwaiter;
  detail::WaiterList waiters_;
  bool set_ = false;
};

inline bool detail::EventAwaiter::await_ready() const { return event().set_; }

inline void detail::EventAwaiter::await_suspend(std::coroutine_handle<> h) {
  event().waiters_.push_back(this);  // writes the back link: the event is read first
  kind = &kKind;                     // @since 09
  waker = park(h, this, "event wait");
}

}  // namespace corio
