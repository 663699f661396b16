// @chapter 04
// Coro<T>: a lazy coroutine. Calling a coroutine function runs nothing (E03);
// it returns a Coro that owns the suspended frame. Awaiting the Coro starts
// it by symmetric transfer, and when it finishes, control transfers straight
// back to the awaiter: no loop iteration in between, like Python's
// `await coro()`. A Coro dropped without being awaited says so, naming its
// function (E17), as Python's "coroutine ... was never awaited" warning does.
#pragma once

#include <coroutine>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>  // @since 05
#include <utility>

#include <corio/errors.hpp>
#include <corio/loop/diagnostics.hpp>
#include <corio/tasks/detail/frame_pool.hpp>  // @since 05
#include <corio/tasks/future.hpp>

namespace corio {

template <class T = void>
class Coro;

namespace detail {

// The name of the function a coroutine frame belongs to, captured where
// the compiler constructs the promise: inside that very function.
struct FunctionName {
  const char* value;
};

// x86-64's small and medium code models (GCC's and clang's default is the
// small one) keep all of a program image's code and constant data within
// 2 GiB, so a frame can keep its name as a 32-bit distance from its code
// (PromiseBase::function_) without checking each one. Elsewhere each is
// checked.
#if defined(__x86_64__) && (defined(__code_model_small__) || defined(__code_model_medium__))
inline constexpr bool kNamesNearCode = true;
#else
inline constexpr bool kNamesNearCode = false;
#endif

// Everything a promise holds whatever its T. It is a FutureCore, so a
// chapter-05 Task can be awaited like any future.
class PromiseBase : public FutureCore {
 public:
  // @before 09: explicit PromiseBase(FunctionName fn) : FutureCore(nullptr), function_(distance_of(fn.value)) {}
  explicit PromiseBase(FunctionName fn) : FutureCore(InFrame{}), function_(distance_of(fn.value)) {}  // @since 09
  // @since 05
  // A given name (and, from chapter 09, a cancel message and a count of
  // cancel requests) lives in a side table, and its entry goes with the
  // frame. Inline: a frame with none, the usual one, pays a few bit tests
  // and no call.
  ~PromiseBase() {
    if (named_) [[unlikely]] forget_name();
    if (has_message_ || counted_) [[unlikely]] forget_cancel();  // @since 09
  }
  // @end

  const char* function() const { return reinterpret_cast<const char*>(code() + function_); }
  bool started() const { return started_; }
  void mark_started() { started_ = true; }
  // For Coro's awaiter: whether the frame's end returns into await_suspend.
  void run_inline(bool yes) { inline_ = yes; }
  bool runs_inline() const { return inline_; }

  // @since 05
  // Frames come from a pool that recycles them (frame_pool.hpp).
  static void* operator new(std::size_t size) { return frame_alloc(size); }
  static void operator delete(void* frame, std::size_t size) { frame_free(frame, size); }

  // A task's handles, its loop and the waits on it hold references to it;
  // the last one to go destroys the frame (task.cpp), the promise with it.
  void release() {
    if (unref()) destroy();
  }
  bool is_task() const { return is_task_; }
  std::uint64_t task_id() const { return task_id_; }
  std::string task_name() const;
  void set_task_name(std::string name);  // @since 14
  void make_task(Loop& loop, std::string_view name, std::coroutine_handle<> frame);
  void complete_task();
  // @end
  // @since 09
  // Task::cancel(), cancelling(), uncancel() (task.cpp).
  bool request_cancel(const std::string& message);
  std::uint32_t cancelling() const { return counted_ ? counted_requests() : 0; }
  std::uint32_t uncancel();
  // One step of the task, run by the loop: resume the frame it waits in.
  void step();
  // park(): the task now waits in frame h, at wp.
  void wait_at(std::coroutine_handle<> h, WaitPoint* wp) {
    continuation_ = h;
    park_at(wp);
  }
  // For the running task: no cancellation to deliver, now or at the next step.
  bool calm() const { return !must_cancel_ && !cancel_due; }
  // Whether a cancellation is owed: asked for and not thrown yet. At the
  // body's end, a task that returned then ends cancelled instead, as
  // asyncio's does when cancel() comes in the step where its coroutine
  // stops; one that failed keeps its error (end_cancelled, after the
  // Promise has dropped the result).
  bool cancel_owed() const { return must_cancel_; }
  void end_cancelled();
  std::string take_cancel();
  void set_message(const std::string& message);
  // Asks the awaiter where the task waits to cancel, marked as under way.
  CancelAnswer pass_on(const std::string& message);
  // @end
  // @since 14
  // For the call graph (introspect/call_graph.hpp): the frame that awaits
  // this Coro, or the frame a task waits in; the awaiter it waits at; and,
  // from that awaiter's kind (awaiter.hpp), what the wait is, or the task
  // or future it awaits. Nothing is noted at each wait: the awaiter knows.
  std::coroutine_handle<> continuation() const { return continuation_; }
  const WaitPoint* wait_point() const { return parked_at(); }
  const char* waits_on() const {
    const WaitPoint* wp = parked_at();
    return wp != nullptr ? wp->kind->what : nullptr;
  }
  const FutureCore* awaits() const {
    const WaitPoint* wp = parked_at();
    if (wp == nullptr || wp->kind->awaited == nullptr) return nullptr;
    return wp->kind->awaited(wp);
  }
  // @end

