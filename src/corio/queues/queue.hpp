// @chapter 08
// Queue<T>: hands items from producers to consumers that run at different
// speeds, asyncio.Queue's counterpart. put() waits while the queue is full
// (maxsize items; maxsize <= 0: never full), get() waits while it is empty;
// the _nowait forms throw QueueFull and QueueEmpty instead. task_done() and
// join() count the work: join() returns once every item put was marked done.
// PriorityQueue<T> gives the smallest item first, LifoQueue<T> the newest.
//
// The design, in one rule: a waiter is woken with a promise. A put() that
// finds getters waiting leaves its item in the queue and promises it to the
// longest waiter, which the loop resumes on its next iteration; the getter
// takes an item when it runs. Until then the item is spoken for: a newcomer
// cannot take it (FIFO among waiters holds, and the woken getter always
// finds an item, so it never has to wait twice). Free slots are promised to
// waiting putters the same way. A woken waiter that never runs (its frame
// destroyed; chapter 09: cancelled) hands its promise to the next in line,
// so an item is never lost and never delivered twice. asyncio wakes a
// waiter without a promise: a newcomer may take the item first, and the
// woken getter waits again at the back of the line.
//
// Waiting allocates nothing: a waiter is a node in the awaiting frame, on
// chapter 07's intrusive lists. Items live in a ring buffer (a heap for
// PriorityQueue) that grows by doubling and never shrinks, so a warm queue
// allocates nothing either.
#pragma once

#include <coroutine>
#include <cstddef>
#include <functional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include <corio/tasks/coro.hpp>  // park() and cancel_pending(), inline
#include <corio/tasks/detail/awaiter.hpp>

#include <corio/queues/detail/queue_storage.hpp>
#include <corio/sync/detail/waiter_list.hpp>
#include <corio/sync/semaphore.hpp>  // ValueError

namespace corio {

namespace detail {

// What every queue shares whatever its items: the counts, the promises and
// the three lines of waiters. The items themselves are the owner's.
class QueueCore {
 public:
  QueueCore(std::ptrdiff_t maxsize, const char* kind);
  QueueCore(const QueueCore&) = delete;
  QueueCore& operator=(const QueueCore&) = delete;

  std::ptrdiff_t maxsize() const { return maxsize_; }
  std::size_t size() const { return size_; }
  // An item nobody was promised: get() takes it at once. While getters
  // wait there is none, since every item put then is promised.
  bool item_free() const { return size_ > promised_items_; }
  // A slot nobody was promised: put() fills it at once.
  bool slot_free() const { return maxsize_ <= 0 || size_ + promised_slots_ < static_cast<std::size_t>(maxsize_); }

  // An item came in: one more unfinished task, and the longest getter, if
  // any, is woken with a promise of it.
  void added() {
    ++size_;
    ++unfinished_;
    if (!getters_.empty()) promise_item();
  }
  // An item went out: its slot is promised to the longest putter, if any.
  void removed() {
    --size_;
    if (!putters_.empty()) promise_slot();
  }
  // A woken waiter runs and uses what it was promised.
  void redeem_item() { --promised_items_; }
  void redeem_slot() { --promised_slots_; }
  // A woken waiter that will never run passes its promise down the line.
  void pass_item() {
    --promised_items_;
    if (!getters_.empty()) promise_item();
  }
  void pass_slot() {
    --promised_slots_;
    if (!putters_.empty()) promise_slot();
  }

  std::size_t unfinished() const { return unfinished_; }
  void task_done();

  [[noreturn]] void throw_empty() const;
  [[noreturn]] void throw_full() const;

  WaiterList getters_;
  WaiterList putters_;
  WaiterList joiners_;

 private:
  void promise_item() {
    getters_.wake_front();
    ++promised_items_;
  }
  void promise_slot() {
    putters_.wake_front();
    ++promised_slots_;
  }

