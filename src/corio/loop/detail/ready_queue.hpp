// @chapter 01
// The ready queue: what the loop runs next, first in, first out. An entry is
// either a callback (from call_soon, a timer, an fd) or, from chapter 04 on,
// a suspended coroutine to resume. It is a ring buffer that doubles when
// full and never shrinks, so a busy loop allocates nothing once warm, and
// that starts again at its first slot whenever it empties.
#pragma once

#include <coroutine>  // @since 04
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>

#include <corio/loop/callback.hpp>

namespace corio::detail {

// One entry, one word wide: a callback; the entry owns one reference to it.
// @since 04
// Or a coroutine to resume. The lowest bit tells which: callbacks and
// coroutine frames come from the allocator, aligned to at least 8 bytes, so
// that bit is otherwise always 0. A word instead of two halves the queue's
// memory when 100,000 tasks are queued at once.
// @end
// @since 09
// Or a task to step (bit 1): a task resumes the frame it waits in itself,
// so that it knows it runs, and can be told it was cancelled. The entry
// holds the task as an address; the task layer steps it (LoopHooks).
// @end
class ReadyEntry {
 public:
  ReadyEntry() = default;
  explicit ReadyEntry(Callback* cb) : bits_(reinterpret_cast<std::uintptr_t>(cb)) {}
  Callback* callback() const { return reinterpret_cast<Callback*>(bits_); }
  // @since 04
  explicit ReadyEntry(std::coroutine_handle<> h) : bits_(reinterpret_cast<std::uintptr_t>(h.address()) | 1) {}
  bool is_coroutine() const { return bits_ & 1; }
  std::coroutine_handle<> coroutine() const {
    return std::coroutine_handle<>::from_address(reinterpret_cast<void*>(bits_ & ~std::uintptr_t{1}));
  }
  explicit operator bool() const { return bits_ != 0; }  // false: the empty entry
  // @end
  // @since 09
  static ReadyEntry task_step(void* task) {
    ReadyEntry r;
    r.bits_ = reinterpret_cast<std::uintptr_t>(task) | 2;
    return r;
  }
  bool is_task() const { return bits_ & 2; }
  void* task() const { return reinterpret_cast<void*>(bits_ & ~std::uintptr_t{2}); }
  // @end

 private:
  std::uintptr_t bits_ = 0;
};

class ReadyQueue {
 public:
  ReadyQueue() : slots_(room(kInitial)), mask_(kInitial - 1) {}
  ReadyQueue(const ReadyQueue&) = delete;
  ReadyQueue& operator=(const ReadyQueue&) = delete;
  ~ReadyQueue() { clear(); }

  bool empty() const { return head_ == tail_; }
  std::size_t size() const { return tail_ - head_; }

  void push(ReadyEntry item) {
    if (size() > mask_) grow();  // full: size() is mask_ + 1
    slots_[tail_++ & mask_] = item;
  }
  ReadyEntry pop() { return slots_[head_++ & mask_]; }
  // An empty queue starts again at its first slot. So the queue writes no
  // more of its array than it ever held at once, and the rest of a large
  // one is never touched: those pages stay out of the process's memory.
  // The loop calls it as it takes the last entry of a round (run_ready).
  void rewind() {
    if (empty()) head_ = tail_ = 0;
  }
  std::size_t next_slot() const { return tail_ & mask_; }  // where the next push goes
  ReadyEntry peek(std::size_t i) const { return slots_[(head_ + i) & mask_]; }  // @since 02: for the trace

  // Drops every entry, releasing the callbacks' references. Coroutines in
  // the queue are not owned by it, so they are simply forgotten.
  void clear() {
    while (!empty()) {
      ReadyEntry r = pop();
      if (r.is_coroutine()) continue;  // @since 04
      if (r.is_task()) continue;       // @since 09
      r.callback()->release();
    }
    rewind();
  }

 private:
  static constexpr std::size_t kInitial = 256;

  // Out of line and cold: push, inlined into every waker, stays a few
  // instructions that need no saved registers.
  [[gnu::noinline, gnu::cold]] void grow() {
    std::size_t cap = mask_ + 1;
    Slots bigger = room(cap * 2);
    for (std::size_t i = 0; i < cap; ++i) bigger[i] = slots_[(head_ + i) & mask_];
    slots_ = std::move(bigger);
    head_ = 0;
    tail_ = cap;
    mask_ = cap * 2 - 1;
  }
  // Room for n entries, left unwritten (a ReadyEntry is a plain word), so
  // that only the slots the queue uses are ever touched (rewind()).
  struct Free {
    void operator()(ReadyEntry* slots) const { ::operator delete(slots); }
  };
  using Slots = std::unique_ptr<ReadyEntry[], Free>;
  static_assert(std::is_trivially_copyable_v<ReadyEntry>, "a slot is written by assignment alone");
  static Slots room(std::size_t n) { return Slots(static_cast<ReadyEntry*>(::operator new(n * sizeof(ReadyEntry)))); }

  Slots slots_;
  std::size_t mask_;
  std::size_t head_ = 0;  // counts up forever; & mask_ gives the slot
  std::size_t tail_ = 0;
};

}  // namespace corio::detail
