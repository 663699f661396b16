// Cancelling a task: CancelledError arrives where it waits; it cleans up and lets the error go on
#include <cstdio>
#include <exception>
#include <string>

#include <corio/corio.hpp>

double start = 0;

double elapsed() { return corio::get_running_loop().time() - start; }

const char* yes(bool b) { return b ? "yes" : "no"; }

corio::Coro<> download(std::string file) {
  std::printf("%.2f  %s: downloading\n", elapsed(), file.c_str());
  try {
    for (int chunk = 1;; ++chunk) {
      co_await corio::sleep(0.1);
      std::printf("%.2f  %s: chunk %d\n", elapsed(), file.c_str(), chunk);
    }
  } catch (const corio::CancelledError& e) {
    std::printf("%.2f  %s: CancelledError (\"%s\") at its sleep; deleting the partial file\n", elapsed(),
                file.c_str(), e.what());
    throw;  // the task ends cancelled; swallowing it would make cancel() a no-op
  }
}

// The everyday catch-all does not see a cancellation.
corio::Coro<> careless() {
  try {
    co_await corio::sleep(1);
  } catch (const std::exception& e) {
    std::printf("careless: never printed: %s\n", e.what());
  }
}

corio::Coro<> never_runs() {
  std::printf("never_runs: never printed\n");
  co_return;
}

// Waits until the task has ended, however it ended; main asks the task itself how.
corio::Coro<> ended(corio::Task<> task) {
  try {
    co_await task;
  } catch (const corio::CancelledError&) {
  }
}

corio::Coro<> main_coro() {
  start = corio::get_running_loop().time();
  corio::Task<> task = corio::create_task(download("report.pdf"));
  co_await corio::sleep(0.25);
  bool asked = task.cancel("user pressed stop");
  std::printf("%.2f  main: cancel() returned %s; done() right after: %s\n", elapsed(), yes(asked), yes(task.done()));
  try {
    co_await task;
  } catch (const corio::CancelledError& e) {
    std::printf("%.2f  main: co_await task threw CancelledError (\"%s\")\n", elapsed(), e.what());
  }
  std::printf("%.2f  main: cancelled(): %s, cancelling(): %u\n", elapsed(), yes(task.cancelled()), task.cancelling());

  corio::Task<> sloppy = corio::create_task(careless());
  co_await corio::sleep(0);
  sloppy.cancel();
  co_await ended(sloppy);
  std::printf("%.2f  careless: its catch (const std::exception&) let it through; cancelled(): %s\n", elapsed(),
              yes(sloppy.cancelled()));

  corio::Task<> early = corio::create_task(never_runs());
  early.cancel();
  co_await ended(early);
  std::printf("%.2f  cancelled before its first step: cancelled(): %s, and its body never ran\n", elapsed(),
              yes(early.cancelled()));
}

int main() { corio::run(main_coro()); }
