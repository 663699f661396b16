// @chapter 03
// Future<T>: the one place a result or an error lands. Whoever waits for it
// hangs a Waiter on it; when the future completes, every waiter is handed to
// the loop in the order it was added, and runs on a later iteration, never
// inside set_result(). From chapter 05 on a Task is a future too: its
// coroutine's promise is a FutureState, so everything here serves both.
#pragma once

#include <coroutine>  // @since 04
#include <cstddef>
#include <cstdint>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include <corio/tasks/detail/awaiter.hpp>  // @since 04
#include <corio/loop/callback.hpp>
#include <corio/errors.hpp>
#include <corio/loop/loop.hpp>

namespace corio {

namespace detail {

// A handle without a state (default-constructed, or moved from) used:
// RuntimeError naming the call, e.g. "Task::result: this Task is empty".
[[noreturn]] void throw_empty(const char* who, const char* kind);

// A node on a future's waiter list. It lives wherever the waiting happens:
// in the awaiting coroutine's frame, or in a heap node for a done-callback.
struct Waiter {
  enum class Notice { Done, Dropped };  // completed / the future died first
  Waiter* prev = nullptr;
  Waiter* next = nullptr;
  void (*notify)(Waiter* self, Notice notice) = nullptr;
};

// What every future shares whatever its T: the state, the error, the
// waiters, and a reference count (Future<T> handles, and a Task's loop).
class FutureCore {
 public:
  explicit FutureCore(Loop* loop) : loop_stamp_(loop != nullptr ? loop->stamp() : 0), loop_(loop) {}
  // @since 09
  // A coroutine's promise: the core of a frame, which request_cancel asks
  // as a task (Task::cancel) rather than cancelling it on the spot.
  struct InFrame {};
  explicit FutureCore(InFrame) : in_frame_(true), loop_stamp_(0), loop_(nullptr), wait_point_(nullptr) {}
  // @end
  FutureCore(const FutureCore&) = delete;
  FutureCore& operator=(const FutureCore&) = delete;

  bool done() const { return state_ != State::Pending; }
  bool has_error() const { return has_error_; }  // @since 06: done with an error (unlike exception(), it marks nothing retrieved)
  bool cancelled() const { return state_ == State::Cancelled; }  // @since 09
  Loop& loop() const { return *loop_; }

  void retain() { ++refs_; }
  // More than one reference: someone besides the caller's handle holds it.
  bool shared() const { return refs_ > 1; }
  // Appends w; it is notified once, when the future completes (at once,
  // when it is done already). Inline: the usual future has one waiter at
  // most, and a gather adds 200,000 of them in one loop.
  void add_waiter(Waiter* w) {
    if (done()) {
      w->notify(w, Waiter::Notice::Done);
      return;
    }
    if (head_ == nullptr) {
      w->prev = w->next = w;
      head_ = w;
      return;
    }
    add_waiter_behind(w);
  }
  // @since 04
  // For an awaiter: the awaiting coroutine must run on this future's loop.
  // `who` names the call in the error: co_await, gather, wait, as_completed.
  // Inline, for gather hooks 200,000 children in one walk; the error is not.
  void check_awaited_here(const char* who = "co_await") const {
    Loop* running = running_loop();
    if (loop_ == nullptr || running == nullptr || (running == loop_ && running->stamp() == loop_stamp_)) return;
    refuse_foreign_loop(who);
  }
  // @end
  void remove_waiter(Waiter* w);
  // Takes w off if it waits here; false when it does not.
  bool take_waiter(Waiter* w);

  void set_exception(std::exception_ptr error, const char* who);
  std::exception_ptr exception(const char* who);
  // @since 09
  // Future::cancel: a pending future completes cancelled, its error a
  // CancelledError, and wakes its waiters; false when it is done already. A
  // task's promise has its own, Task::cancel, which only asks; a core in a
  // frame goes there, for a caller that knows only the core (gather's).
  bool request_cancel(const std::string& message);
  // @end

 protected:
  // Waiters still hooked on a future that goes are told so (Dropped). Inline:
  // the usual future has none left, and pays one test.
  ~FutureCore() {
    if (head_ != nullptr) [[unlikely]] drop_waiters();
    if (has_error_) error_.~exception_ptr();
  }

