// @chapter 06
// gather(): run awaitables concurrently and collect their results in
// argument order, asyncio.gather's counterpart. A fixed list of Coros,
// Tasks and Futures of any types gives a std::tuple; a std::vector of one
// type gives a std::vector. A void result takes its place as std::monostate.
//
// Without return_exceptions gather is wait(FIRST_EXCEPTION) plus the
// results: the first error reaches the caller on the iteration after the
// failing child finishes, and the other children keep running. With
// return_exceptions it is wait(ALL_COMPLETED), and each place holds an
// Outcome: the child's value or the error it threw.
#pragma once

#include <array>
#include <cstddef>
#include <exception>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <corio/waiting/detail/ensure_future.hpp>
#include <corio/waiting/wait.hpp>

namespace corio {

// The tag that asks for errors in place: gather(return_exceptions, a, b).
struct ReturnExceptions {
  explicit ReturnExceptions() = default;
};
inline constexpr ReturnExceptions return_exceptions{};

// One place of gather(return_exceptions, ...): a value, or the error the
// child threw. value() throws that error; error() is null for a value.
template <class T>
class Outcome {
 public:
  using Value = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

  static Outcome success(Value value) { return Outcome(std::in_place_index<0>, std::move(value)); }
  static Outcome failure(std::exception_ptr error) { return Outcome(std::in_place_index<1>, std::move(error)); }

  bool has_value() const { return state_.index() == 0; }
  decltype(auto) value() const {
    if (!has_value()) std::rethrow_exception(std::get<1>(state_));
    if constexpr (!std::is_void_v<T>) return std::get<0>(state_);
  }
  std::exception_ptr error() const { return has_value() ? nullptr : std::get<1>(state_); }

 private:
  template <std::size_t I, class U>
  Outcome(std::in_place_index_t<I> which, U&& u) : state_(which, std::forward<U>(u)) {}
  std::variant<Value, std::exception_ptr> state_;
};

namespace detail {

// What one child puts in its place.
template <bool Catch, class C>
using ChildResult = std::conditional_t<Catch, Outcome<ResultOf<C>>, typename Outcome<ResultOf<C>>::Value>;

// Reads a finished child into its place. The value is copied: a Task's
// result stays readable by everyone else who holds the task. The error is
// read from the state, which hands over a cancelled child's CancelledError
// where its exception() would throw it: asyncio's gather puts it in place.
template <bool Catch, class C>
ChildResult<Catch, C> place(const C& child) {
  using T = ResultOf<C>;
  if constexpr (Catch) {
    if (std::exception_ptr error = child.state()->exception("gather")) return Outcome<T>::failure(error);
    if constexpr (std::is_void_v<T>) {
      return Outcome<T>::success({});
    } else {
      return Outcome<T>::success(child.result());
    }
  } else if constexpr (std::is_void_v<T>) {
    child.result();
    return {};
  } else {
    return child.result();
  }
}

// What the tuple and the vector forms share: the rule, and the first error.
class GatherBase : public WaitMany {
 protected:
  explicit GatherBase(bool catching) : WaitMany(catching ? ALL_COMPLETED : FIRST_EXCEPTION, "gather") {
    forward_cancellation();  // @since 09
  }
  // Throws the error that ended the wait, if one did. The caller has its
  // answer then, so every sibling's error, now or when it lands later, is
  // marked retrieved, as asyncio's gather does: no "never retrieved" report.
  void rethrow_first_error();
  // @since 09
  // A cancelled gather cancelled its children; once they are done it throws
  // CancelledError, whatever they returned (asyncio does the same, with or
  // without return_exceptions).
  void throw_if_cancel_requested() const {
    if (cancel_requested()) throw CancelledError();
  }
  // @end
};

template <bool Catch, class... C>
class [[nodiscard]] Gather final : public GatherBase {
 public:
  using Result = std::tuple<ChildResult<Catch, C>...>;