 protected:
  // Who awaits this Coro, if anyone. A task has no awaiter of that kind;
  // from chapter 09 on, a task keeps here the frame where it waits.
  std::coroutine_handle<> continuation_;

 private:
  // The function's name is a string literal of the coroutine's own source
  // file, and so is the code the frame's destroy pointer names (the word
  // just before the promise; see frame_of below, which steps back two).
  // Both lie in one program image, whose code and constant data stay
  // within 2 GiB of each other under the usual code models: so the name
  // is kept as its distance from that code, in four bytes, not a
  // pointer's eight. The compilers write that pointer before they build
  // the promise, and never change it.
  std::uintptr_t code() const {
    void* destroy;
    __builtin_memcpy(&destroy, reinterpret_cast<const char*>(this) - sizeof(void*), sizeof destroy);
    return reinterpret_cast<std::uintptr_t>(destroy);
  }
  std::int32_t distance_of(const char* name) const {
    auto d = static_cast<std::intptr_t>(reinterpret_cast<std::uintptr_t>(name) - code());
    if (!kNamesNearCode && d != static_cast<std::int32_t>(d)) [[unlikely]]
      refuse_far_name(name);
    return static_cast<std::int32_t>(d);
  }
  [[noreturn, gnu::cold]] static void refuse_far_name(const char* name) {
    throw RuntimeError(std::string("coroutine '") + name +
                       "': its name lies over 2 GiB from its code, beyond what a frame keeps (build with a "
                       "small or medium code model)");
  }
  std::int32_t function_;
  // @since 05
  friend class TaskList;
  std::uint32_t task_index_ = 0;  // place in the loop's task list (beside function_: one word)
  // @end
  // @since 05
  void destroy();
  void report_never_retrieved();
  void give_name(std::string_view name);
  void forget_name();
  // @end
  // @since 09
  void forget_cancel();
  void step_cancelled();  // step()'s rare paths (task.cpp)
  void pass_on_after_step();
  // The cancellation state costs a frame bits alone: the count of
  // requests not taken back lives in a side table (task.cpp), as a
  // message does, only while it is not zero (counted_).
  std::uint32_t counted_requests() const;
  void count_requests(std::uint32_t count);
  // @end
  // @since 05
  // A given name lives in a side table (task.cpp), not here: most tasks
  // have none, and eight bytes a frame count when 100,000 tasks wait. The
  // N of "Task-N" shares one word with the flags below; being a task is a
  // flag of its own, so no count of tasks, wrapped or not, means "not one".
  std::uint64_t task_id_ : 48 = 0;
  bool is_task_ : 1 = false;
  bool named_ : 1 = false;
  // @end
  bool started_ : 1 = false;  // awaited (or made a task) once already
  bool inline_ : 1 = false;   // Coro's await_suspend is running it: its end returns there
  // @since 09
  bool must_cancel_ : 1 = false;      // cancel() asked; set until thrown in (at the next step)
  bool body_started_ : 1 = false;     // the body has begun
  bool has_message_ : 1 = false;      // cancel() gave a message (a side table holds it)
  bool awaiter_let_go_ : 1 = false;   // the awaiter let go: uncancel() cannot stop the throw
  bool passing_on_ : 1 = false;       // a cancellation is being passed on from here (cycles stop)
  bool counted_ : 1 = false;          // cancel requests are counted in a side table
  // @end
  // @since 05
  // The rest of the word is given a value too, so the constructor writes
  // the word whole. Leave those bits out and it must keep them as they were:
  // it reads the word first, from a frame fresh off the pool, which is cold
  // memory, and every new task waits for that read (decision 159).
  // @before 09: std::uint64_t unused_ : 12 = 0;
  // @end
  std::uint64_t unused_ : 6 = 0;  // @since 09
  // @since 09
  // Where the task waits, while it does, is not here but in the word its
  // result will take (FutureCore::parked_at): a task waits only before it
  // has a result, and the word is free until then (decision 178).
  // @end
};

// @since 05
// A frame from its promise, for code that does not know the promise's type
// (a task's last reference can go through any handle). GCC and clang lay
// every frame out alike: the resume and destroy pointers, then the promise,
// two words in for a promise aligned to 16 or less (Promise asserts it).
inline std::coroutine_handle<> frame_of(PromiseBase* p) {
  return std::coroutine_handle<>::from_address(reinterpret_cast<char*>(p) - 2 * sizeof(void*));
}
// @end

// @since 09
// For sleep(0)'s shortcut: false when the running task, if any, has a
// cancellation to deliver, or a test observes its parks; only a real
// suspension serves those.
inline bool task_may_go_on() { return park_observer == nullptr && (running == nullptr || running->calm()); }

// park() and cancel_pending() (awaiter.hpp) run at every wait, so they are
// inline here, beside the task they touch; the rare paths stay in task.cpp.
[[noreturn, gnu::cold]] void refuse_self_await(const PromiseBase* task);
ReadyEntry watched_park(std::coroutine_handle<> h, const char* what, const FutureCore* awaited);

inline ReadyEntry park(std::coroutine_handle<> h, WaitPoint* wp, const char* what, const FutureCore* awaited) {
  if (running == nullptr) return frame_waker(h, what, awaited);
  if (awaited == running) [[unlikely]]
    refuse_self_await(running);
  running->wait_at(h, wp);
  if (parks_watched) [[unlikely]]
    return watched_park(h, what, awaited);
  return ReadyEntry::task_step(running);
}
inline ReadyEntry park(std::coroutine_handle<> h, WaitPoint* wp, const char* what) {
  return park(h, wp, what, nullptr);
}

inline bool cancel_pending() { return cancel_due; }
inline void throw_if_cancelled() {
  if (cancel_pending()) throw_cancelled();
}
// @end

// A promise has return_value or return_void, never both: T picks one.
template <class P, class T>
struct ReturnOf {
  template <class U>
  void return_value(U&& value) {
    static_cast<P*>(this)->put_result(std::forward<U>(value));
  }
};
template <class P>
struct ReturnOf<P, void> {
  void return_void() {}
};

template <class T>
class Promise final : public FutureState<T, PromiseBase>, public ReturnOf<Promise<T>, T> {
 public:
  using Handle = std::coroutine_handle<Promise>;

