// @chapter 14
// run()'s Ctrl-C (tasks/run.hpp declares SigintCatcher): a SIGINT handler
// on the loop for as long as the main task runs.
#include <corio/tasks/run.hpp>

#include <unistd.h>

#include <csignal>
#include <memory>

#include <corio/signals/signals.hpp>

namespace corio::detail {

struct SigintCatcher::Shared {
  PromiseBase* main;  // null once the catcher is gone
  int interrupts = 0;
};

SigintCatcher::SigintCatcher(Loop& loop, PromiseBase* main, bool& ended_by_ctrl_c)
    : loop_(loop), ended_by_ctrl_c_(ended_by_ctrl_c) {
  if (::gettid() != ::getpid()) return;  // not the main thread
  struct sigaction now {};
  if (::sigaction(SIGINT, nullptr, &now) != 0 || (now.sa_flags & SA_SIGINFO) != 0 || now.sa_handler != SIG_DFL) return;
  shared_ = std::make_shared<Shared>(Shared{main});
  // Not awaited: a main waiting only for Ctrl-C is told it would wait
  // forever, as it was before chapter 14.
  add_signal_handler(
      loop, SIGINT,
      [shared = shared_] {
        if (++shared->interrupts == 1 && shared->main != nullptr && !shared->main->done()) {
          shared->main->request_cancel("");
        }
      },
      false);
  id_ = signal_handler_id(loop, SIGINT);
  sigint_second_exits(true);
}

SigintCatcher::~SigintCatcher() {
  if (!shared_) return;
  PromiseBase* main = shared_->main;
  if (shared_->interrupts > 0 && main->done() && main->cancelled() && main->uncancel() == 0) ended_by_ctrl_c_ = true;
  shared_->main = nullptr;
  if (signal_handler_id(loop_, SIGINT) == id_) remove_signal_handler(loop_, SIGINT);
}

}  // namespace corio::detail
