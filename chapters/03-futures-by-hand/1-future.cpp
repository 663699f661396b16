// A Future by hand: a result set once, done-callbacks run by the loop in order
//
// A future is a box for a result that does not exist yet. Whoever will
// produce it calls set_result (or set_exception) once; whoever wants it
// registers a done-callback. The callbacks never run inside set_result: they
// are queued on the loop, in the order they were added, and run on its next
// iteration.
#include <cstdio>
#include <stdexcept>

#include <corio/tasks/future.hpp>
#include <corio/loop/loop.hpp>

int main() {
  corio::Loop loop;

  corio::Future<int> answer(loop);
  std::printf("done() before set_result: %s\n", answer.done() ? "true" : "false");
  try {
    answer.result();
  } catch (const corio::InvalidStateError& e) {
    std::printf("result() too early: InvalidStateError: %s\n", e.what());
  }

  answer.add_done_callback([](corio::Future<int>& f) { std::printf("callback 1 sees %d\n", f.result()); });
  answer.add_done_callback([](corio::Future<int>& f) { std::printf("callback 2 sees %d\n", f.result()); });
  answer.set_result(42);
  std::printf("set_result(42) has returned; no callback has run yet\n");
  try {
    answer.set_result(43);
  } catch (const corio::InvalidStateError& e) {
    std::printf("set_result(43): InvalidStateError: %s\n", e.what());
  }
  answer.add_done_callback(
      [](corio::Future<int>& f) { std::printf("callback 3, added when done, sees %d\n", f.result()); });

  corio::Future<int> broken(loop);
  broken.add_done_callback([&loop](corio::Future<int>& f) {
    try {
      f.result();
    } catch (const std::exception& e) {
      std::printf("the broken future's result() throws: %s\n", e.what());
    }
    loop.stop();
  });
  broken.set_exception(std::runtime_error("the server hung up"));

  std::printf("run_forever():\n");
  loop.run_forever();
  std::printf("result() after the loop: %d\n", answer.result());
}