  explicit Promise(FunctionName fn = {__builtin_FUNCTION()}) : FutureState<T, PromiseBase>(fn) {}

  Coro<T> get_return_object() {
    // @since 05
    // frame_of() finds the frame two words before the promise, where every
    // promise of alignment up to 16 sits.
    static_assert(alignof(Promise) <= 2 * sizeof(void*), "a Coro's result type may not be over-aligned (alignas above 16)");
    // @end
    return Coro<T>(Handle::from_promise(*this));
  }
  std::suspend_always initial_suspend() noexcept { return {}; }

  // At the end, control goes back to the awaiter; a task (chapter 05)
  // instead completes as a future and wakes its waiters through the loop.
  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    std::coroutine_handle<> await_suspend(Handle h) noexcept {
      Promise& p = h.promise();
      // @since 09
      if (p.is_task() && p.cancel_owed()) [[unlikely]] {
        if (!p.has_error()) p.drop_result();
        p.end_cancelled();
      }
      // @end
      // @since 05
      if (p.is_task()) {
        p.complete_task();  // may destroy the frame: touch nothing after it
        return std::noop_coroutine();
      }
      // @end
      return p.runs_inline() || !p.continuation_ ? std::noop_coroutine() : p.continuation_;
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }

  template <class U>
  void put_result(U&& value) {
    this->put(std::forward<U>(value));
  }
  void unhandled_exception() {
    this->store_error(std::current_exception());
    // @since 09
    // A task whose body lets a CancelledError out ends cancelled.
    if (!this->is_task()) return;
    try {
      throw;
    } catch (const CancelledError&) {
      this->mark_cancelled();
    } catch (...) {
    }
    // @end
  }