  std::ptrdiff_t maxsize_;          // <= 0: unbounded
  std::size_t size_ = 0;            // items in the queue, promised ones included
  std::size_t promised_items_ = 0;  // items promised to woken getters not yet run
  std::size_t promised_slots_ = 0;  // free slots promised to woken putters not yet run
  std::size_t unfinished_ = 0;      // items put and not yet task_done()
  const char* kind_;
};

// `co_await q.get()`: takes an item at once, without suspending, when one
// is free. Otherwise the coroutine waits in line and is resumed from the
// loop on the iteration after the put() that promised it an item; it takes
// the item the queue's order gives next (FIFO: the oldest). (Its
// await_resume, and the putter's, are always inlined: GCC would call them,
// once per item, and the queue ran at 72 % of its speed; decision 158.)
template <class Q>
class [[nodiscard]] GetAwaiter : private WaiterNode {
 public:
  explicit GetAwaiter(Q& q) : q_(&q) {}
  // Moved only before it is awaited: create_task(q.get()) and
  // wait_for(q.get(), t) move it into the frame of the coroutine that
  // awaits it.
  GetAwaiter(GetAwaiter&& other) noexcept : q_(other.q_) {}
  GetAwaiter(const GetAwaiter&) = delete;
  GetAwaiter& operator=(const GetAwaiter&) = delete;
  // The states: never suspended, or resumed (waker empty); waiting (linked);
  // promised an item but not resumed (not linked, waker set). A frame
  // destroyed while waiting leaves the line; one destroyed holding a
  // promise passes it on, so the item goes to the next getter.
  ~GetAwaiter() {
    if (linked()) {
      unlink();
    } else if (waker) {
      q_->core_.pass_item();
    }
  }

  bool await_ready() const { return q_->core_.item_free(); }
  void await_suspend(std::coroutine_handle<> h) {
    q_->core_.getters_.push_back(this);
    kind = &kKind;  // @since 09
    waker = park(h, this, "queue get");
  }
  // @since 09
  // A getter cancelled after it was promised an item passes the promise to
  // the next getter: the item stays in the queue for it.
  // @end
  [[gnu::always_inline]] typename Q::value_type await_resume() {
    // @since 09
    if (cancel_pending()) {
      if (std::exchange(waker, ReadyEntry())) q_->core_.pass_item();  // it was promised an item
      throw_cancelled();
    }
    // @end
    if (std::exchange(waker, ReadyEntry())) q_->core_.redeem_item();
    return q_->take();
  }

 private:
  Q* q_;
  static constexpr WaitKind kKind{.cancel = &leave_line, .what = "queue get"};  // @since 09
};

// `co_await q.put(item)`: the item waits in the awaiter, so in the frame.
// It goes in at once, without suspending, when a slot is free. Otherwise
// the coroutine waits in line and is resumed from the loop on the
// iteration after the get() that promised it a slot; the item goes in then.
template <class Q>
class [[nodiscard]] PutAwaiter : private WaiterNode {
 public:
  PutAwaiter(Q& q, typename Q::value_type item) : q_(&q), item_(std::move(item)) {}
  // Moved only before it is awaited, as get()'s; the item goes along.
  PutAwaiter(PutAwaiter&& other) noexcept(std::is_nothrow_move_constructible_v<typename Q::value_type>)
      : q_(other.q_), item_(std::move(other.item_)) {}
  PutAwaiter(const PutAwaiter&) = delete;
  PutAwaiter& operator=(const PutAwaiter&) = delete;
  // The states, as for get(). A putter destroyed holding a promised slot
  // passes the slot on; its item was never in the queue, so nothing is
  // lost and nothing doubled.
  ~PutAwaiter() {
    if (linked()) {
      unlink();
    } else if (waker) {
      q_->core_.pass_slot();
    }
  }

  bool await_ready() const { return q_->core_.slot_free(); }
  void await_suspend(std::coroutine_handle<> h) {
    q_->core_.putters_.push_back(this);
    kind = &kKind;  // @since 09
    waker = park(h, this, "queue put");
  }
  // @since 09
  // A putter cancelled after it was promised a slot passes the slot on; its
  // item never goes in.
  // @end
  [[gnu::always_inline]] void await_resume() {
    // @since 09
    if (cancel_pending()) {
      if (std::exchange(waker, ReadyEntry())) q_->core_.pass_slot();  // it was promised a slot
      throw_cancelled();
    }
    // @end
    if (std::exchange(waker, ReadyEntry())) q_->core_.redeem_slot();
    q_->add(std::move(item_));
  }

