// @chapter 14
// Signals on the loop: add_signal_handler / remove_signal_handler, and
// run()'s Ctrl-C. Each test raises the signal in this process
// (raise() delivers it before it returns) and checks where the handler ran.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include <corio/corio.hpp>

#include "support/corio_test.hpp"

using Catch::Matchers::Contains;

namespace {

// Sets signum's disposition for the test's length and puts the previous one
// back (Catch2 keeps its own SIGINT handler while a test runs).
class Disposition {
 public:
  Disposition(int signum, void (*handler)(int)) : signum_(signum) {
    struct sigaction action {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    ::sigaction(signum, &action, &saved_);
  }
  ~Disposition() { ::sigaction(signum_, &saved_, nullptr); }
  Disposition(const Disposition&) = delete;
  Disposition& operator=(const Disposition&) = delete;

 private:
  int signum_;
  struct sigaction saved_ {};
};

void (*handler_of(int signum))(int) {
  struct sigaction now {};
  ::sigaction(signum, nullptr, &now);
  return now.sa_handler;
}

volatile std::sig_atomic_t plain_handler_ran = 0;
extern "C" void plain_handler(int) { plain_handler_ran = plain_handler_ran + 1; }

}  // namespace

TEST_CASE("a raised signal runs its handler on the loop, on a later iteration, never inside raise()", "[ch14]") {
  corio::Loop loop;
  int ran = 0;
  bool on_the_loop = false;
  bool after_raise = false;
  bool raised = false;
  corio::add_signal_handler(loop, SIGUSR1, [&] {
    ++ran;
    on_the_loop = corio::detail::running_loop() == &loop;
    after_raise = raised;
    loop.stop();
  });
  loop.call_soon([&] {
    ::raise(SIGUSR1);
    CHECK(ran == 0);  // raise() has returned: the signal was delivered, the callback only queued
    raised = true;
  });
  loop.run_forever();
  CHECK(ran == 1);
  CHECK(on_the_loop);
  CHECK(after_raise);
  CHECK(corio::remove_signal_handler(loop, SIGUSR1));
}

TEST_CASE("a second add_signal_handler replaces the first, and each signal raised runs the callback once", "[ch14]") {
  corio::Loop loop;
  int first = 0, second = 0;
  corio::add_signal_handler(loop, SIGUSR2, [&] { ++first; });
  corio::add_signal_handler(loop, SIGUSR2, [&] {
    if (++second == 3) loop.stop();
  });
  loop.call_soon([] {
    for (int i = 0; i < 3; ++i) ::raise(SIGUSR2);
  });
  loop.run_forever();
  CHECK(first == 0);
  CHECK(second == 3);
}

TEST_CASE("remove_signal_handler restores the disposition the signal had before, and says False when none is set",
          "[ch14]") {
  Disposition before(SIGUSR1, plain_handler);
  corio::Loop loop;
  CHECK_FALSE(corio::remove_signal_handler(loop, SIGUSR1));
  corio::add_signal_handler(loop, SIGUSR1, [] {});
  corio::add_signal_handler(loop, SIGUSR1, [] {});  // a replacement keeps the first one's saved disposition
  CHECK(handler_of(SIGUSR1) != plain_handler);
  CHECK(corio::remove_signal_handler(loop, SIGUSR1));
  CHECK(handler_of(SIGUSR1) == plain_handler);
  CHECK_FALSE(corio::remove_signal_handler(loop, SIGUSR1));
  plain_handler_ran = 0;
  ::raise(SIGUSR1);
  CHECK(plain_handler_ran == 1);

  Disposition ignored(SIGUSR2, SIG_IGN);
  corio::add_signal_handler(loop, SIGUSR2, [] {});
  CHECK(corio::remove_signal_handler(loop, SIGUSR2));
  CHECK(handler_of(SIGUSR2) == SIG_IGN);  // asyncio would set SIG_DFL here, and the next SIGUSR2 would kill
}

TEST_CASE("closing the loop removes its handlers and restores each signal's disposition", "[ch14]") {
  Disposition before(SIGUSR1, plain_handler);
  void (*hangup)(int) = handler_of(SIGHUP);  // SIG_DFL, or SIG_IGN under nohup
  {
    corio::Loop loop;
    corio::add_signal_handler(loop, SIGUSR1, [] {});
    corio::add_signal_handler(loop, SIGHUP, [] {});
    CHECK(handler_of(SIGUSR1) != plain_handler);
  }
  CHECK(handler_of(SIGUSR1) == plain_handler);
  CHECK(handler_of(SIGHUP) == hangup);
  corio::Loop next;  // and another loop may take them
  corio::add_signal_handler(next, SIGUSR1, [] {});
  CHECK(corio::remove_signal_handler(next, SIGUSR1));
}

// A handler on another thread may have read the loop's inbox just before
// the loop closed and freed it: the loop must wait for it (ASan saw the
// write into the freed inbox before it did).
TEST_CASE("a signal handled on another thread while its loop closes touches nothing the loop freed",
          "[ch14][threads]") {
  Disposition before(SIGUSR2, plain_handler);
  std::atomic<bool> done{false};
  std::atomic<long> sent{0};
  std::thread sender([&] {
    while (!done.load()) {
      ::pthread_kill(::pthread_self(), SIGUSR2);  // handled on this thread, whichever loop takes it
      sent.fetch_add(1);
    }
  });
  int handled = 0;
  for (int round = 0; round < 3000; ++round) {
    corio::Loop loop;
    corio::add_signal_handler(loop, SIGUSR2, [&] { ++handled; });
    loop.call_soon([&] { loop.stop(); });
    loop.run_forever();
  }
  done = true;
  sender.join();
  CHECK(sent.load() > 0);
  CHECK(handler_of(SIGUSR2) == plain_handler);
}

TEST_CASE("a signal number that is no signal, SIGKILL, SIGSTOP and an empty callback are refused by name", "[ch14]") {
  corio::Loop loop;
  CHECK_THROWS_WITH(corio::add_signal_handler(loop, 0, [] {}), Contains("invalid signal number 0"));
  CHECK_THROWS_AS(corio::add_signal_handler(loop, NSIG, [] {}), corio::ValueError);
  CHECK_THROWS_AS(corio::add_signal_handler(loop, 32, [] {}), corio::ValueError);
  CHECK_THROWS_WITH(corio::remove_signal_handler(loop, -1), Contains("invalid signal number -1"));
  CHECK_THROWS_WITH(corio::add_signal_handler(loop, SIGKILL, [] {}),
                    Contains("sig 9 cannot be caught") && Contains("SIGKILL"));
  CHECK_THROWS_AS(corio::add_signal_handler(loop, SIGSTOP, [] {}), corio::RuntimeError);
  CHECK_THROWS_WITH(corio::add_signal_handler(loop, SIGUSR1, {}), Contains("SIGUSR1") && Contains("empty"));
  CHECK_FALSE(corio::remove_signal_handler(loop, SIGUSR1));
}

TEST_CASE("a signal handled by one loop is refused to another until the first removes it", "[ch14]") {
  corio::Loop one;
  corio::Loop two;
  corio::add_signal_handler(one, SIGUSR1, [] {});
  CHECK_THROWS_WITH(corio::add_signal_handler(two, SIGUSR1, [] {}), Contains("SIGUSR1 is handled by another loop"));
  CHECK_FALSE(corio::remove_signal_handler(two, SIGUSR1));
  CHECK(corio::remove_signal_handler(one, SIGUSR1));
  corio::add_signal_handler(two, SIGUSR1, [] {});
  CHECK(corio::remove_signal_handler(two, SIGUSR1));
}

TEST_CASE("an error escaping a signal's callback goes to the loop's exception handler", "[ch14]") {
  corio::Loop loop;
  std::string seen;
  loop.set_exception_handler([&](corio::Loop& l, const corio::ExceptionContext& context) {
    seen = corio::detail::describe(context.exception);
    l.stop();
  });
  corio::add_signal_handler(loop, SIGUSR2, [] { throw std::runtime_error("the handler failed"); });
  loop.call_soon([] { ::raise(SIGUSR2); });
  loop.run_forever();
  CHECK_THAT(seen, Contains("the handler failed"));
}

namespace {

// The loop's thread blocks SIGUSR1 and the sender unblocks it, so the kernel
// gives the signal to the sender: its C handler runs there, and only the
// loop's wake fd reaches the sleeping loop. Left to the kernel, the signal
// could land on the loop's thread inside select(), which ThreadSanitizer
// does not intercept: TSan defers the handler to that thread's next
// intercepted call, which a loop asleep with nothing else to do never makes.
sigset_t just(int signum) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signum);
  return set;
}

