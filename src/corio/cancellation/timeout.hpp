// @chapter 09
// @since 10
// Deadlines. timeout(delay) and timeout_at(when) are the C++ form of
// Python's `async with asyncio.timeout(5):` - the block is a coroutine,
// given to run():
//
//   auto page = co_await corio::timeout(5).run(fetch(url));
//
// At the deadline the task running the block is cancelled like any other
// cancellation (so every awaiter lets go cleanly, chapter 09), and at the
// block's edge, only there, that CancelledError becomes TimeoutError. A
// cancellation from anyone else passes through untouched, and so does a
// timeout of an outer block: cancelling() counts the requests, so each
// timeout knows whether the cancellation that ended the body was its own.
//
// wait_for(aw, delay) awaits one task, future or coroutine under a timeout.
// @end
// shield(aw) awaits a task, future or coroutine without letting a
// cancellation of the awaiting task reach it.
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include <corio/cancellation/cancel.hpp>
#include <corio/tasks/coro.hpp>
#include <corio/waiting/detail/ensure_future.hpp>
#include <corio/tasks/future.hpp>
#include <corio/loop/loop.hpp>
#include <corio/tasks/task.hpp>

namespace corio {

// @since 10
class Timeout {
 public:
  // when: a deadline on the loop's clock (Loop::time()); nullopt: none.
  explicit Timeout(std::optional<double> when) : when_(when) {}
  Timeout(const Timeout&) = delete;
  Timeout& operator=(const Timeout&) = delete;
  ~Timeout() { disarm(); }

  // Runs body as the timed block: its result, or its error; TimeoutError
  // when the deadline passed and cancelled it. A Timeout runs one block.
  // The Timeout must outlive the block: keep it in the awaiting frame, or
  // await `timeout(5).run(body)` in one expression (the temporary lives
  // until the co_await is over). Do not keep the Coro of a temporary's
  // run() past its expression: it would point at a dead Timeout.
  template <class T>
  Coro<T> run(Coro<T> body);

  std::optional<double> when() const { return when_; }
  // Moves the deadline (nullopt: none), from inside the block only;
  // RuntimeError before run() or after it ended.
  void reschedule(std::optional<double> when);
  // True once the deadline passed and cancelled the block.
  bool expired() const { return state_ == State::Expiring || state_ == State::Expired; }

 private:
  enum class State : std::uint8_t { Created, Entered, Expiring, Expired, Exited };

  void enter();
  // The block ended with error (null: it returned). Throws TimeoutError when
  // that error is the cancellation this timeout asked for.
  void leave(const std::exception_ptr& error);
  void on_timeout();
  void disarm();

  std::optional<double> when_;
  State state_ = State::Created;
  AnyTask task_;                 // the task running the block
  std::uint32_t cancelling_ = 0;  // its cancelling() on entry
  TimerHandle timer_;  // the deadline's timer, or
  Handle soon_;        // its call_soon, for a deadline already passed
};

// A Timeout delay seconds from now on the running loop's clock (nullopt:
// none), or at the loop time when.
Timeout timeout(std::optional<double> delay);
Timeout timeout_at(std::optional<double> when);

template <class T>
Coro<T> Timeout::run(Coro<T> body) {
  enter();
  std::exception_ptr error;
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(body);
      leave(nullptr);
      co_return;
    } else {
      T result = co_await std::move(body);
      leave(nullptr);
      co_return result;
    }
  } catch (...) {
    error = std::current_exception();
  }
  leave(error);
  std::rethrow_exception(error);
}
// @end

namespace detail {

// `co_await shield(aw)`: awaits aw's task or future; a cancellation of the
// awaiting task stops only the wait.
template <class C>
class [[nodiscard]] Shield {
 public:
  explicit Shield(C child) : child_(std::move(child)) {}
  FutureAwaiter<typename C::State, false, true> operator co_await() const& {
    return FutureAwaiter<typename C::State, false, true>(child_.state());
  }

 private:
  C child_;
};

// @since 10
// Waits until child is done, whatever it ends with; a cancellation of the
// waiting task still ends the wait (and is thrown).
template <class C>
Coro<> shielded_wait(const C& child) {
  try {
    co_await Shield<C>(child);
  } catch (...) {
    if (!child.done()) throw;
  }
}

// Throws InvalidArgument naming `what` (the user's call) for a NaN time.
void check_seconds(std::optional<double> seconds, const char* what);

// child is wait_for_child's, which outlives this coroutine.
template <class C>
Coro<ResultOf<C>> await_child(C& child) {
  co_return co_await std::move(child);
}

// With no time at all (delay <= 0), asyncio's rule: a done child gives its
// result; a pending one is cancelled (before its first step, for a new
// task), waited for, and then TimeoutError, unless it finished after all.
template <class C>
Coro<ResultOf<C>> wait_for_child(C child, std::optional<double> delay) {
  if (delay && *delay <= 0) {
    if (!child.done()) {
      child.cancel();
      co_await shielded_wait(child);
      if (child.cancelled()) throw TimeoutError("wait_for: the deadline left no time (delay <= 0), and it was not done");
    }
    co_return co_await std::move(child);
  }
  Timeout deadline = timeout(delay);
  try {
    co_return co_await deadline.run(await_child(child));
  } catch (const TimeoutError&) {
    // The child ended in the iteration the deadline came, before the
    // waiting task ran: its result is not thrown away (a line a child read
    // from a stream would be lost). As asyncio 3.11's wait_for, which also
    // awaits a task of its own.
    if (!child.done() || child.cancelled()) throw;
  }
  co_return co_await std::move(child);
}

// The child made a task or kept as it is, inside the coroutine: like
// asyncio's, wait_for starts nothing until it is awaited.
template <class A>
Coro<ResultOf<Child<A>>> wait_for_arg(A aw, std::optional<double> delay) {
  co_return co_await wait_for_child(as_child(std::move(aw)), delay);
}
// @end

}  // namespace detail

// @since 10
// asyncio.wait_for: aw's result, or TimeoutError once delay seconds passed;
// then aw (a coroutine becomes a task once this is awaited) is cancelled, and waited for
// until it has finished. delay nullopt: no limit; <= 0: aw must be done.
// A NaN delay throws InvalidArgument here, before anything starts.
template <class A>
  requires detail::Awaitable<A>
Coro<detail::ResultOf<detail::Child<A>>> wait_for(A&& aw, std::optional<double> delay) {
  detail::check_seconds(delay, "wait_for");
  return detail::wait_for_arg(std::remove_cvref_t<A>(std::forward<A>(aw)), delay);
}
// @end

// asyncio.shield: awaits aw (a coroutine becomes a task at once). When the
// awaiting task is cancelled it gets CancelledError at once, and aw runs on
// untouched; cancelling aw itself still cancels it.
template <class A>
  requires detail::Awaitable<A>
detail::Shield<detail::Child<A>> shield(A&& aw) {
  return detail::Shield<detail::Child<A>>(detail::as_child(std::forward<A>(aw)));
}

}  // namespace corio
