// @chapter 02
#include <corio/loop/detail/timers.hpp>

namespace corio::detail {

void TimerHeap::push(TimerNode* node, Nanos when) {
  node->when_ = when;
  node->seq_ = next_seq_++;
  heap_.push_back(node);
  place(heap_.size() - 1, node);
  sift_up(heap_.size() - 1);
}

void TimerHeap::remove(TimerNode* node) {
  std::size_t i = node->index_;
  node->index_ = TimerNode::kNotScheduled;
  TimerNode* last = heap_.back();
  heap_.pop_back();
  if (last == node) return;
  place(i, last);
  sift_up(i);
  sift_down(last->index_);
}

void TimerHeap::sift_up(std::size_t i) {
  TimerNode* node = heap_[i];
  while (i > 0) {
    std::size_t parent = (i - 1) / 2;
    if (!earlier(node, heap_[parent])) break;
    place(i, heap_[parent]);
    i = parent;
  }
  place(i, node);
}

void TimerHeap::sift_down(std::size_t i) {
  TimerNode* node = heap_[i];
  std::size_t n = heap_.size();
  for (;;) {
    std::size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && earlier(heap_[child + 1], heap_[child])) ++child;
    if (!earlier(heap_[child], node)) break;
    place(i, heap_[child]);
    i = child;
  }
  place(i, node);
}

}  // namespace corio::detail
