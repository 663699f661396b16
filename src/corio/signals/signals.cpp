// @chapter 14
#include <corio/signals/signals.hpp>

#include <fcntl.h>
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
#include <utility>

#include <corio/errors.hpp>

namespace corio {

namespace {

constexpr int kSignals = NSIG;  // numbers 1 .. NSIG-1

// For the C-level handler, per signal: the write end of the self-pipe of the
// loop handling it, plus one (0: none). Lock-free atomics are safe to read in
// a signal handler.
std::atomic<int> pipe_of[kSignals];
std::atomic<bool> sigint_counts{false};
std::atomic<int> sigints{0};

extern "C" void on_signal(int signum) {
  int saved = errno;
  if (signum == SIGINT && sigint_counts.load() && sigints.fetch_add(1) >= 1) {
    // Ctrl-C twice: the default action, now. SIGINT is blocked while this
    // handler runs, so the raised one is delivered as it returns.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    ::sigaction(SIGINT, &dfl, nullptr);
    ::raise(SIGINT);
  }
  int fd = pipe_of[signum].load() - 1;
  if (fd >= 0) {
    auto byte = static_cast<unsigned char>(signum);
    [[maybe_unused]] ssize_t n = ::write(fd, &byte, 1);  // a full pipe drops it: the loop is woken anyway
  }
  errno = saved;
}

struct Entry {
  std::shared_ptr<std::function<void()>> callback;
  struct sigaction old {};  // the disposition before the first add
  std::uint64_t id = 0;
};

// One loop's signals: its self-pipe and its handlers. Owned by the reader
// callback the loop watches the pipe with, so the loop's close (which drops
// its watches) or the last remove_signal_handler destroys it, restoring the
// dispositions still replaced.
struct LoopSignals {
  Loop* loop = nullptr;
  int read_fd = -1;
  int write_fd = -1;
  std::map<int, Entry> handlers;

