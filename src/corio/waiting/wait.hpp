// @chapter 06
// wait(tasks, return_when): asyncio.wait's counterpart, and the machinery
// gather stands on. The awaiting coroutine hangs one node on every pending
// child (ensure_future.hpp). Each child that completes counts itself; the one
// that makes the rule hold (the first to complete, the first to fail, the
// last) takes every other node off its list and hands the coroutine to the
// loop. Nothing polls and nothing is awaited in turn, so the coroutine wakes
// on the iteration after the deciding child, whatever the others do.
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>  // @since 09
#include <type_traits>
#include <vector>
// @since 09
#include <algorithm>
#include <optional>
// @end

#include <corio/errors.hpp>
#include <corio/loop/loop.hpp>   // @since 09
#include <corio/tasks/coro.hpp>  // park() and cancel_pending(), inline
#include <corio/tasks/detail/awaiter.hpp>
#include <corio/tasks/future.hpp>
#include <corio/waiting/detail/ensure_future.hpp>

namespace corio {

// When wait() returns (asyncio's return_when).
enum class ReturnWhen : std::uint8_t { FirstCompleted, FirstException, AllCompleted };
inline constexpr ReturnWhen FIRST_COMPLETED = ReturnWhen::FirstCompleted;  // any child done
inline constexpr ReturnWhen FIRST_EXCEPTION = ReturnWhen::FirstException;  // any child failed, else all done
inline constexpr ReturnWhen ALL_COMPLETED = ReturnWhen::AllCompleted;      // every child done

namespace detail {

// One coroutine waiting for n children until the rule holds. A derived
// awaitable owns the children's handles (which keep their states alive) and
// the n nodes, reads the results in await_resume, and calls unhook_all() in
// its destructor, while the nodes and the children still exist: a frame
// destroyed mid-wait then leaves no node behind on any child.
// @since 09
// Cancelled, wait() lets go of its children, which run on; gather (forward)
// passes the cancellation on to every child instead, as asyncio's does.
// @end
class WaitMany : private WaitPoint {
 public:
  WaitMany(const WaitMany&) = delete;
  WaitMany& operator=(const WaitMany&) = delete;

  // No children: nothing to wait for, the result is there at once.
  bool await_ready() const noexcept { return count_ == 0; }
  // Counts the children that are done already; if they settle it, the
  // coroutine goes on at once. Otherwise a node goes on every pending
  // child, and the loop resumes the coroutine on the iteration after the
  // deciding child completes.
  bool await_suspend(std::coroutine_handle<> h);

 protected:
  using Node = ChildWaiter<WaitMany>;
  static constexpr std::size_t kNone = SIZE_MAX;

  // what: the wait's name, for the timeline ("gather", "wait").
  explicit WaitMany(ReturnWhen rule, const char* what = "wait") : what_(what), rule_(rule) {
    kind = &kWait;  // @since 09
  }
  // @since 09
  // gather: a cancellation goes on to every child, and a cancelled child
  // counts as failed.
  void forward_cancellation() {
    forward_ = true;
    kind = &kGather;
  }
  // True when a cancellation was passed on to the children (gather).
  bool cancel_requested() const { return cancel_requested_; }
  // wait()'s timeout: the coroutine goes on with the rule unmet, and the
  // children are left as they are. Nothing when it went on already.
  void time_out();
  // @end
  ~WaitMany() = default;