  // Drops one reference; true when it was the last. The class that drops
  // it knows what the future is and frees it: a plain future's state
  // deletes itself (HeapState, below), a task's promise destroys its frame
  // (chapter 05). So a core needs no virtual function, nor the word a
  // vtable pointer takes.
  bool unref() { return --refs_ == 0; }
  void drop_waiters();
  void add_waiter_behind(Waiter* w);  // add_waiter's rest: w joins waiters already there
  void check_pending(const char* who) const;
  // Every read of a result asks these two: each is one test inline, and
  // what it throws is built out of line, only when it throws.
  void check_done(const char* who) const {
    if (!done()) [[unlikely]] refuse_pending(who);
  }
  // Marks the error retrieved and throws it, if there is one.
  void rethrow_error() {
    if (has_error_) [[unlikely]] throw_error();
  }
  [[noreturn]] void refuse_pending(const char* who) const;
  [[noreturn]] void refuse_foreign_loop(const char* who) const;  // @since 04
  [[noreturn]] void throw_error();
  // Completes the future: every waiter goes to the loop, in order.
  void finish();
  // The error nobody looked at, for the "never retrieved" report.
  // Whether there is one, without copying it (a copy counts a reference).
  bool has_unretrieved_error() const { return has_error_ && !retrieved_; }
  std::exception_ptr unretrieved_error() const { return has_unretrieved_error() ? error_ : nullptr; }
  // Puts the error in the word it shares with the result (below). A
  // coroutine's promise (chapter 04) calls it alone, when the error escapes
  // the body; it finishes later, at the final suspend.
  void store_error(std::exception_ptr error) {
    ::new (&error_) std::exception_ptr(std::move(error));
    has_error_ = true;
  }
  // For FutureState: the shared word, for a result that fits in it; and
  // whether the result is in, wherever it lives.
  void* result_word() { return result_word_; }
  bool has_result() const { return has_result_; }
  void mark_result() { has_result_ = true; }
  // @since 04
  // A coroutine's promise learns its loop when it becomes a task.
  void bind(Loop* loop) {
    loop_ = loop;
    loop_stamp_ = loop->stamp();
  }
  // @end
  // @since 09
  // The error is a CancelledError: the future ends cancelled, and nobody is
  // told the error was never retrieved (asyncio logs no cancelled task).
  void mark_cancelled() {
    state_ = State::Cancelled;
    retrieved_ = true;
  }
  // A task's promise keeps here the awaiter it waits at (PromiseBase): only
  // while it is pending, and the shared word holds nothing then. Null once
  // the result or the error is in: the word is theirs from that moment.
  WaitPoint* parked_at() const { return has_result_ || has_error_ ? nullptr : wait_point_; }
  void park_at(WaitPoint* wp) { wait_point_ = wp; }
  void unmark_result() { has_result_ = false; }  // FutureState::drop_result
  // @end

 private:
  // Pending, then final: a future completes once.
  // @before 09: enum class State : std::uint8_t { Pending, Done };
  enum class State : std::uint8_t { Pending, Done, Cancelled };  // @since 09
  State state_ = State::Pending;
  bool retrieved_ : 1 = false;   // an error was thrown or returned to someone
  bool has_error_ : 1 = false;   // the shared word holds an error
  bool has_result_ : 1 = false;  // the result is in (FutureState's, of its type)
  bool in_frame_ : 1 = false;    // @since 09: a coroutine's promise (FutureCore(InFrame))
  // The rest of the byte is declared too, so that the constructor writes
  // the word whole, without reading it first: a task's frame (chapter 05)
  // comes off the pool cold, and that read waits for memory (decision 159).
  // @before 09: std::uint8_t unused_ : 5 = 0;
  std::uint8_t unused_ : 4 = 0;  // @since 09
  std::uint16_t loop_stamp_;     // loop_->stamp(): which loop of that address (in padding: costs no room)
  std::uint32_t refs_ = 1;
  Loop* loop_;
  // A future ends with a result or an error, never both, so the two share
  // one word: the error, or a result that fits in a word (FutureState keeps
  // a larger one after the core). The bits above say which is there.
  union {
    std::exception_ptr error_;
    alignas(void*) unsigned char result_word_[sizeof(void*)];
    WaitPoint* wait_point_;  // @since 09: before either, where a task waits (parked_at)
  };
  static_assert(sizeof(std::exception_ptr) == sizeof(void*), "an exception_ptr is one pointer");
  // The oldest waiter; the list is a ring, so head_->prev is the newest (one
  // word instead of two).
  Waiter* head_ = nullptr;
};

// Whether a result of type T fits the word a core shares with its error.
template <class T>
inline constexpr bool kResultFitsWord = sizeof(T) <= sizeof(void*) && alignof(T) <= alignof(void*);
template <>
inline constexpr bool kResultFitsWord<void> = true;

// A future's state with its result. Core is FutureCore for a plain future;
// chapter 04 makes a coroutine's promise one, with a richer Core. A result
// that fits in a word lives in the word the core shares with its error;
// a larger one has room of its own here. void stores nothing.
template <class T, class Core = FutureCore>
class FutureState : public Core {
 public:
  using Result = T;
  using Core::Core;
  ~FutureState() {
    if constexpr (!std::is_void_v<T> && !std::is_trivially_destructible_v<T>) {
      if (this->has_result()) value().~T();
    }
  }

