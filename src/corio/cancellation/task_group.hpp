// @chapter 10
// TaskGroup: structured concurrency, asyncio.TaskGroup's counterpart. The
// block is a coroutine given to run(); inside it, create_task() starts
// children. run() returns only when every child has finished. The first
// child to fail cancels its siblings and the block itself; then every error,
// the block's included, comes out together as one ExceptionGroup (Python's
// ExceptionGroup). A cancellation from outside cancels the children too, and
// passes on as CancelledError.
//
//   corio::TaskGroup group;
//   co_await group.run([&]() -> corio::Coro<> {
//     group.create_task(fetch("a"));
//     group.create_task(fetch("b"));
//     co_return;
//   }());
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <corio/loop/callback.hpp>
#include <corio/cancellation/cancel.hpp>
#include <corio/tasks/coro.hpp>
#include <corio/tasks/future.hpp>
#include <corio/tasks/task.hpp>

namespace corio {

// Several errors at once. what() names how many and lists each one;
// message() is the message alone (Python's eg.message), such as "unhandled
// errors in a TaskGroup".
class ExceptionGroup : public std::runtime_error {
 public:
  ExceptionGroup(const std::string& message, std::vector<std::exception_ptr> errors);
  const std::string& message() const { return message_; }
  const std::vector<std::exception_ptr>& exceptions() const { return errors_; }

  // The C++ stand-in for `except* E`: Python's eg.split(E). The errors that
  // are an E, and the others, each as a group with this message, in order,
  // or nullopt when there are none; a nested group is split the same way.
  //   auto [refused, rest] = group.split<ConnectionRefused>();
  //   if (rest) throw *rest;  // what `except*` would let through
  template <class E>
  std::pair<std::optional<ExceptionGroup>, std::optional<ExceptionGroup>> split() const;
  // Only the errors that are an E (Python's eg.subgroup(E)).
  template <class E>
  std::optional<ExceptionGroup> subgroup() const {
    return split<E>().first;
  }

 private:
  std::optional<ExceptionGroup> part(std::vector<std::exception_ptr> errors) const {
    if (errors.empty()) return std::nullopt;
    return ExceptionGroup(message_, std::move(errors));
  }

  std::string message_;
  std::vector<std::exception_ptr> errors_;
};

template <class E>
std::pair<std::optional<ExceptionGroup>, std::optional<ExceptionGroup>> ExceptionGroup::split() const {
  if constexpr (std::is_base_of_v<E, ExceptionGroup>) {
    return {*this, std::nullopt};  // the group itself is an E, as in Python
  } else {
    std::vector<std::exception_ptr> match;
    std::vector<std::exception_ptr> rest;
    for (const std::exception_ptr& error : errors_) {
      try {
        std::rethrow_exception(error);
      } catch (const E&) {
        match.push_back(error);
      } catch (const ExceptionGroup& nested) {
        auto [m, r] = nested.split<E>();
        if (m) match.push_back(std::make_exception_ptr(std::move(*m)));
        if (r) rest.push_back(std::make_exception_ptr(std::move(*r)));
      } catch (...) {
        rest.push_back(error);
      }
    }
    return {part(std::move(match)), part(std::move(rest))};
  }
}

class TaskGroup;

namespace detail {

// A child of a TaskGroup, known to the group until it finishes: a node on
// the group's list of children (so that a finished one leaves it in O(1),
// whatever its place) and the child task's done-callback, which tells the
// group from the loop.
class GroupChild final : public Callback, public Waiter {
 public:
  GroupChild(TaskGroup* group, AnyTask task);
  const AnyTask& task() const { return task_; }

 private:
  friend class corio::TaskGroup;
  static void on_notice(Waiter* self, Notice notice);
  void invoke() override;

  TaskGroup* group_;  // null once the group is gone
  AnyTask task_;
  bool queued_ = false;         // notified: off the task's waiter list, queued on the loop
  GroupChild* prev_ = nullptr;  // the group's list, oldest child first
  GroupChild* next_ = nullptr;
};

// For tests: how many children TaskGroups have looked at, on this thread.
// Each child is looked at once when it finishes, and once more by a group
// that aborts; a group whose work grew with its size per child would show.
std::uint64_t task_group_children_visited();

}  // namespace detail

class TaskGroup {
 public:
  TaskGroup() = default;
  // A group destroyed before its children finished (its block's frame went
  // at loop close) lets go of them, so they die with their last handle.
  ~TaskGroup();
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  // Runs body as the group's block, then waits for every child. Returns the
  // body's result; throws ExceptionGroup when the body or any child failed,
  // CancelledError when the group was cancelled from outside.
  template <class T>
  Coro<T> run(Coro<T> body);

  // A child task, from inside the block or from another child. RuntimeError
  // before run(), once the group is finished, or while it shuts down after a
  // failure (the coroutine is then dropped, never started).
  template <class T>
  Task<T> create_task(Coro<T> coro, std::string_view name = {});

 private:
  void enter();
  void check_open(const char* who) const;
  friend class detail::GroupChild;
  void adopt(detail::GroupChild* child);
  void on_task_done(detail::GroupChild* child);
  void abort();
  // asyncio's __aexit__: waits for the children and throws what the group
  // ends with.
  Coro<> exit(std::exception_ptr error);

  detail::GroupChild* head_ = nullptr;  // children not finished yet, oldest first
  detail::GroupChild* tail_ = nullptr;
  std::vector<std::exception_ptr> errors_;
  AnyTask parent_;
  std::optional<Future<>> all_done_;  // while exit() waits
  bool entered_ = false;
  bool exiting_ = false;
  bool aborting_ = false;
  bool parent_cancel_requested_ = false;
};

template <class T>
Coro<T> TaskGroup::run(Coro<T> body) {
  enter();
  std::exception_ptr error;
  std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> result;
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(body);
    } else {
      result.emplace(co_await std::move(body));
    }
  } catch (...) {
    error = std::current_exception();
  }
  co_await exit(error);
  if constexpr (!std::is_void_v<T>) co_return std::move(*result);
}

template <class T>
Task<T> TaskGroup::create_task(Coro<T> coro, std::string_view name) {
  try {
    check_open("TaskGroup::create_task");
  } catch (...) {
    coro.close();  // discarded without a "never awaited" warning
    throw;
  }
  Task<T> task = corio::create_task(std::move(coro), name);
  adopt(new detail::GroupChild(this, task));
  return task;
}

}  // namespace corio
