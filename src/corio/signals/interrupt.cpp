// @chapter 14
#include <corio/signals/interrupt.hpp>

#include <unistd.h>

#include <csignal>
#include <memory>
#include <utility>

namespace corio::detail {

SigintCatcher::SigintCatcher(Loop& loop, std::function<void()> on_first)
    : loop_(loop), interrupts_(std::make_shared<int>(0)) {
  if (::gettid() != ::getpid()) return;  // not the main thread
  struct sigaction now {};
  if (::sigaction(SIGINT, nullptr, &now) != 0 || (now.sa_flags & SA_SIGINFO) != 0 || now.sa_handler != SIG_DFL) return;
  add_signal_handler(loop, SIGINT, [count = interrupts_, on_first = std::move(on_first)] {
    if (++*count == 1) on_first();
  });
  id_ = signal_handler_id(loop, SIGINT);
  sigint_second_exits(true);
}

SigintCatcher::~SigintCatcher() {
  if (id_ != 0 && signal_handler_id(loop_, SIGINT) == id_) remove_signal_handler(loop_, SIGINT);
}

}  // namespace corio::detail