class SignalBlocked {
 public:
  explicit SignalBlocked(int signum) {
    sigset_t set = just(signum);
    ::pthread_sigmask(SIG_BLOCK, &set, &saved_);
  }
  ~SignalBlocked() { ::pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
  SignalBlocked(const SignalBlocked&) = delete;
  SignalBlocked& operator=(const SignalBlocked&) = delete;

 private:
  sigset_t saved_{};
};

corio::Coro<int> wait_for_a_signal_from_another_thread() {
  corio::Loop& loop = corio::get_running_loop();
  corio::Event got;
  corio::add_signal_handler(loop, SIGUSR1, [&got] { got.set(); });
  std::thread sender([] {
    sigset_t usr1 = just(SIGUSR1);
    ::pthread_sigmask(SIG_UNBLOCK, &usr1, nullptr);
    ::kill(::getpid(), SIGUSR1);
  });
  co_await got.wait();
  sender.join();
  co_return corio::remove_signal_handler(loop, SIGUSR1) ? 1 : 0;
}

}  // namespace

TEST_CASE("a loop with nothing to do but a signal handler waits for the signal instead of giving up",
          "[ch14][threads]") {
  SignalBlocked on_this_thread(SIGUSR1);
  CHECK(corio::run(wait_for_a_signal_from_another_thread()) == 1);
}