  // The node for a child whose state is core, ready to hook, made whole in
  // one write (200,000 children have 200,000 nodes, and every pass over
  // them is a trip to memory), in the children's order. The tuple form's
  // constructor makes its nodes with it, then calls watch() once; the
  // range forms make theirs in suspend_building, below.
  Node node_for(FutureCore* core) {
    Node node;
    node.notify = &on_notice;
    node.owner = this;
    node.core = core;
    return node;
  }
  void watch(std::span<Node> nodes) {
    nodes_ = nodes;
    count_ = nodes.size();
  }
  // A range form (a vector of children) builds no node in its constructor:
  // it counts the children (expect), and its await_suspend builds each node
  // when the walk reaches its child, in `nodes`, which has room for them
  // all (so no node moves once hooked). The nodes are written once, by the
  // walk that hooks them: with 200,000 children, a second pass over 8 MB of
  // nodes was 3 % of a gather's time. An empty handle among the children
  // is refused by expect, where the wait is made (state() throws), not
  // later, where it is awaited. Once the children walked settle the wait,
  // the rest get their nodes unhooked: gather's rethrow_first_error finds
  // every child through them.
  template <class Children>
  void expect(const Children& children) {
    for (const auto& child : children) (void)child.state();
    count_ = children.size();
  }
  template <class Children>
  bool suspend_building(std::coroutine_handle<> h, Children& children, std::vector<Node>& nodes) {
    nodes.clear();
    nodes_ = {nodes.data(), 0};  // where settled_by finds a node's place
    start();
    bool settled = false;
    try {
      for (auto& child : children) {
        Node& node = nodes.emplace_back(node_for(child.state()));
        settled = settled || reached(node);
      }
    } catch (...) {  // a child of another loop (hook): no node stays hooked
      nodes_ = nodes;
      unhook_all();
      throw;
    }
    nodes_ = nodes;
    if (settled) {
      unhook_all();
      return false;
    }
    return wait_here(h);
  }
  // The node vector of a range form (a vector of children): empty, with
  // room for n, in the block the thread's last range form let go, if it
  // had one (keep_nodes gives it back from the destructor, after unhook_all).
  // 200,000 children need 8 MB of nodes, and memory fresh from the
  // system costs a page fault per 4 KiB at its first touch, which is a
  // fifth of such a gather's time; frames are pooled for the same reason
  // (frame_pool.hpp). A thread keeps one block, its largest, and never
  // gives it back.
  static std::vector<Node> spare_nodes(std::size_t n);
  static void keep_nodes(std::vector<Node>&& nodes) noexcept;
  std::span<Node> nodes() const { return nodes_; }
  ReturnWhen rule() const { return rule_; }
  // The child whose error settled a FIRST_EXCEPTION wait, or kNone.
  std::size_t first_failed() const { return failed_; }
  void unhook_all();

 private:
  static void on_notice(Waiter* w, Waiter::Notice notice);
  // @since 09
  static CancelAnswer on_cancel(WaitPoint* self, const std::string& message);
  static constexpr WaitKind kWait{.cancel = &on_cancel, .what = "wait"};
  static constexpr WaitKind kGather{.cancel = &on_cancel, .what = "gather"};
  // @end
  bool settled_by(Node& node);
  bool failed(const Node& node) const;
  // The walk of await_suspend, in three parts that both walks share.
  void start() {
    finished_ = 0;
    failed_ = kNone;
  }
  // A pending child gets its node hooked; a done one is counted. True when
  // the done ones settle the wait.
  bool reached(Node& node) {
    if (!node.core->done()) {
      hook(node, what_);
      ++hooked_;
      return false;
    }
    return settled_by(node);
  }
  bool wait_here(std::coroutine_handle<> h) {
    waker_ = park(h, this, what_);  // only now is the coroutine sure to wait
    return true;
  }

