// @chapter 05
// The timeline (CORIO_TIMELINE, record_timeline): one lane per task, on the
// loop's clock, printed when the loop closes. Pinned exactly on the
// virtual clock.
#include <catch2/catch.hpp>

#include <string>

#include <corio/corio.hpp>
#include <corio/tasks/timeline.hpp>
#include <corio/waiting/gather.hpp>  // @since 06

#include "support/corio_test.hpp"

using corio_test::Capture;

namespace {

corio::Coro<> nap(double first, double second = 0) {
  co_await corio::sleep(first);
  if (second > 0) co_await corio::sleep(second);
}

corio::Coro<> one_by_one() {
  corio::Task<> a = corio::create_task(nap(1.0), "a");
  corio::Task<> b = corio::create_task(nap(0.5, 0.5), "b");
  co_await a;
  co_await b;  // done by now: no wait
}

// Runs main on a loop that records its timeline; what the loop printed
// when it closed.
template <class Main>
std::string timeline_of(Main main) {
  corio::detail::set_tasks_made(0);
  Capture out;
  {
    corio::Loop loop(corio_test::virtual_time());
    corio::record_timeline(loop, out.file());
    loop.run_until_complete(main());
  }
  return out.text();
}

}  // namespace

TEST_CASE("the timeline draws one lane per task: when it ran, when it waited, and on what", "[ch05]") {
  CHECK(timeline_of(one_by_one) ==
        "timeline: 3 tasks on the virtual clock; # ran, - waited; a column is 0.025 s\n"
        "                   0.000     0.250     0.500     0.750     1.000\n"
        "Task-1 one_by_one  #---------------------------------------#  task 'a' 1.000 s; done at 1.000\n"
        "a                  #---------------------------------------#  sleep 1.000 s; done at 1.000\n"
        "b                  #-------------------#-------------------#  sleep x2 1.000 s; done at 1.000\n");
}

TEST_CASE("the timeline leaves out tasks made before it began, and marks tasks still pending at close", "[ch05]") {
  corio::detail::set_tasks_made(0);
  corio_test::Diagnostics diagnostics;
  Capture out;
  {
    corio::Loop loop(corio_test::virtual_time());
    corio::Task<> early = loop.run_until_complete(
        []() -> corio::Coro<corio::Task<>> { co_return corio::create_task(nap(5), "early"); }());
    corio::record_timeline(loop, out.file());
    loop.run_until_complete([]() -> corio::Coro<> {
      corio::create_task(nap(3), "late");
      co_await corio::sleep(1);
    }());
  }
  CHECK(out.text() ==
        "timeline: 2 tasks on the virtual clock; # ran, - waited; a column is 0.025 s\n"
        "                   0.000     0.250     0.500     0.750     1.000\n"
        "Task-3 operator()  #---------------------------------------#  sleep 1.000 s; done at 1.000\n"
        "late               #----------------------------------------  sleep 1.000 s; pending at close\n");
  CHECK(diagnostics.any_contains("Task was destroyed but it is pending: task 'late'"));
}

// @since 06
corio::Coro<> all_at_once() { co_await corio::gather(nap(1.0), nap(0.5, 0.5), nap(0.25)); }

TEST_CASE("under gather the timeline shows the children's lanes overlap while the parent waits on gather", "[ch06]") {
  CHECK(timeline_of(all_at_once) ==
        "timeline: 4 tasks on the virtual clock; # ran, - waited; a column is 0.025 s\n"
        "                    0.000     0.250     0.500     0.750     1.000\n"
        "Task-1 all_at_once  #---------------------------------------#  gather 1.000 s; done at 1.000\n"
        "Task-2 nap          #---------------------------------------#  sleep 1.000 s; done at 1.000\n"
        "Task-3 nap          #-------------------#-------------------#  sleep x2 1.000 s; done at 1.000\n"
        "Task-4 nap          #---------#                                sleep 0.250 s; done at 0.250\n");
}
// @end