namespace {

corio::Coro<int> interrupted_main(std::string& log) {
  bool cancelled = false;
  try {
    ::raise(SIGINT);  // the handler only queues the cancellation: this step goes on
    log += "raised;";
    co_await corio::sleep(3600);
    log += "slept;";
  } catch (const corio::CancelledError&) {
    log += "cancelled;";
    cancelled = true;
  }
  if (cancelled) {
    co_await corio::sleep(1);  // cleanup may await
    log += "cleaned up;";
    throw corio::CancelledError();
  }
  co_return 1;
}

corio::Coro<int> interrupted_but_carries_on(std::string& log) {
  try {
    ::raise(SIGINT);
    co_await corio::sleep(3600);
  } catch (const corio::CancelledError&) {
    log += "cancelled;";
    corio::current_task().uncancel();  // takes the Ctrl-C back
  }
  co_return 2;
}

}  // namespace

TEST_CASE("run(): SIGINT cancels the main task, its cleanup runs, then KeyboardInterrupt", "[ch14]") {
  Disposition dfl(SIGINT, SIG_DFL);  // as a program starts (asyncio acts only then)
  std::string log;
  CHECK_THROWS_AS(corio::run(interrupted_main(log), corio_test::virtual_time()),
                  corio::KeyboardInterrupt);
  CHECK(log == "raised;cancelled;cleaned up;");
  CHECK(handler_of(SIGINT) == SIG_DFL);

  log.clear();
  CHECK(corio::run(interrupted_but_carries_on(log), corio_test::virtual_time()) == 2);
  CHECK(log == "cancelled;");
}

namespace {

corio::Coro<int> raise_sigint_and_finish() {
  ::raise(SIGINT);
  co_await corio::sleep(1);
  co_return 3;
}

}  // namespace

TEST_CASE("run() leaves SIGINT alone when its disposition is not the default", "[ch14]") {
  Disposition ignored(SIGINT, SIG_IGN);
  CHECK(corio::run(raise_sigint_and_finish(), corio_test::virtual_time()) == 3);
  CHECK(handler_of(SIGINT) == SIG_IGN);
}

namespace {

corio::Coro<bool> sigint_is_default_while_running() {
  co_await corio::sleep(0);
  co_return handler_of(SIGINT) == SIG_DFL;
}

corio::Coro<void> wait_for_nobody() {
  corio::Future<int> never;
  co_await never;
}

}  // namespace

TEST_CASE("run() catches SIGINT only while it runs, and only on the main thread", "[ch14][threads]") {
  Disposition dfl(SIGINT, SIG_DFL);
  CHECK_FALSE(corio::run(sigint_is_default_while_running()));
  CHECK(handler_of(SIGINT) == SIG_DFL);

  bool on_thread = false;
  std::thread other([&on_thread] { on_thread = corio::run(sigint_is_default_while_running()); });
  other.join();
  CHECK(on_thread);
}

TEST_CASE("run()'s Ctrl-C handler does not keep a stuck main waiting: it is still told it would wait forever",
          "[ch14]") {
  Disposition dfl(SIGINT, SIG_DFL);
  CHECK_THROWS_WITH(corio::run(wait_for_nobody()), Contains("would wait forever"));
  CHECK(handler_of(SIGINT) == SIG_DFL);
}