  explicit Gather(C... children) : GatherBase(Catch), children_(std::move(children)...) {
    watch_all(std::index_sequence_for<C...>());
  }
  ~Gather() { unhook_all(); }
  // Moved only before it is awaited: create_task(gather(...)) moves it into
  // the frame of the task that awaits it.
  Gather(Gather&& other) noexcept : GatherBase(Catch), children_(std::move(other.children_)) {
    watch_all(std::index_sequence_for<C...>());
  }

  // Resumed from the loop on the iteration after the last child completes
  // or, without return_exceptions, after the first one fails.
  Result await_resume() {
    throw_if_cancelled();  // @since 09
    if constexpr (!Catch) rethrow_first_error();
    throw_if_cancel_requested();  // @since 09
    return results(std::index_sequence_for<C...>());
  }

 private:
  template <std::size_t... I>
  void watch_all(std::index_sequence<I...>) {
    ((nodes_[I] = node_for(std::get<I>(children_).state())), ...);
    watch(nodes_);
  }
  template <std::size_t... I>
  Result results(std::index_sequence<I...>) const {
    return Result(place<Catch>(std::get<I>(children_))...);
  }

  std::tuple<C...> children_;
  std::array<Node, sizeof...(C)> nodes_;  // in the awaiting frame: no allocation
};

template <bool Catch, class C>
class [[nodiscard]] GatherRange final : public GatherBase {
 public:
  using Result = std::vector<ChildResult<Catch, C>>;

  explicit GatherRange(std::vector<C> children)
      : GatherBase(Catch), children_(std::move(children)), nodes_(spare_nodes(children_.size())) {
    expect(children_);
  }
  // Moved only before it is awaited, as the tuple form; the room for the
  // nodes goes along.
  GatherRange(GatherRange&& other)
      : GatherBase(Catch), children_(std::move(other.children_)), nodes_(std::move(other.nodes_)) {
    expect(children_);
  }
  bool await_suspend(std::coroutine_handle<> h) { return suspend_building(h, children_, nodes_); }
  ~GatherRange() {
    unhook_all();
    keep_nodes(std::move(nodes_));
  }

  // Resumed as the tuple form is.
  Result await_resume() {
    throw_if_cancelled();  // @since 09
    if constexpr (!Catch) rethrow_first_error();
    throw_if_cancel_requested();  // @since 09
    Result results;
    results.reserve(children_.size());
    // Each child is let go once its result is read, while its state is
    // still in the cache: freeing 200,000 of them later, in the destructor,
    // would be one more trip to memory for each.
    for (C& child : children_) {
      results.push_back(place<Catch>(child));
      C read = std::move(child);
    }
    return results;
  }

 private:
  std::vector<C> children_;
  std::vector<Node> nodes_;  // the thread's spare block, or one allocation
};

}  // namespace detail

// The braces make the arguments tasks left to right, so their first steps
// run in argument order (a call's arguments have no order in C++).
template <class... A>
  requires(detail::Awaitable<A> && ...)
detail::Gather<false, detail::Child<A>...> gather(A&&... aws) {
  return detail::Gather<false, detail::Child<A>...>{detail::as_child(std::forward<A>(aws))...};
}

template <class... A>
  requires(detail::Awaitable<A> && ...)
detail::Gather<true, detail::Child<A>...> gather(ReturnExceptions, A&&... aws) {
  return detail::Gather<true, detail::Child<A>...>{detail::as_child(std::forward<A>(aws))...};
}

template <class A>
  requires detail::Awaitable<A>
detail::GatherRange<false, detail::Child<A>> gather(std::vector<A> aws) {
  return detail::GatherRange<false, detail::Child<A>>(detail::as_children(std::move(aws)));
}

template <class A>
  requires detail::Awaitable<A>
detail::GatherRange<true, detail::Child<A>> gather(ReturnExceptions, std::vector<A> aws) {
  return detail::GatherRange<true, detail::Child<A>>(detail::as_children(std::move(aws)));
}

}  // namespace corio