  template <class... U>
  void set_result(const char* who, U&&... value) {
    this->check_pending(who);
    put(std::forward<U>(value)...);
    this->finish();
  }
  // The result, or the error thrown; InvalidStateError while pending.
  decltype(auto) result(const char* who) {
    this->check_done(who);
    this->rethrow_error();
    if constexpr (!std::is_void_v<T>) return std::as_const(value());
  }
  // The same for an rvalue handle: the result is moved out only when that
  // handle is the last reference, else copied, so that every other holder
  // still reads it. A move-only result that others share cannot be either.
  T take_result(const char* who) {
    this->check_done(who);
    this->rethrow_error();
    if constexpr (!std::is_void_v<T>) {
      if (this->shared()) {
        if constexpr (std::is_copy_constructible_v<T>) {
          return value();
        } else {
          throw InvalidStateError(std::string(who) +
                                  ": the result cannot be moved out while other handles share this Task or Future, "
                                  "and its type is move-only, so it cannot be copied either; await the last handle "
                                  "(std::move the others into it, or let them go first)");
        }
      }
      return std::move(value());
    }
  }

 protected:
  // Builds the result in place, once (set_result checks first).
  template <class... U>
  void put(U&&... value) {
    if constexpr (!std::is_void_v<T>) {
      ::new (place()) T(std::forward<U>(value)...);
      this->mark_result();
    }
  }
  auto& value()
    requires(!std::is_void_v<T>)
  {
    return *std::launder(static_cast<T*>(place()));
  }
  // @since 09
  // A task cancelled as its body returned ends cancelled all the same
  // (Promise's FinalAwaiter): the result it put goes again.
  void drop_result() {
    if constexpr (!std::is_void_v<T>) {
      if (!this->has_result()) return;
      if constexpr (!std::is_trivially_destructible_v<T>) value().~T();
      this->unmark_result();
    }
  }
  // @end

 private:
  struct NoRoom {};
  template <class R>
  struct Room {
    alignas(R) unsigned char bytes[sizeof(R)];
  };
  void* place() {
    if constexpr (kResultFitsWord<T>) {
      return this->result_word();
    } else {
      return room_.bytes;
    }
  }
  [[no_unique_address]] std::conditional_t<kResultFitsWord<T>, NoRoom, Room<T>> room_;
};

// A plain future's state: on the heap, freed with its last handle, which
// first reports an error nobody retrieved. A handle knows the type, so the
// release needs no virtual function.
template <class T>
class HeapState final : public FutureState<T> {
 public:
  using FutureState<T>::FutureState;
  void release() {
    if (this->unref()) destroy();
  }

 private:
  void destroy();
};

}  // namespace detail

// What add_done_callback returns, to remove the callback by (asyncio
// removes by identity). It holds a reference on the callback's node, so it
// never names another callback, whatever happened to this one.
class DoneCallbackHandle {
 public:
  DoneCallbackHandle() = default;
  DoneCallbackHandle(detail::Callback* cb, detail::Waiter* w) : cb_(cb), w_(w) { cb_->retain(); }
  DoneCallbackHandle(const DoneCallbackHandle& o) : cb_(o.cb_), w_(o.w_) {
    if (cb_) cb_->retain();
  }
  DoneCallbackHandle& operator=(DoneCallbackHandle o) noexcept {
    std::swap(cb_, o.cb_);
    std::swap(w_, o.w_);
    return *this;
  }
  ~DoneCallbackHandle() {
    if (cb_) cb_->release();
  }
  // Takes the callback off core's list: 1, or 0 when it is not there (run,
  // scheduled, removed already, or added to another future).
  std::size_t remove_from(detail::FutureCore& core) const {
    if (!cb_ || !core.take_waiter(w_)) return 0;
    cb_->release();  // the list's reference
    return 1;
  }

