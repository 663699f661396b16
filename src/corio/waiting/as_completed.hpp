// @chapter 06
// as_completed(): the children's results in the order they complete,
// asyncio.as_completed's counterpart. A node hangs on every child from the
// start; each completion appends the child's place to a list, and
// `co_await next()` takes the oldest entry not yet taken, or sleeps until
// one comes. Call next() remaining() times:
//
//   auto results = corio::as_completed(std::move(tasks));
//   while (results.remaining() > 0) use(co_await results.next());
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <string>  // @since 09
#include <type_traits>
#include <utility>
#include <vector>

#include <corio/loop/loop.hpp>   // @since 09
#include <corio/tasks/coro.hpp>  // park() and cancel_pending(), inline
#include <corio/tasks/detail/awaiter.hpp>
#include <corio/tasks/future.hpp>
#include <corio/waiting/detail/ensure_future.hpp>

namespace corio {

namespace detail {

// The part that does not depend on the children's type.
class CompletionOrder {
 public:
  CompletionOrder(const CompletionOrder&) = delete;
  CompletionOrder& operator=(const CompletionOrder&) = delete;

  // Results not taken yet: how many more next() calls there are.
  std::size_t remaining() const { return nodes_.size() - taken_; }

 protected:
  using Node = ChildWaiter<CompletionOrder>;

  explicit CompletionOrder(std::size_t n);
  ~CompletionOrder() = default;

  // Once the nodes' cores are set: a node goes on every pending child, and
  // the children done already are listed at once, in argument order.
  void watch();
  // For the derived destructor, while the children still exist: an object
  // gone before every child completed leaves no node behind.
  void unhook_all();
  // True when a child completed that next() has not returned yet.
  bool ready() const { return taken_ < order_.size(); }
  // The place of that child; the entry counts as taken.
  std::size_t take() { return order_[taken_++]; }
  // Throws unless a next() result remains, and no one waits in next().
  void check_next() const;
  void wait_for_next(std::coroutine_handle<> h, ReadyEntry waker) {
    waiting_ = h;
    waker_ = waker;
  }
  // @since 09
  // as_completed's timeout, counted from now: then every child not done
  // yet gets a kTimedOut entry (asyncio queues a None for each), so each
  // later next() throws TimeoutError; the children run on.
  static constexpr std::uint32_t kTimedOut = UINT32_MAX;
  void arm(double timeout);
  [[noreturn]] static void throw_timed_out();
  // A cancelled waiter in next() is woken to throw; it takes nothing, so
  // the next result stays for a later next().
  bool wake_early() {
    if (!waiting_ || woken_) return false;
    woken_ = true;
    wake(waker_);
    return true;
  }
  // @end
  // The waiter in next() resumed, or its frame was destroyed while it
  // waited: either way it is forgotten. Until then it stays recorded, so a
  // second consumer in the window between wake-up and resumption is refused.
  void stop_waiting(std::coroutine_handle<> h) {
    if (waiting_ != h) return;
    waiting_ = nullptr;
    woken_ = false;
  }

  std::vector<Node> nodes_;

 private:
  static void on_notice(Waiter* w, Waiter::Notice notice);
  void on_timeout();  // @since 09

  std::vector<std::uint32_t> order_;  // children's places, in completion order
  std::size_t taken_ = 0;             // entries of order_ next() returned
  std::coroutine_handle<> waiting_;   // the coroutine inside next(), if any
  ReadyEntry waker_;                  // what resumes it (park()'s answer)
  bool woken_ = false;                // waiting_ is queued on the loop already
  TimerHandle timer_;                 // the timeout, if one was given  // @since 09
};

}  // namespace detail

template <class H>
class AsCompleted final : public detail::CompletionOrder {
 public:
  explicit AsCompleted(std::vector<H> children) : CompletionOrder(children.size()), children_(std::move(children)) {
    for (std::size_t i = 0; i < children_.size(); ++i) nodes_[i].core = children_[i].state();
    watch();
  }
  // @since 09
  // With a timeout (asyncio's as_completed(aws, timeout=...)): once timeout
  // seconds have passed, each next() for a child not done by then throws
  // TimeoutError, and the children run on.
  AsCompleted(std::vector<H> children, double timeout) : AsCompleted(std::move(children)) { arm(timeout); }
  // @end
  ~AsCompleted() { unhook_all(); }

  // `co_await next()`: the result of the earliest child to complete that no
  // earlier next() returned; that child's error is thrown here. At once when
  // one completed already, else resumed from the loop on the iteration after
  // the next child completes.
  auto next() { return Next<false>(this); }
  // `co_await next_done()`: that child itself, done (asyncio 3.13's
  // `async for task in as_completed(...)`), to ask which one it was.
  auto next_done() { return Next<true>(this); }

 private:
  template <bool Handle>
  class [[nodiscard]] Next : private detail::WaitPoint {
   public:
    explicit Next(AsCompleted* owner) : owner_(owner) {
      owner_->check_next();
      kind = &kKind;  // @since 09
    }
    Next(const Next&) = delete;
    Next& operator=(const Next&) = delete;
    ~Next() {
      if (coro_) owner_->stop_waiting(coro_);
    }

    bool await_ready() const { return owner_->ready(); }
    void await_suspend(std::coroutine_handle<> h) {
      coro_ = h;
      owner_->wait_for_next(h, detail::park(h, this, "as_completed"));
    }
    auto await_resume() {
      if (coro_) owner_->stop_waiting(std::exchange(coro_, nullptr));
      detail::throw_if_cancelled();  // @since 09
      std::size_t place = owner_->take();
      if (place == kTimedOut) throw_timed_out();  // @since 09
      const H& child = owner_->children_[place];
      if constexpr (Handle) {
        return child;
      } else if constexpr (std::is_void_v<detail::ResultOf<H>>) {
        child.result();
      } else {
        return detail::ResultOf<H>(child.result());
      }
    }

   private:
    // @since 09
    static detail::CancelAnswer on_cancel(detail::WaitPoint* self, const std::string&) {
      return static_cast<Next*>(self)->owner_->wake_early() ? detail::CancelAnswer::LetGo
                                                            : detail::CancelAnswer::TooLate;
    }
    static constexpr detail::WaitKind kKind{.cancel = &on_cancel, .what = "as_completed"};
    // @end
    AsCompleted* owner_;
    std::coroutine_handle<> coro_;  // set while suspended in next()
  };

  std::vector<H> children_;
};

// Coros become tasks at once; an empty vector gives nothing to take.
template <class A>
requires detail::Awaitable<A> AsCompleted<detail::Child<A>> as_completed(std::vector<A> aws) {
  return AsCompleted<detail::Child<A>>(detail::as_children(std::move(aws)));
}

// @since 09
template <class A>
requires detail::Awaitable<A> AsCompleted<detail::Child<A>> as_completed(std::vector<A> aws, double timeout) {
  return AsCompleted<detail::Child<A>>(detail::as_children(std::move(aws)), timeout);
}
// @end

}  // namespace corio
