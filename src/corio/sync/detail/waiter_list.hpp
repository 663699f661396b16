// @chapter 07
// The waiting room of the synchronization primitives: an intrusive, doubly
// linked FIFO of coroutines. A node (prev, next, the waker that resumes its
// coroutine) lives in the awaiter, so in the waiting coroutine's frame:
// waiting allocates nothing, however many coroutines wait. The list is
// circular around a sentinel node inside the list itself, so a node takes
// itself off in O(1) knowing nothing but itself. A frame destroyed while it
// waits unhooks its node in its destructor, and chapter 09's cancellation
// does the same.
#pragma once

#include <coroutine>
#include <string>   // @since 09
#include <utility>  // @since 09

#include <corio/loop/loop.hpp>
#include <corio/tasks/coro.hpp>  // park() and cancel_pending(), inline
#include <corio/tasks/detail/awaiter.hpp>

namespace corio::detail {

struct WaiterNode : WaitPoint {
  // The back link matters only while the node is on a list. Until then the
  // word may hold what the awaiter is about to wait on: an Event's awaiter
  // keeps its Event there, one word less in each of 100,000 waiting frames
  // (event.hpp). Linking the node overwrites it.
  union {
    WaiterNode* prev = nullptr;
    void* until_linked;
  };
  WaiterNode* next = nullptr;  // null: on no list
  ReadyEntry waker;            // what resumes the waiting coroutine (park()'s answer)

  bool linked() const { return next != nullptr; }
  void unlink() {
    prev->next = next;
    next->prev = prev;
    prev = next = nullptr;
  }
  // @since 09
  // The usual answer to a cancellation: a waiter still in line leaves it and
  // is woken to take its CancelledError; a woken one holds what it was handed
  // until it runs, and its await_resume gives that back.
  static CancelAnswer leave_line(WaitPoint* self, const std::string&) {
    auto* n = static_cast<WaiterNode*>(self);
    if (!n->linked()) return CancelAnswer::TooLate;
    n->unlink();
    wake(std::exchange(n->waker, ReadyEntry()));
    return CancelAnswer::LetGo;
  }
  // @end
};

// `kind` names the primitive in errors ("Semaphore", "Event", ...). The list
// is bound to the loop of the coroutines on it: every node must come from
// the same loop, the one that resumes them (asyncio binds a primitive to a
// loop the same way; corio lets go of the loop whenever the list empties).
class WaiterList {
 public:
  explicit WaiterList(const char* kind) : kind_(kind) { head_.prev = head_.next = &head_; }
  WaiterList(const WaiterList&) = delete;
  WaiterList& operator=(const WaiterList&) = delete;
  // A primitive destroyed while coroutines wait on it: their nodes no longer
  // point into freed memory, and they are forgotten (never resumed).
  // @since 09
  // Except tasks: each is cancelled, with a message naming the primitive,
  // so that it does not wait forever.
  // @end
  ~WaiterList() {
    while (!empty()) {
      WaiterNode* n = head_.next;
      n->unlink();
      abandon(n);
    }
  }

  bool empty() const { return head_.next == &head_; }
  // @since 11
  // Waking waiters is for their loop's thread: what, called from another
  // thread while coroutines wait, throws RuntimeError (before it changes
  // anything).
  void check_thread(const char* what) const {
    if (!empty()) loop_->check_owner_thread(what);
  }
  // @end
  WaiterNode* front() const { return empty() ? nullptr : head_.next; }

  // Appends n, the newest waiter. A node on another list (a Condition's
  // waiter moving to its Lock's queue) leaves that list first. Throws
  // RuntimeError when the coroutines already here belong to another loop.
  void push_back(WaiterNode* n) {
    bind();
    if (n->linked()) n->unlink();
    n->prev = head_.prev;
    n->next = &head_;
    head_.prev->next = n;
    head_.prev = n;
  }

  // Takes the oldest waiter off and hands its waker to the loop, which
  // resumes it on its next iteration. The node keeps its waker: that is how
  // its awaiter knows it was woken but has not run yet.
  WaiterNode* wake_front() {
    WaiterNode* n = head_.next;
    n->unlink();
    detail::LoopAccess::schedule(*loop_, n->waker);
    return n;
  }

 private:
  void bind() {
    Loop& running = get_running_loop();
    if (empty()) {
      loop_ = &running;
    } else if (loop_ != &running) {
      throw_bound_elsewhere();
    }
  }
  [[noreturn]] void throw_bound_elsewhere() const;
  void abandon(WaiterNode* n) const;

  WaiterNode head_;  // the sentinel: head_.next is the oldest, head_.prev the newest
  Loop* loop_ = nullptr;
  const char* kind_;
};

}  // namespace corio::detail
