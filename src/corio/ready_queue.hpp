// @chapter 01
// The ready queue: what the loop runs next, first in, first out. An entry is
// either a callback (from call_soon, a timer, an fd) or, from chapter 04 on,
// a suspended coroutine to resume. It is a ring buffer that doubles when
// full and never shrinks, so a busy loop allocates nothing once warm.
#pragma once

#include <coroutine>
#include <cstddef>
#include <memory>

#include <corio/callback.hpp>

namespace corio::detail {

struct Ready {
  Callback* callback = nullptr;  // owns one reference while queued
  std::coroutine_handle<> coro = nullptr;  // @since 04
};

class ReadyQueue {
 public:
  ReadyQueue() : slots_(std::make_unique<Ready[]>(kInitial)), mask_(kInitial - 1) {}
  ReadyQueue(const ReadyQueue&) = delete;
  ReadyQueue& operator=(const ReadyQueue&) = delete;
  ~ReadyQueue() { clear(); }

  bool empty() const { return head_ == tail_; }
  std::size_t size() const { return tail_ - head_; }

  void push(Ready item) {
    if (size() == mask_ + 1) grow();
    slots_[tail_++ & mask_] = item;
  }
  Ready pop() { return slots_[head_++ & mask_]; }

  // Drops every entry, releasing the callbacks' references. Coroutines in
  // the queue are not owned by it, so they are simply forgotten.
  void clear() {
    while (!empty()) {
      Ready r = pop();
      if (r.callback) r.callback->release();
    }
  }

 private:
  static constexpr std::size_t kInitial = 256;

  void grow() {
    std::size_t cap = mask_ + 1;
    auto bigger = std::make_unique<Ready[]>(cap * 2);
    for (std::size_t i = 0; i < cap; ++i) bigger[i] = slots_[(head_ + i) & mask_];
    slots_ = std::move(bigger);
    head_ = 0;
    tail_ = cap;
    mask_ = cap * 2 - 1;
  }

  std::unique_ptr<Ready[]> slots_;
  std::size_t mask_;
  std::size_t head_ = 0;  // counts up forever; & mask_ gives the slot
  std::size_t tail_ = 0;
};

}  // namespace corio::detail
