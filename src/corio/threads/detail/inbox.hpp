// @chapter 11
// The loop's inbox: the one door other threads have into a loop, plugged
// into it as its ThreadsPart (loop.hpp) when the loop is made. A loop is
// single-threaded; its ready queue, its timers and its futures are touched
// by its own thread only. Another thread posts a callback here instead,
// under a mutex, and writes to the wake fd; the loop moves the posted
// callbacks to its ready queue on its next iteration.
//
// The inbox also counts *work in flight*: calls another thread owes the loop
// (a run_in_executor job that has not posted its result yet). While any is
// owed, an idle loop sleeps on the wake fd instead of reporting that it would
// wait forever, a virtual clock stands still, and closing the loop waits.
#pragma once

#include <array>  // @since 14
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>  // @since 14
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <corio/loop/callback.hpp>
#include <corio/loop/loop.hpp>
#include <corio/loop/detail/ready_queue.hpp>
#include <corio/threads/detail/wake_fd.hpp>

namespace corio {

namespace detail {

// @since 14
// Where the signals that arrive go (chapter 14's signals/signals.cpp): told,
// on the loop's thread as the loop collects its mail, of each signal that
// arrived since it last looked and how many times; it queues the handler
// that many times on ready, as asyncio does for each byte on its pipe.
class SignalSink {
 public:
  virtual void arrived(int signum, std::uint32_t times, ReadyQueue& ready) = 0;

 protected:
  ~SignalSink() = default;
};
// @end

class Inbox final : public ThreadsPart {
 public:
  explicit Inbox(WakeFdKind kind) : waker_(kind) {}
  ~Inbox() override;
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;

  int fd() const override { return waker_.fd(); }
  WakeFdKind waker_kind() const { return waker_.kind(); }

  // Any thread. post() takes over cb (a callback nobody else holds yet);
  // on a closed inbox it destroys cb and throws RuntimeError.
  void post(Callback* cb);
  void work_started();
  void work_finished();
  // A piece of work hands back its result: post and work_finished in one
  // step, so the loop never sees the work gone and the result not there.
  void post_done(Callback* cb) noexcept;

  // The loop's thread.
  // Nothing posted and not yet delivered, and no work in flight.
  bool quiet() override;
  std::size_t work_in_flight() override;
  // Moves everything posted to the ready queue and empties the wake fd.
  void deliver(ReadyQueue& ready) override;
  // Sleeps until something is posted or work finishes (since the last
  // deliver).
  void wait_for_mail() override;
  // At loop close: the default executor shuts down (on a thread of its
  // own, so the loop can run what its jobs post meanwhile)...
  void begin_close() noexcept override;
  // ... and once no work is in flight, posts are refused from then on, and
  // what was posted is dropped without running it.
  void end_close() noexcept override;
  // The loop's default executor (Loop::default_executor()): made on first
  // use; RuntimeError once shut down.
  ThreadPoolExecutor& default_executor();
  void shutdown_default_executor();
  // @since 14
  // Signals ride the wake fd as asyncio's do (signal.set_wakeup_fd on its
  // self-pipe). signal_arrived is what the C-level handler calls, so it does
  // only what a signal handler may: three lock-free atomics (a count, a bit,
  // the has-mail flag) and a write().
  void signal_arrived(int signum) noexcept;
  // The loop's thread: where deliver() hands the signals that arrived (null:
  // nowhere, they are dropped).
  void set_signal_sink(SignalSink* sink) { signal_sink_ = sink; }
  // @end

 private:
  void push(Callback* cb, bool finishes_work);
  void close();

  WakeFd waker_;
  std::mutex mutex_;
  std::condition_variable all_done_;  // work_in_flight_ fell to 0
  std::vector<Callback*> mail_;
  std::vector<Callback*> taken_;  // the loop's side of the swap: both buffers are reused
  std::size_t work_in_flight_ = 0;
  bool closed_ = false;
  std::unique_ptr<ThreadPoolExecutor> default_executor_;
  bool default_executor_shut_down_ = false;
  std::thread joiner_;  // shuts the default executor down at close
  // @since 14
  std::atomic<std::uint64_t> signals_{0};  // arrived, not yet delivered: bit n-1 for signal n
  std::array<std::atomic<std::uint32_t>, 65> signal_counts_{};  // how many times each, by number (1 to 64)
  SignalSink* signal_sink_ = nullptr;
  // @end
};

// The loop's inbox, which its RemoteLoops share.
inline std::shared_ptr<Inbox> inbox_of(const Loop& loop) {
  return std::static_pointer_cast<Inbox>(LoopAccess::threads(loop));
}

}  // namespace detail

// A loop as other threads see it: what they may do with it, from anywhere,
// for as long as they like. It shares the inbox with the loop, so it stays
// valid after the loop is gone; calls then throw RuntimeError ("Event loop
// is closed"). Get one with Loop::remote().
class RemoteLoop {
 public:
  RemoteLoop() = default;
  explicit RemoteLoop(std::shared_ptr<detail::Inbox> inbox) : inbox_(std::move(inbox)) {}

  // f runs on the loop's thread on a later iteration (asyncio's
  // call_soon_threadsafe). No Handle: its reference count belongs to the
  // loop's thread.
  template <class F>
  void call_soon_threadsafe(F f) const {
    inbox().post(new detail::CallbackFn<F>(std::move(f)));
  }
  // A call_soon_threadsafe is owed: until work_finished(), the loop waits
  // for it rather than saying it would wait forever, a virtual clock stands
  // still, and closing the loop waits. Balance each with work_finished().
  void work_started() const { inbox().work_started(); }
  void work_finished() const { inbox().work_finished(); }

 private:
  detail::Inbox& inbox() const;
  std::shared_ptr<detail::Inbox> inbox_;
};

}  // namespace corio