  // For Coro's awaiter: run the frame with `caller` as its continuation,
  // until it ends or first suspends. True when it suspended: then its end
  // resumes the caller. False when it ended inline: the caller goes on.
  bool start(std::coroutine_handle<> caller) {
    this->mark_started();
    this->continuation_ = caller;
    this->run_inline(true);
    Handle h = Handle::from_promise(*this);
    h.resume();
    if (h.done()) return false;
    this->run_inline(false);
    return true;
  }
  // The result of a finished Coro, moved out, or its error thrown.
  T take() {
    this->rethrow_error();
    if constexpr (!std::is_void_v<T>) return std::move(this->value());
  }
};

}  // namespace detail

template <class T>
class [[nodiscard]] Coro {
 public:
  using promise_type = detail::Promise<T>;

  Coro(Coro&& other) noexcept : h_(std::exchange(other.h_, nullptr)) {}
  Coro& operator=(Coro other) noexcept {
    std::swap(h_, other.h_);
    return *this;
  }
  ~Coro() {
    if (!h_) return;
    if (!h_.promise().started()) {
      detail::report(std::string("RuntimeWarning: coroutine '") + h_.promise().function() + "' was never awaited");
    }
    h_.destroy();
  }

  // asyncio's coro.close() for a coroutine that will never run: the frame
  // is destroyed without the "never awaited" warning, and the Coro is empty.
  // A finished one is discarded the same way; one that is running (awaited,
  // not finished) cannot be, and throws RuntimeError.
  void close() {
    if (!h_) return;
    if (h_.promise().started() && !h_.done()) {
      throw RuntimeError(std::string("Coro::close: coroutine '") + name() +
                         "' is running (awaited, not finished); only a coroutine not started or finished can be "
                         "closed");
    }
    std::exchange(h_, nullptr).destroy();
  }

  // The name of the coroutine function, for messages.
  const char* name() const { return h_ ? h_.promise().function() : "<empty>"; }
  bool done() const { return h_ && h_.done(); }

  // `co_await coro`: runs it now, inline; resumed when it returns.
  auto operator co_await() {
    check_awaitable("co_await");
    return Awaiter{h_};
  }

  // @since 05
  // For create_task: the frame, which from now on owns itself (make_task
  // marks it started).
  typename promise_type::Handle release(const char* who) {
    check_awaitable(who);
    return std::exchange(h_, nullptr);
  }
  // @end

 private:
  friend promise_type;
  explicit Coro(typename promise_type::Handle h) : h_(h) {}

  // Asked on every await and every create_task: the test stays inline, and
  // the message is built out of line, only when it is thrown.
  void check_awaitable(const char* who) const {
    if (!h_ || h_.promise().started()) [[unlikely]] {
      refuse(who);
    }
  }
  [[noreturn, gnu::cold, gnu::noinline]] void refuse(const char* who) const {
    if (!h_) throw RuntimeError(std::string(who) + ": this Coro is empty (it was moved from)");
    throw RuntimeError(std::string(who) + ": cannot reuse already awaited coroutine '" + name() +
                       "'; a coroutine runs once: call the function again for a new one, or make a Task to "
                       "share one result");
  }

  struct Awaiter {
    typename promise_type::Handle h;
    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> caller) { return h.promise().start(caller); }
    T await_resume() { return h.promise().take(); }
  };

  typename promise_type::Handle h_;
};

}  // namespace corio
