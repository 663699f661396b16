// @chapter 14
#include <corio/signals/signals.hpp>

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include <corio/errors.hpp>
#include <corio/threads/detail/inbox.hpp>
#include <corio/threads/executor.hpp>  // completes the Inbox's default executor type

namespace corio {

namespace {

constexpr int kSignals = NSIG;  // numbers 1 .. NSIG-1

// For the C-level handler, per signal: the inbox of the loop handling it
// (null: none). Lock-free atomics are safe to read in a signal handler.
std::atomic<detail::Inbox*> inbox_for[kSignals];
std::atomic<bool> sigint_counts{false};
std::atomic<int> sigints{0};
// Handlers running now, on any thread. A handler may read an inbox's
// address just before the loop that owns it clears it and closes: the
// closing loop waits until this is 0 before its inbox can go (close,
// below). The count goes up before the read, so a handler that still saw
// the address is counted while the loop looks.
std::atomic<int> handlers_running{0};

extern "C" void on_signal(int signum) {
  int saved = errno;
  handlers_running.fetch_add(1);
  if (signum == SIGINT && sigint_counts.load() && sigints.fetch_add(1) >= 1) {
    // Ctrl-C twice: the default action, now. SIGINT is blocked while this
    // handler runs, so the raised one is delivered as it returns.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    ::sigaction(SIGINT, &dfl, nullptr);
    ::raise(SIGINT);
  }
  if (detail::Inbox* inbox = inbox_for[signum].load()) inbox->signal_arrived(signum);
  handlers_running.fetch_sub(1);
  errno = saved;
}

struct Entry {
  std::shared_ptr<std::function<void()>> callback;
  struct sigaction old {};  // the disposition before the first add
  std::uint64_t id = 0;
  bool awaited = true;  // keeps an idle loop waiting for the signal
};

// Which loop handles which signal, for every thread.
std::mutex registry_mutex;
const Loop* owner_of[kSignals];
std::uint64_t next_id = 0;

void restore(int signum, const struct sigaction& old) {
  ::sigaction(signum, &old, nullptr);
  inbox_for[signum].store(nullptr);
  if (signum == SIGINT) sigint_counts.store(false);
}

// One loop's signals: its handlers, and where their signals arrive (the
// loop's inbox). The loop owns it from the first add_signal_handler on and
// closes it first of all as it closes, which restores every disposition
// still replaced.
class LoopSignals final : public detail::LoopPart, public detail::SignalSink {
 public:
  LoopSignals(Loop& loop, std::shared_ptr<detail::Inbox> inbox) : loop_(loop), inbox_(std::move(inbox)) {
    inbox_->set_signal_sink(this);
  }
  // The loop calls it first of all as it closes.
  // A handler that read this loop's inbox before restore() cleared it may
  // still be inside it, on another thread: the inbox goes with the loop,
  // so close waits for every handler running to return (a few
  // instructions each; one that starts later finds no inbox).
  void close() noexcept override {
    {
      std::lock_guard<std::mutex> lock(registry_mutex);
      for (auto& [signum, entry] : handlers_) {
        restore(signum, entry.old);
        owner_of[signum] = nullptr;
      }
      handlers_.clear();
      detail::LoopAccess::awaited_signals(loop_) = 0;
      inbox_->set_signal_sink(nullptr);
    }
    while (handlers_running.load() != 0) std::this_thread::yield();
  }

  // A signal that arrived queues its handler's callback once for each time
  // it came, as asyncio's _handle_signal does for each byte it reads; a
  // signal removed since it arrived queues nothing.
  void arrived(int signum, std::uint32_t times, detail::ReadyQueue& ready) override {
    auto it = handlers_.find(signum);
    if (it == handlers_.end()) return;
    for (std::uint32_t i = 0; i < times; ++i) {
      auto call = [callback = it->second.callback] { (*callback)(); };
      ready.push(detail::ReadyEntry(new detail::CallbackFn<decltype(call)>(std::move(call))));
    }
  }

  std::map<int, Entry>& handlers() { return handlers_; }
  detail::Inbox* inbox() const { return inbox_.get(); }

