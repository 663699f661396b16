// @chapter 02
// The timer heap: every pending deadline, earliest on top. Each node knows
// its own index in the heap, so cancelling one is O(log n) instead of a
// search (asyncio marks a cancelled timer and skips it later; we remove it
// at once so a cancelled sleep costs nothing afterwards). Equal deadlines
// fire in the order they were scheduled: a sequence number breaks ties.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <corio/loop/clock.hpp>

namespace corio::detail {

class TimerNode {
 public:
  static constexpr std::size_t kNotScheduled = SIZE_MAX;

  bool scheduled() const { return index_ != kNotScheduled; }
  Nanos when() const { return when_; }
  // Called by the loop when the deadline has passed and the node has left
  // the heap: queue whatever should run now.
  void fire() { fire_(this); }

 protected:
  // What fire() does, a function of the node's class: a pointer, where a
  // virtual fire() would be a vtable pointer, one word all the same, but
  // that a destructor would write again, and a sleep ends at every yield.
  using Fire = void (*)(TimerNode* self);
  explicit TimerNode(Fire fire) : fire_(fire) {}
  // @since 04
  // For a node that keeps something else in its deadline until it is
  // scheduled: a sleep keeps its delay there (sleep.hpp).
  TimerNode(Fire fire, Nanos when) : fire_(fire), when_(when) {}
  // @end
  ~TimerNode() = default;

 private:
  friend class TimerHeap;
  Fire fire_;
  Nanos when_{0};
  std::uint64_t seq_;  // set when the node goes into the heap
  std::size_t index_ = kNotScheduled;
};

class TimerHeap {
 public:
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  TimerNode* top() const { return heap_.front(); }

  void push(TimerNode* node, Nanos when);
  void remove(TimerNode* node);
  TimerNode* pop() {
    TimerNode* node = heap_.front();
    remove(node);
    return node;
  }

 private:
  static bool earlier(const TimerNode* a, const TimerNode* b) {
    return a->when_ < b->when_ || (a->when_ == b->when_ && a->seq_ < b->seq_);
  }
  void place(std::size_t i, TimerNode* node) {
    heap_[i] = node;
    node->index_ = i;
  }
  void sift_up(std::size_t i);
  void sift_down(std::size_t i);

  std::vector<TimerNode*> heap_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace corio::detail
