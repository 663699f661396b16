// @chapter 02
// The trace (CORIO_TRACE, Loop::set_trace): one line per iteration saying
// what each phase did. Pinned exactly on the virtual clock, on a real pipe,
// under whichever poller CORIO_POLLER names (make run-tests runs both).
#include <catch2/catch.hpp>

#include <string>

#include <corio/loop/loop.hpp>

#include "support/corio_test.hpp"

using Catch::Matchers::Contains;

using corio_test::Capture;

TEST_CASE("the trace says, each iteration, the timeout chosen and why, the ready fds, the due timers and what ran",
          "[ch02]") {
  corio::Loop loop(corio_test::virtual_time());
  Capture out;
  loop.set_trace(out.file());
  CHECK(loop.get_trace() == out.file());
  corio_test::Pipe pipe;
  loop.add_reader(pipe.read_end, [&] {
    pipe.take();
    loop.remove_reader(pipe.read_end);
    loop.call_later(0.5, [&] { loop.stop(); });
  });
  loop.call_soon([&] { pipe.put(); });
  loop.run_forever();

  std::string fd = std::to_string(pipe.read_end);
  CHECK(out.text() ==
        "[trace 0.000] #1 timeout 0 (1 ready); not polled; ran 1 callback\n"
        "[trace 0.000] #2 timeout none (until an fd is ready); polled: fd " +
            fd +
            " readable; ran 1 callback\n"
            "[trace 0.500] #3 timeout 0 (virtual clock: no real wait); not polled; clock jumps to 0.500; 1 timer "
            "due; ran 1 callback\n");
}

TEST_CASE("the trace counts the callbacks an iteration runs and the timers that came due together", "[ch02]") {
  corio::Loop loop(corio_test::virtual_time());
  Capture out;
  loop.set_trace(out.file());
  int ran = 0;
  for (int i = 0; i < 3; ++i) loop.call_later(0.25, [&] { ++ran; });
  loop.call_later(0.25, [&] { loop.stop(); });
  loop.call_soon([&] { ++ran; });
  loop.call_soon([&] { ++ran; });
  loop.run_forever();

  CHECK(ran == 5);
  CHECK(out.text() ==
        "[trace 0.000] #1 timeout 0 (2 ready); not polled; ran 2 callbacks\n"
        "[trace 0.250] #2 timeout 0 (virtual clock: no real wait); not polled; clock jumps to 0.250; 4 timers due; "
        "ran 4 callbacks\n");
}

TEST_CASE("a loop stopped before it runs traces its one iteration as a stop asked for", "[ch02]") {
  corio::Loop loop(corio_test::virtual_time());
  Capture out;
  loop.set_trace(out.file());
  loop.stop();
  loop.run_forever();
  CHECK(out.text() == "[trace 0.000] #1 timeout 0 (stop asked); not polled; ran nothing\n");
}

TEST_CASE("on the real clock the trace shows the wait for the next timer", "[ch02]") {
  corio::Loop loop(corio::LoopOptions{.poller = std::nullopt, .clock = corio::ClockKind::Real});
  Capture out;
  loop.set_trace(out.file());
  loop.call_later(0.02, [&] { loop.stop(); });
  loop.run_forever();
  CHECK_THAT(out.text(), Contains("#1 timeout 0.0") && Contains(" s (next timer); polled: nothing") &&
                             Contains("1 timer due; ran 1 callback\n"));
}

TEST_CASE("set_trace(nullptr) turns the trace off", "[ch02]") {
  corio::Loop loop(corio_test::virtual_time());
  Capture out;
  loop.set_trace(out.file());
  loop.call_soon([&] { loop.set_trace(nullptr); });
  loop.call_later(1, [&] { loop.stop(); });
  loop.run_forever();
  CHECK(loop.get_trace() == nullptr);
  CHECK(out.text() == "[trace 0.000] #1 timeout 0 (1 ready); not polled; ran 1 callback\n");
}