  std::span<Node> nodes_;
  std::size_t count_ = 0;     // children
  std::size_t hooked_ = 0;    // nodes on a child's list now: unhook_all stops at 0
  std::size_t finished_ = 0;  // children seen done
  std::size_t failed_ = kNone;
  const char* what_;
  ReturnWhen rule_;
  // @since 09
  bool forward_ = false;           // gather: cancel the children, and count a cancelled one as failed
  bool cancel_requested_ = false;  // a cancellation went on to the children
  // @end
  ReadyEntry waker_;  // set while waiting
};

// For tests: the room of the node block this thread keeps for the next
// range wait (spare_nodes); 0 while one holds it, or before the first.
std::size_t spare_node_capacity();

}  // namespace detail

// What wait() returns: asyncio's (done, pending), each in argument order.
// `auto [done, pending] = co_await corio::wait(tasks, corio::FIRST_COMPLETED);`
template <class H>
struct WaitResult {
  std::vector<H> done;
  std::vector<H> pending;
};

namespace detail {

template <class H>
class [[nodiscard]] Wait final : public WaitMany {
 public:
  Wait(std::vector<H> children, ReturnWhen rule)
      : WaitMany(rule), children_(std::move(children)), nodes_(spare_nodes(children_.size())) {
    expect(children_);
  }
  // @since 09
  Wait(std::vector<H> children, ReturnWhen rule, std::optional<double> timeout) : Wait(std::move(children), rule) {
    timeout_ = timeout;
  }
  // @end
  // Moved only before it is awaited, as gather's range form: create_task
  // moves it into the frame of the task that awaits it.
  Wait(Wait&& other) : WaitMany(other.rule()), children_(std::move(other.children_)), nodes_(std::move(other.nodes_)) {
    expect(children_);
    timeout_ = other.timeout_;  // @since 09
  }
  bool await_suspend(std::coroutine_handle<> h) {
    if (!suspend_building(h, children_, nodes_)) return false;
    // @since 09
    // The timer starts when the coroutine waits, and goes when the wait does.
    if (timeout_) timer_ = get_running_loop().call_later(std::max(*timeout_, 0.0), [this] { time_out(); });
    // @end
    return true;
  }
  ~Wait() {
    timer_.cancel();  // @since 09
    unhook_all();
    keep_nodes(std::move(nodes_));
  }

  // Sorts the children by what they are when the coroutine resumes: one
  // that completed after the deciding child, in the same iteration, is done.
  WaitResult<H> await_resume() const {
    throw_if_cancelled();  // @since 09
    WaitResult<H> result;
    for (const H& child : children_) (child.done() ? result.done : result.pending).push_back(child);
    return result;
  }

 private:
  std::vector<H> children_;
  std::vector<Node> nodes_;
  // @since 09
  std::optional<double> timeout_;
  TimerHandle timer_;
  // @end
};

template <class H>
concept Waitable = std::is_same_v<H, Child<H>>;

}  // namespace detail

// Waits for Tasks or Futures of one type until return_when holds; never
// throws a child's error (look at each done child). An empty vector is
// refused, as asyncio refuses an empty set.
template <class H>
  requires detail::Waitable<H>
detail::Wait<H> wait(std::vector<H> aws, ReturnWhen return_when = ALL_COMPLETED) {
  if (aws.empty()) {
    throw InvalidArgument("wait: the set of tasks is empty; there is nothing to wait for (asyncio raises ValueError)");
  }
  return detail::Wait<H>(std::move(aws), return_when);
}

// @since 09
// The same, returning when timeout seconds have passed if return_when does
// not hold by then: done and pending as they are, nothing raised, nothing
// cancelled (asyncio's wait(aws, timeout=...)). nullopt: no timeout.
template <class H>
  requires detail::Waitable<H>
detail::Wait<H> wait(std::vector<H> aws, ReturnWhen return_when, std::optional<double> timeout) {
  if (aws.empty()) {
    throw InvalidArgument("wait: the set of tasks is empty; there is nothing to wait for (asyncio raises ValueError)");
  }
  return detail::Wait<H>(std::move(aws), return_when, timeout);
}
// @end

// asyncio.wait refuses bare coroutines since Python 3.11, and so does corio:
// a coroutine wrapped here could never be found among done and pending.
template <class T>
void wait(std::vector<Coro<T>>, ReturnWhen = ALL_COMPLETED) {
  static_assert(!sizeof(T*), "corio::wait takes Tasks or Futures; wrap each coroutine with create_task first");
}

}  // namespace corio
