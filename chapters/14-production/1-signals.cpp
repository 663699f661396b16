// Signals on the loop: SIGUSR1 runs a callback on the loop, Ctrl-C cancels the main task, a second Ctrl-C exits at once
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include <corio/corio.hpp>

// What the program does while it waits for Ctrl-C: a task that ticks.
corio::Coro<> worker(int& ticks) {
  try {
    for (;;) {
      co_await corio::sleep(0.05);
      ++ticks;
    }
  } catch (const corio::CancelledError&) {
    std::printf("worker: cancelled at its await; closing its files\n");
    throw;
  }
}

// Alone (as `make run` starts it), the program sends itself the signals a
// user would; with --wait it waits for them (the tests send them). With
// --slow-cleanup its cleanup takes a minute: only a second Ctrl-C ends it.
corio::Coro<> main_coro(bool wait, bool slow_cleanup) {
  corio::Loop& loop = corio::get_running_loop();
  int ticks = 0;
  corio::add_signal_handler(loop, SIGUSR1, [&loop] {
    // On the loop, between two steps: anything may be called here, unlike in a C signal handler.
    std::printf("SIGUSR1: handled on the loop (running: %s), not inside the signal handler\n",
                loop.is_running() ? "yes" : "no");
  });
  corio::Task<void> work = corio::create_task(worker(ticks), "worker");
  std::printf("ready: SIGUSR1 prints a line, Ctrl-C (SIGINT) stops the program\n");
  if (!wait) {
    loop.call_later(0.1, [] { ::kill(::getpid(), SIGUSR1); });
    loop.call_later(0.2, [] { ::kill(::getpid(), SIGINT); });
  }
  try {
    co_await work;
    co_return;
  } catch (const corio::CancelledError&) {
    // The cancellation went first to the task main awaited (as in asyncio): the worker has ended.
    std::printf("main: cancelled by Ctrl-C, the worker %s; cleaning up (Ctrl-C again exits at once)\n",
                work.cancelled() ? "too" : "not");
  }
  co_await corio::sleep(slow_cleanup ? 60.0 : 0.01);  // cleanup may await
  corio::remove_signal_handler(loop, SIGUSR1);
  std::printf("main: cleanup done\n");
  throw corio::CancelledError();  // main ends cancelled, as it was asked
}

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // a line at a time, even into a pipe
  bool wait = false, slow_cleanup = false;
  for (int i = 1; i < argc; ++i) {
    wait = wait || std::strcmp(argv[i], "--wait") == 0;
    slow_cleanup = slow_cleanup || std::strcmp(argv[i], "--slow-cleanup") == 0;
  }
  try {
    corio::run(main_coro(wait, slow_cleanup));
  } catch (const corio::KeyboardInterrupt& e) {
    std::printf("run() threw %s: the program ends normally\n", e.what());
  }
}
