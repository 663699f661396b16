// @chapter 14
// Ctrl-C as asyncio.run takes it (Lib/asyncio/runners.py, Runner._on_sigint):
// the first SIGINT cancels the main task, whose cleanup then runs at its
// await points; if the task ends cancelled, KeyboardInterrupt comes out. A
// second SIGINT kills the process at once, however long the cleanup. corio's
// run() (tasks/run.hpp, chapter 04) cannot know of signals, a later layer:
// run_interruptible is run() with this on top (docs/decisions.md).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

#include <corio/errors.hpp>
#include <corio/loop/loop.hpp>
#include <corio/signals/signals.hpp>
#include <corio/tasks/coro.hpp>
#include <corio/tasks/run.hpp>
#include <corio/tasks/task.hpp>

namespace corio {

namespace detail {

// SIGINT handed to on_first while it lives, when the main thread's SIGINT
// disposition was the default one (as asyncio.run: a program that set its
// own, or ignores SIGINT, keeps it); removed at the end if still its own.
class SigintCatcher {
 public:
  SigintCatcher(Loop& loop, std::function<void()> on_first);
  ~SigintCatcher();
  SigintCatcher(const SigintCatcher&) = delete;
  SigintCatcher& operator=(const SigintCatcher&) = delete;

  bool installed() const { return id_ != 0; }
  int interrupts() const { return *interrupts_; }

 private:
  Loop& loop_;
  std::uint64_t id_ = 0;
  std::shared_ptr<int> interrupts_;  // shared with the handler, which may run after this is gone
};

template <class T>
Coro<T> interruptible(Coro<T> main) {
  Task<T> task = create_task(std::move(main), "main");
  SigintCatcher catcher(get_running_loop(), [task] {
    if (!task.done()) task.cancel();
  });
  try {
    if constexpr (std::is_void_v<T>) {
      co_await Task<T>(task);
    } else {
      co_return co_await Task<T>(task);  // a copy of the handle, so task stays usable below
    }
  } catch (const CancelledError&) {
    // The task ended cancelled: by Ctrl-C, unless a cancel of someone else's
    // is left once the one of Ctrl-C is taken back (asyncio's uncancel test).
    if (catcher.interrupts() > 0 && task.uncancel() == 0) throw KeyboardInterrupt();
    throw;
  }
}

}  // namespace detail

// run(main) where Ctrl-C cancels main (its task is named "main"): a first
// SIGINT cancels it, and when it ends cancelled this throws
// KeyboardInterrupt after run()'s usual shutdown of the other tasks; a
// second SIGINT kills the process at once. Only on the main thread, and only
// while SIGINT's disposition is the default; otherwise it is run().
template <class T>
T run_interruptible(Coro<T> main, LoopOptions options = {}) {
  return run(detail::interruptible(std::move(main)), options);
}

}  // namespace corio