 private:
  Loop& loop_;
  std::shared_ptr<detail::Inbox> inbox_;
  std::map<int, Entry> handlers_;
};

LoopSignals* find(Loop& loop) { return static_cast<LoopSignals*>(detail::LoopAccess::signals(loop).get()); }

// The loop's signals, made with its first handler.
LoopSignals& signals_of(Loop& loop) {
  if (LoopSignals* s = find(loop)) return *s;
  std::shared_ptr<detail::Inbox> inbox = detail::inbox_of(loop);
  if (!inbox) {
    throw RuntimeError(
        "add_signal_handler: this loop has no wake fd (it was made before main() started, when the threads "
        "layer had not plugged its inbox in yet); make the loop inside main()");
  }
  auto made = std::make_unique<LoopSignals>(loop, std::move(inbox));
  LoopSignals& s = *made;
  detail::LoopAccess::signals(loop) = std::move(made);
  return s;
}

[[noreturn]] void invalid_signal(const char* what, int signum) {
  throw ValueError(std::string(what) + ": invalid signal number " + std::to_string(signum) +
                   "; pass a signal of <csignal> such as SIGTERM or SIGUSR1 (1 to " + std::to_string(kSignals - 1) +
                   ")");
}

void check_signal(const char* what, int signum) {
  if (signum < 1 || signum >= kSignals) invalid_signal(what, signum);
  // glibc keeps 32 and 33 for its threads (Python's valid_signals leaves them out too).
  if (signum > SIGSYS && signum < SIGRTMIN) invalid_signal(what, signum);
}

}  // namespace

std::string detail::signal_name(int signum) {
  const char* abbrev = signum > 0 && signum < kSignals ? ::sigabbrev_np(signum) : nullptr;
  if (abbrev == nullptr) return "signal " + std::to_string(signum);
  return std::string("SIG") + abbrev;
}

void add_signal_handler(Loop& loop, int signum, std::function<void()> callback) {
  detail::add_signal_handler(loop, signum, std::move(callback), true);
}

void detail::add_signal_handler(Loop& loop, int signum, std::function<void()> callback, bool awaited) {
  check_signal("add_signal_handler", signum);
  if (signum == SIGKILL || signum == SIGSTOP) {
    throw RuntimeError("sig " + std::to_string(signum) + " cannot be caught (add_signal_handler: " +
                       detail::signal_name(signum) + " is never delivered to a program; only the kernel acts on it)");
  }
  if (!callback)
    throw InvalidArgument("add_signal_handler: the callback for " + detail::signal_name(signum) + " is empty");
  loop.check_owner_thread("add_signal_handler");
  auto shared_callback = std::make_shared<std::function<void()>>(std::move(callback));
  LoopSignals& s = signals_of(loop);
  std::lock_guard<std::mutex> lock(registry_mutex);
  if (owner_of[signum] != nullptr && owner_of[signum] != &loop) {
    throw RuntimeError("add_signal_handler: " + detail::signal_name(signum) +
                       " is handled by another loop (a signal goes to one loop of the process); remove it there "
                       "first with remove_signal_handler");
  }
  std::size_t& waiting = LoopAccess::awaited_signals(loop);
  auto it = s.handlers().find(signum);
  if (it != s.handlers().end()) {
    it->second.callback = std::move(shared_callback);  // replaced; the saved disposition stays
    it->second.id = ++next_id;
    if (it->second.awaited != awaited) waiting = awaited ? waiting + 1 : waiting - 1;
    it->second.awaited = awaited;
    if (signum == SIGINT) sigint_counts.store(false);
    return;
  }
  Entry entry{std::move(shared_callback), {}, ++next_id, awaited};
  inbox_for[signum].store(s.inbox());
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigfillset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // as asyncio's siginterrupt(sig, False): fewer EINTRs
  if (::sigaction(signum, &action, &entry.old) != 0) {
    int err = errno;
    inbox_for[signum].store(nullptr);
    throw std::system_error(err, std::generic_category(),
                            "add_signal_handler: sigaction(" + detail::signal_name(signum) + ")");
  }
  s.handlers().emplace(signum, std::move(entry));
  owner_of[signum] = &loop;
  if (awaited) ++waiting;
}

bool remove_signal_handler(Loop& loop, int signum) {
  check_signal("remove_signal_handler", signum);
  loop.check_owner_thread("remove_signal_handler");
  LoopSignals* s = find(loop);
  if (s == nullptr) return false;
  std::lock_guard<std::mutex> lock(registry_mutex);
  auto it = s->handlers().find(signum);
  if (it == s->handlers().end()) return false;
  restore(signum, it->second.old);
  owner_of[signum] = nullptr;
  if (it->second.awaited) --detail::LoopAccess::awaited_signals(loop);
  s->handlers().erase(it);
  return true;
}

std::uint64_t detail::signal_handler_id(Loop& loop, int signum) {
  if (signum < 1 || signum >= kSignals) return 0;
  LoopSignals* s = find(loop);
  if (s == nullptr) return 0;
  std::lock_guard<std::mutex> lock(registry_mutex);
  auto it = s->handlers().find(signum);
  return it == s->handlers().end() ? 0 : it->second.id;
}

void detail::sigint_second_exits(bool on) {
  sigints.store(0);
  sigint_counts.store(on);
}

}  // namespace corio