 private:
  Q* q_;
  typename Q::value_type item_;
  static constexpr WaitKind kKind{.cancel = &leave_line, .what = "queue put"};  // @since 09
};

// `co_await q.join()`: at once when no task is unfinished; otherwise
// resumed from the loop on the iteration after the task_done() that brings
// the count to zero. It goes on even if an item is put before it runs.
class [[nodiscard]] JoinAwaiter : private WaiterNode {
 public:
  explicit JoinAwaiter(QueueCore& core) : core_(&core) {}
  // Moved only before it is awaited: create_task(q.join()) moves it into
  // the frame of the coroutine that awaits it.
  JoinAwaiter(JoinAwaiter&& other) noexcept : core_(other.core_) {}
  JoinAwaiter(const JoinAwaiter&) = delete;
  JoinAwaiter& operator=(const JoinAwaiter&) = delete;
  ~JoinAwaiter() {
    if (linked()) unlink();
  }

  bool await_ready() const { return core_->unfinished() == 0; }
  void await_suspend(std::coroutine_handle<> h) {
    core_->joiners_.push_back(this);
    kind = &kKind;  // @since 09
    waker = park(h, this, "queue join");
  }
  void await_resume() {
    waker = ReadyEntry();
    throw_if_cancelled();  // @since 09
  }

 private:
  QueueCore* core_;
  static constexpr WaitKind kKind{.cancel = &leave_line, .what = "queue join"};  // @since 09
};

}  // namespace detail

// The queue itself; Items is one of the orders of queue_storage.hpp. Use it
// through Queue, LifoQueue and PriorityQueue.
template <class T, class Items>
class BasicQueue {
 public:
  using value_type = T;

  // args, if any, make the Items (PriorityQueue's comparison).
  template <class... A>
  explicit BasicQueue(std::ptrdiff_t maxsize = 0, A&&... args)
      : core_(maxsize, Items::kKind), items_(std::forward<A>(args)...) {}
  BasicQueue(const BasicQueue&) = delete;
  BasicQueue& operator=(const BasicQueue&) = delete;

  // `co_await q.put(item);` and `T item = co_await q.get();` (awaiters above).
  detail::PutAwaiter<BasicQueue> put(T item) { return {*this, std::move(item)}; }
  detail::GetAwaiter<BasicQueue> get() { return detail::GetAwaiter<BasicQueue>(*this); }
  // Without waiting: QueueFull when no slot is free, QueueEmpty when no item is.
  void put_nowait(T item) {
    if (!core_.slot_free()) core_.throw_full();
    add(std::move(item));
  }
  T get_nowait() {
    if (!core_.item_free()) core_.throw_empty();
    return take();
  }

  // Items in the queue, counting any promised to a woken getter.
  std::size_t qsize() const { return core_.size(); }
  // True when get_nowait() would throw: no item, or every item is promised
  // to a getter woken before (asyncio would say false in that moment).
  bool empty() const { return !core_.item_free(); }
  // True when put_nowait() would throw, the same way round.
  bool full() const { return !core_.slot_free(); }
  std::ptrdiff_t maxsize() const { return core_.maxsize(); }

  // Marks one item taken with get() as processed. ValueError when every
  // item put is marked already.
  void task_done() { core_.task_done(); }
  // `co_await q.join();`: until every item put has been marked done.
  detail::JoinAwaiter join() { return detail::JoinAwaiter(core_); }

 private:
  friend class detail::GetAwaiter<BasicQueue>;
  friend class detail::PutAwaiter<BasicQueue>;

  void add(T&& item) {
    items_.push(std::move(item));
    core_.added();
  }
  T take() {
    T item = items_.take();
    core_.removed();
    return item;
  }

  detail::QueueCore core_;
  Items items_;
};

// First in, first out.
template <class T>
class Queue : public BasicQueue<T, detail::FifoItems<T>> {
 public:
  explicit Queue(std::ptrdiff_t maxsize = 0) : BasicQueue<T, detail::FifoItems<T>>(maxsize) {}
};

// Last in, first out.
template <class T>
class LifoQueue : public BasicQueue<T, detail::LifoItems<T>> {
 public:
  explicit LifoQueue(std::ptrdiff_t maxsize = 0) : BasicQueue<T, detail::LifoItems<T>>(maxsize) {}
};

// Smallest first, by compare (std::less: operator<). Items are often
// pairs (priority, data), which compare by priority first.
template <class T, class Compare = std::less<T>>
class PriorityQueue : public BasicQueue<T, detail::HeapItems<T, Compare>> {
 public:
  explicit PriorityQueue(std::ptrdiff_t maxsize = 0, Compare compare = Compare())
      : BasicQueue<T, detail::HeapItems<T, Compare>>(maxsize, std::move(compare)) {}
};

}  // namespace corio
