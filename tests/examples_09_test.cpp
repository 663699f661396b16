// @chapter 09
// Chapter 09's programs on the virtual clock: every line they print is
// exact, times included.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/corio_test.hpp"

TEST_CASE("a cancelled task cleans up at its sleep and a catch of std::exception misses it", "[ch09]") {
  auto out = corio_test::lines_of(corio_test::run_example("09-cancellation/1-cancel"));
  std::vector<std::string> expected = {
      "0.00  report.pdf: downloading",
      "0.10  report.pdf: chunk 1",
      "0.20  report.pdf: chunk 2",
      "0.25  main: cancel() returned yes; done() right after: no",
      "0.25  report.pdf: CancelledError (\"user pressed stop\") at its sleep; deleting the partial file",
      "0.25  main: co_await task threw CancelledError (\"user pressed stop\")",
      "0.25  main: cancelled(): yes, cancelling(): 1",
      "0.25  careless: its catch (const std::exception&) let it through; cancelled(): yes",
      "0.25  cancelled before its first step: cancelled(): yes, and its body never ran",
  };
  CHECK(out == expected);
}

TEST_CASE("cancelling the handler cancels its save, unless the save is shielded, which then finishes", "[ch09]") {
  auto out = corio_test::lines_of(corio_test::run_example("09-cancellation/2-shield"));
  std::vector<std::string> expected = {
      "without shield:",
      "0.0  save: starts writing",
      "0.2  main: cancels the handler",
      "0.2  save: cancelled part-way, the file is torn",
      "0.2  main: the handler ended with CancelledError",
      "with shield(save()):",
      "0.0  save: starts writing",
      "0.2  main: cancels the handler",
      "0.2  main: the handler ended with CancelledError",
      "0.5  save: written",
  };
  CHECK(out == expected);
}

TEST_CASE("with CORIO_TIMELINE=1 the cancel program shows the download ending cancelled at 0.25 s", "[ch09]") {
  auto out = corio_test::lines_of(corio_test::run_example("09-cancellation/1-cancel", "CORIO_TIMELINE=1"));
  std::vector<std::string> expected = {
      "Task-2 download    #---------------#---------------#-------#  sleep x3 0.250 s; cancelled at 0.250",
      "Task-3 careless                                            #  sleep 0.000 s; cancelled at 0.250",
      "Task-4 never_runs                                          #  cancelled at 0.250",
  };
  REQUIRE(out.size() >= expected.size());
  CHECK(std::vector<std::string>(out.end() - static_cast<std::ptrdiff_t>(expected.size()), out.end()) == expected);
}
