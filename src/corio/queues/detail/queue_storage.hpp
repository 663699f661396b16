// @chapter 08
// How a queue keeps its items, in the three orders of queue.hpp: FIFO and
// LIFO in a ring buffer, PriorityQueue in a binary heap. Each order has
// push(item) and take(), which removes and returns the item that comes out
// next; the queue counts and waits, the order only stores.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace corio::detail {

// Items in a ring buffer that doubles when full and never shrinks. Raw
// storage, so T needs no default constructor and no copy (a move-only job
// is fine). head_ and tail_ count up forever; & (cap_ - 1) gives the slot.
template <class T>
class Ring {
 public:
  Ring() = default;
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;
  ~Ring() {
    while (tail_ != head_) std::destroy_at(slot(--tail_));
    if (slots_) std::allocator<T>().deallocate(slots_, cap_);
  }

  void push_back(T&& item) {
    if (tail_ - head_ == cap_) grow();
    std::construct_at(slot(tail_), std::move(item));
    ++tail_;
  }
  T pop_front() { return move_out(slot(head_++)); }
  T pop_back() { return move_out(slot(--tail_)); }

 private:
  T* slot(std::size_t i) const { return slots_ + (i & (cap_ - 1)); }
  static T move_out(T* p) {
    T item = std::move(*p);
    std::destroy_at(p);
    return item;
  }
  void grow() {
    std::size_t cap = cap_ ? cap_ * 2 : 16;
    T* bigger = std::allocator<T>().allocate(cap);
    std::size_t n = tail_ - head_;
    for (std::size_t i = 0; i < n; ++i) std::construct_at(bigger + i, move_out(slot(head_ + i)));
    if (slots_) std::allocator<T>().deallocate(slots_, cap_);
    slots_ = bigger;
    cap_ = cap;
    head_ = 0;
    tail_ = n;
  }

  T* slots_ = nullptr;
  std::size_t cap_ = 0;  // 0 or a power of two
  std::size_t head_ = 0;
  std::size_t tail_ = 0;
};

// The three orders. Each stores items and says which one comes out next.
template <class T>
struct FifoItems {
  static constexpr const char* kKind = "Queue";
  Ring<T> ring;
  void push(T&& item) { ring.push_back(std::move(item)); }
  T take() { return ring.pop_front(); }
};

template <class T>
struct LifoItems {
  static constexpr const char* kKind = "LifoQueue";
  Ring<T> ring;
  void push(T&& item) { ring.push_back(std::move(item)); }
  T take() { return ring.pop_back(); }
};

// A binary heap on a vector. The standard heap keeps the largest on top,
// so the comparison is turned around to keep the smallest there.
template <class T, class Compare>
struct HeapItems {
  static constexpr const char* kKind = "PriorityQueue";
  explicit HeapItems(Compare c) : later{std::move(c)} {}
  struct Later {
    Compare less;
    bool operator()(const T& a, const T& b) const { return less(b, a); }
  } later;
  std::vector<T> heap;
  void push(T&& item) {
    heap.push_back(std::move(item));
    std::push_heap(heap.begin(), heap.end(), later);
  }
  T take() {
    std::pop_heap(heap.begin(), heap.end(), later);
    T item = std::move(heap.back());
    heap.pop_back();
    return item;
  }
};

}  // namespace corio::detail