  ~LoopSignals();
  void drain();
};

// Which loop handles which signal, and each loop's state: for every thread.
std::mutex registry_mutex;
std::map<const Loop*, LoopSignals*> registry;
const Loop* owner_of[kSignals];
std::uint64_t next_id = 0;

void restore(int signum, const struct sigaction& old) {
  ::sigaction(signum, &old, nullptr);
  pipe_of[signum].store(0);
  if (signum == SIGINT) sigint_counts.store(false);
}

LoopSignals::~LoopSignals() {
  std::lock_guard<std::mutex> lock(registry_mutex);
  for (auto& [signum, entry] : handlers) {
    restore(signum, entry.old);
    owner_of[signum] = nullptr;
  }
  auto it = registry.find(loop);
  if (it != registry.end() && it->second == this) registry.erase(it);
  ::close(read_fd);
  ::close(write_fd);
}

// What the loop runs when the pipe is readable: each number read queues its
// handler's callback, as asyncio's _handle_signal does.
void LoopSignals::drain() {
  unsigned char buf[256];
  ssize_t n;
  while ((n = ::read(read_fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    for (ssize_t i = 0; i < n; ++i) {
      auto it = handlers.find(buf[i]);
      if (it == handlers.end()) continue;  // removed since it arrived
      loop->call_soon([callback = it->second.callback] { (*callback)(); });
    }
  }
}

struct Reader {
  std::shared_ptr<LoopSignals> signals;
  void operator()() const { signals->drain(); }
};

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

LoopSignals* find(const Loop& loop) {
  auto it = registry.find(&loop);
  return it == registry.end() ? nullptr : it->second;
}

}  // namespace

std::string detail::signal_name(int signum) {
  const char* abbrev = signum > 0 && signum < kSignals ? ::sigabbrev_np(signum) : nullptr;
  if (abbrev == nullptr) return "signal " + std::to_string(signum);
  return std::string("SIG") + abbrev;
}

void add_signal_handler(Loop& loop, int signum, std::function<void()> callback) {
  check_signal("add_signal_handler", signum);
  if (signum == SIGKILL || signum == SIGSTOP) {
    throw RuntimeError("sig " + std::to_string(signum) + " cannot be caught (add_signal_handler: " +
                       detail::signal_name(signum) + " is never delivered to a program; only the kernel acts on it)");
  }
  if (!callback)
    throw InvalidArgument("add_signal_handler: the callback for " + detail::signal_name(signum) + " is empty");
  loop.check_owner_thread("add_signal_handler");
  auto shared_callback = std::make_shared<std::function<void()>>(std::move(callback));
  std::shared_ptr<LoopSignals> made;
  std::unique_lock<std::mutex> lock(registry_mutex);
  if (owner_of[signum] != nullptr && owner_of[signum] != &loop) {
    throw RuntimeError("add_signal_handler: " + detail::signal_name(signum) +
                       " is handled by another loop (a signal goes to one loop of the process); remove it there "
                       "first with remove_signal_handler");
  }
  LoopSignals* s = find(loop);
  if (s == nullptr) {
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
      throw std::system_error(errno, std::generic_category(), "add_signal_handler: pipe2");
    }
    made = std::make_shared<LoopSignals>();
    made->loop = &loop;
    made->read_fd = fds[0];
    made->write_fd = fds[1];
    registry[&loop] = made.get();
    s = made.get();
  }
  auto it = s->handlers.find(signum);
  if (it != s->handlers.end()) {
    it->second.callback = std::move(shared_callback);  // replaced; the saved disposition stays
    it->second.id = ++next_id;
    if (signum == SIGINT) sigint_counts.store(false);
  } else {
    Entry entry{std::move(shared_callback), {}, ++next_id};
    pipe_of[signum].store(s->write_fd + 1);
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigfillset(&action.sa_mask);
    action.sa_flags = SA_RESTART;  // as asyncio's siginterrupt(sig, False): fewer EINTRs
    if (::sigaction(signum, &action, &entry.old) != 0) {
      int err = errno;
      pipe_of[signum].store(0);
      if (made) {
        lock.unlock();
        made.reset();  // closes the pipe, leaves the registry
      }
      throw std::system_error(err, std::generic_category(),
                              "add_signal_handler: sigaction(" + detail::signal_name(signum) + ")");
    }
    s->handlers.emplace(signum, std::move(entry));
    owner_of[signum] = &loop;
  }
  lock.unlock();
  if (made) loop.add_reader(made->read_fd, Reader{made});
}

bool remove_signal_handler(Loop& loop, int signum) {
  check_signal("remove_signal_handler", signum);
  loop.check_owner_thread("remove_signal_handler");
  int last_fd = -1;
  {
    std::lock_guard<std::mutex> lock(registry_mutex);
    LoopSignals* s = find(loop);
    if (s == nullptr) return false;
    auto it = s->handlers.find(signum);
    if (it == s->handlers.end()) return false;
    restore(signum, it->second.old);
    owner_of[signum] = nullptr;
    s->handlers.erase(it);
    if (s->handlers.empty()) {
      registry.erase(&loop);  // a later add makes a new pipe, even if this one's reader is still queued
      last_fd = s->read_fd;
    }
  }
  // No handler left: the loop stops watching the pipe, which destroys it.
  if (last_fd >= 0) loop.remove_reader(last_fd);
  return true;
}

std::uint64_t detail::signal_handler_id(const Loop& loop, int signum) {
  if (signum < 1 || signum >= kSignals) return 0;
  std::lock_guard<std::mutex> lock(registry_mutex);
  LoopSignals* s = find(loop);
  if (s == nullptr) return 0;
  auto it = s->handlers.find(signum);
  return it == s->handlers.end() ? 0 : it->second.id;
}

void detail::sigint_second_exits(bool on) {
  sigints.store(0);
  sigint_counts.store(on);
}

}  // namespace corio
