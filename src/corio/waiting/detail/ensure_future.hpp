// @chapter 06
// The children of gather, wait and as_completed: the futures one coroutine
// waits for at once. Every argument becomes a Task or a Future (a coroutine
// is wrapped in a task at once, as asyncio's ensure_future does), and the
// waiting side hangs one ChildWaiter on each child's waiter list. A node
// lives in the awaiting coroutine's frame (or in one vector per call for a
// range), so waiting for many allocates nothing per child.
#pragma once

#include <concepts>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include <corio/tasks/coro.hpp>
#include <corio/tasks/future.hpp>
#include <corio/tasks/task.hpp>

namespace corio::detail {

// One node per child, five words: `owner` is whoever counts the
// completions. The nodes of one wait sit in one array, in the order of the
// children, so a node's place in it is its child's (the owner, who knows
// where the array starts, finds it with a subtraction); and a node is on
// its child's list exactly while its links are set. A
// gather of 200,000 tasks walks 8 MB of nodes, and every word of a node is
// 1.6 MB of that.
template <class Owner>
struct ChildWaiter : Waiter {
  Owner* owner = nullptr;
  FutureCore* core = nullptr;  // the child's state, kept alive by its handle
  bool hooked() const { return next != nullptr; }  // on core's waiter list right now
};

// Only a pending child gets a node: FutureCore::add_waiter would notify a
// done one at once, inside the caller. A child of another loop is refused,
// as co_await refuses it (`who` names the call): its loop would complete it
// on another thread, or never. The caller takes off the nodes it hooked.
template <class Owner>
void hook(ChildWaiter<Owner>& node, const char* who) {
  node.core->check_awaited_here(who);
  node.core->add_waiter(&node);
}

// Takes a node off its child's list; one that was notified is off already.
template <class Owner>
void unhook(ChildWaiter<Owner>& node) {
  if (node.hooked()) node.core->remove_waiter(&node);
}

// What an argument becomes: a Coro<T> a Task<T>; a Task or a Future itself.
template <class A>
struct ChildKind {};
template <class T>
struct ChildKind<Coro<T>> {
  using type = Task<T>;
};
template <class T>
struct ChildKind<Task<T>> {
  using type = Task<T>;
};
template <class T>
struct ChildKind<Future<T>> {
  using type = Future<T>;
};
// A plain awaiter (ev.wait(), q.join()) is awaited by a task of its own.
template <class A>
  requires PlainAwaiter<A>
struct ChildKind<A> {
  using type = Task<AwaiterResult<A>>;
};
// So is an object awaited through an operator co_await of its own, other
// than a handle's: shield(task) (chapter 09), or a type of the user's.
template <class A>
inline constexpr bool kHandle = false;
template <class T>
inline constexpr bool kHandle<Coro<T>> = true;
template <class T>
inline constexpr bool kHandle<Task<T>> = true;
template <class T>
inline constexpr bool kHandle<Future<T>> = true;
template <class A>
concept CoAwaitObject = !kHandle<A> && requires(A& a) {
  a.operator co_await().await_resume();
};
template <class A>
using CoAwaitResult = std::decay_t<decltype(std::declval<A&>().operator co_await().await_resume())>;
template <class A>
  requires CoAwaitObject<A>
struct ChildKind<A> {
  using type = Task<CoAwaitResult<A>>;
};
template <class A>
using Child = typename ChildKind<std::remove_cvref_t<A>>::type;
// The result type T of a Task<T> or a Future<T>.
template <class C>
using ResultOf = typename C::State::Result;

// What gather and as_completed accept.
template <class A>
concept Awaitable = requires {
  typename Child<A>;
};

template <class T>
Task<T> as_child(Coro<T>&& coro) {
  return create_task(std::move(coro));
}
template <class T>
Task<T> as_child(const Task<T>& task) {
  return task;
}
template <class T>
Future<T> as_child(const Future<T>& future) {
  return future;
}
template <class A>
  requires(PlainAwaiter<A> && !std::is_reference_v<A>)
Task<AwaiterResult<A>> as_child(A&& aw) {
  return create_task(std::move(aw));
}
template <class A>
  requires(CoAwaitObject<A> && !std::is_reference_v<A>)
Task<CoAwaitResult<A>> as_child(A&& aw) {
  return create_task(await_awaiter<A, CoAwaitResult<A>>(std::move(aw)));
}

// A range's children, in order; Tasks and Futures are kept as they are.
template <class A>
std::vector<Child<A>> as_children(std::vector<A> aws) {
  if constexpr (std::is_same_v<A, Child<A>>) {
    return aws;
  } else {
    std::vector<Child<A>> children;
    children.reserve(aws.size());
    for (A& a : aws) children.push_back(as_child(std::move(a)));
    return children;
  }
}

}  // namespace corio::detail