 private:
  detail::Callback* cb_ = nullptr;
  detail::Waiter* w_ = nullptr;
};

namespace detail {

// An owning pointer that counts references on a FutureCore.
template <class S>
class Ref {
 public:
  Ref() = default;
  static Ref adopt(S* s) {
    Ref r;
    r.s_ = s;
    return r;
  }
  Ref(const Ref& o) : s_(o.s_) {
    if (s_) s_->retain();
  }
  Ref(Ref&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  Ref& operator=(Ref o) noexcept {
    std::swap(s_, o.s_);
    return *this;
  }
  ~Ref() {
    if (s_) s_->release();
  }
  S* get() const { return s_; }
  S* operator->() const { return s_; }
  explicit operator bool() const { return s_ != nullptr; }

 private:
  S* s_ = nullptr;
};

// A done-callback not run yet, on its thread's list of them. A callback
// that holds its own future (a lambda capturing it by value) and the future
// that holds the callback keep each other alive, so one whose future never
// completes would never be freed: a loop that closes drops the callbacks
// still waiting on its futures, and the cycle goes with them.
struct WaitingCallback {
  WaitingCallback* prev = nullptr;
  WaitingCallback* next = nullptr;
  Loop* loop = nullptr;  // set while listed
  void (*drop)(WaitingCallback* self) = nullptr;
};
void list_callback(WaitingCallback* cb, Loop& loop);
void unlist_callback(WaitingCallback* cb);

// A done-callback: a heap node that waits like a coroutine would, then runs
// f(handle) from the loop. Holder is Future<T> (or Task<T>).
template <class Holder, class State, class F>
class DoneCallback final : public Callback, public Waiter, private WaitingCallback {
 public:
  DoneCallback(State* state, F f) : state_(state), f_(std::move(f)) {
    notify = &on_notice;
    drop = &on_drop;
    list_callback(this, state->loop());
  }

 private:
  ~DoneCallback() override { unlist_callback(this); }
  static void on_drop(WaitingCallback* self) {
    auto* cb = static_cast<DoneCallback*>(self);
    cb->state_->remove_waiter(cb);
    cb->release();
  }
  static void on_notice(Waiter* self, Notice notice) {
    auto* cb = static_cast<DoneCallback*>(self);
    unlist_callback(cb);
    if (notice == Notice::Dropped) {
      cb->release();
      return;
    }
    cb->state_->retain();  // the callback runs with the future alive
    cb->held_ = Ref<State>::adopt(cb->state_);
    detail::LoopAccess::schedule(cb->state_->loop(), cb);
  }
  void invoke() override {
    Holder holder(held_);
    held_ = Ref<State>();
    f_(holder);
  }
  State* state_;
  Ref<State> held_;
  F f_;
};

// @since 04
// `co_await future`: resumed from the loop on the iteration after the
// future completes; returns the result or throws the error. A copy of the
// result, since others may await the same future; awaiting an rvalue
// (`co_await std::move(future)`) moves it out instead (Take), when that
// handle is the last one left (take_result).
// @end
// @since 09
// Cancelling the awaiting task cancels what it awaits (the future, or the
// inner task) and goes on waiting: the inner one's CancelledError, or
// whatever it ends with instead, comes back as usual. Shielded (shield())
// keeps the inner one out of it: the awaiter lets go and the task alone is
// cancelled, while the inner one runs on.
// @end
// @since 04
// @before 09: template <class State, bool Take = false>
template <class State, bool Take = false, bool Shielded = false>  // @since 09
class FutureAwaiter : private Waiter, private WaitPoint {
 public:
  explicit FutureAwaiter(State* state) : state_(state) {
    notify = &on_notice;
    kind = &kKind;  // @since 09
  }
  FutureAwaiter(const FutureAwaiter&) = delete;
  FutureAwaiter& operator=(const FutureAwaiter&) = delete;
  ~FutureAwaiter() {
    if (waker_) state_->remove_waiter(this);  // destroyed while still waiting
  }

  bool await_ready() const { return state_->done(); }
  void await_suspend(std::coroutine_handle<> h) {
    state_->check_awaited_here();
    waker_ = park(h, this, nullptr, state_);
    state_->add_waiter(this);
  }
  typename State::Result await_resume() {
    throw_if_cancelled();  // @since 09
    if constexpr (Take) {
      return state_->take_result("co_await");
    } else {
      return state_->result("co_await");
    }
  }

 private:
  static void on_notice(Waiter* self, Notice) {
    auto* me = static_cast<FutureAwaiter*>(self);
    detail::LoopAccess::schedule(me->state_->loop(), std::exchange(me->waker_, ReadyEntry()));
  }
  // @end
  // @since 09
  static CancelAnswer on_cancel(WaitPoint* self, const std::string& message) {
    auto* me = static_cast<FutureAwaiter*>(self);
    if constexpr (!Shielded) {
      if (me->state_->request_cancel(message)) return CancelAnswer::PassedOn;
      // Refused while pending: the inner task is passing a cancellation on
      // already, and it came round to us (A awaits B awaits A): let go, so
      // that this task ends and the cycle unwinds.
      if (me->state_->done()) return CancelAnswer::TooLate;
    }
    if (!me->waker_) return CancelAnswer::TooLate;  // woken already: the task is queued
    me->state_->remove_waiter(me);
    detail::LoopAccess::schedule(me->state_->loop(), std::exchange(me->waker_, ReadyEntry()));
    return CancelAnswer::LetGo;
  }
  static const FutureCore* awaited_of(const WaitPoint* self) { return static_cast<const FutureAwaiter*>(self)->state_; }
  static constexpr WaitKind kKind{.cancel = &on_cancel, .awaited = &awaited_of};
  // @end
  // @since 04
  State* state_;
  ReadyEntry waker_;  // set while waiting
};
// @end

}  // namespace detail

template <class T = void>
class Future {
 public:
  using State = detail::HeapState<T>;

  // A pending future on the running loop (RuntimeError when none runs).
  Future() : Future(get_running_loop()) {}
  explicit Future(Loop& loop) : state_(detail::Ref<State>::adopt(new State(&loop))) {}
  explicit Future(detail::Ref<State> state) : state_(std::move(state)) {}
  // For this library's waits on many (chapter 06): the shared state.
  State* state() const { return get("gather, wait, as_completed, wait_for or shield"); }  // @since 06

  bool done() const { return get("Future::done")->done(); }
  // @since 09
  // A pending future completes cancelled: result() and exception() throw
  // CancelledError, and its awaiters wake. False when it is done already.
  bool cancel(const std::string& message = {}) { return get("Future::cancel")->request_cancel(message); }
  bool cancelled() const { return get("Future::cancelled")->cancelled(); }
  // @end

  // Completes the future; InvalidStateError if it is already done.
  template <class... U>
  void set_result(U&&... value) {
    get("Future::set_result")->set_result("Future::set_result", std::forward<U>(value)...);
  }
  void set_exception(std::exception_ptr error) {
    get("Future::set_exception")->set_exception(error, "Future::set_exception");
  }
  template <class E>
  void set_exception(E error) {
    set_exception(std::make_exception_ptr(std::move(error)));
  }

  // The result, or the stored error thrown; InvalidStateError while pending.
  decltype(auto) result() const { return get("Future::result")->result("Future::result"); }
  // The stored error, or null; InvalidStateError while pending.
  std::exception_ptr exception() const {
    std::exception_ptr error = get("Future::exception")->exception("Future::exception");
    // @since 09
    // A cancelled future throws its CancelledError instead, as asyncio's does.
    if (cancelled()) std::rethrow_exception(error);
    // @end
    return error;
  }

  // Runs f(future) from the loop once the future is done (at once, on the
  // next iteration, if it already is). Callbacks run in the order added.
  // The handle removes it again: remove_done_callback(handle) gives 1 while
  // the future is pending, 0 once the callback is scheduled (asyncio's count).
  template <class F>
  DoneCallbackHandle add_done_callback(F f) const {
    State* state = get("Future::add_done_callback");
    auto* cb = new detail::DoneCallback<Future, State, F>(state, std::move(f));
    DoneCallbackHandle handle(cb, cb);
    state->add_waiter(cb);
    return handle;
  }
  std::size_t remove_done_callback(const DoneCallbackHandle& handle) const {
    return handle.remove_from(*get("Future::remove_done_callback"));
  }

  // @since 04
  detail::FutureAwaiter<State> operator co_await() const& { return detail::FutureAwaiter<State>(get("co_await")); }
  detail::FutureAwaiter<State, true> operator co_await() && {
    return detail::FutureAwaiter<State, true>(get("co_await"));
  }
  // @end

 private:
  template <class H, class S, class F>
  friend class detail::DoneCallback;
  // The state; RuntimeError, naming who asked, for an empty handle.
  State* get(const char* who) const {
    if (!state_) [[unlikely]]
      detail::throw_empty(who, "Future");
    return state_.get();
  }
  detail::Ref<State> state_;
};

namespace detail {
// To the exception handler of loop, while it lives (future.cpp).
void report_unretrieved(const Loop* loop, ExceptionContext context);
}  // namespace detail

template <class T>
void detail::HeapState<T>::destroy() {
  if (auto error = this->unretrieved_error()) {
    ExceptionContext context("Future exception was never retrieved", error);
    context.future = this;
    detail::report_unretrieved(&this->loop(), std::move(context));
  }
  delete this;
}

}  // namespace corio
