// @chapter 05
// Chapter 05's programs on the virtual clock: every line they print is
// exact, times included. Where a program shows what the runtime reports on
// stderr, the command merges stderr into stdout, so the report is checked
// in its place.
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/corio_test.hpp"

TEST_CASE("two downloads take 2.0 s awaited one after the other and 1.0 s as tasks", "[ch05][E04]") {
  auto out = corio_test::lines_of(corio_test::run_example("05-tasks/1-downloads"));
  std::vector<std::string> expected = {
      "awaiting two coroutines, one after the other:",
      "  0.0  start page1.html",
      "  1.0  done  page1.html",
      "  1.0  start page2.html",
      "  2.0  done  page2.html",
      "total: 2.0s",
      "creating two tasks, then awaiting them:",
      "  0.0  start page1.html",
      "  0.0  start page2.html",
      "  1.0  done  page1.html",
      "  1.0  done  page2.html",
      "got <page1.html> and <page2.html>",
      "total: 1.0s",
  };
  CHECK(out == expected);
}

TEST_CASE("a task starts on the next iteration, keeps its name and can be awaited twice", "[ch05]") {
  auto out = corio_test::lines_of(corio_test::run_example("05-tasks/2-scheduling"));
  std::vector<std::string> expected = {
      "created task 'square-7'; done: no",
      "main goes on until it awaits something",
      "  square(7) starts",
      "after sleep(0), one iteration later; done: no",
      "awaited twice: 49 and 49; done: yes, result(): 49",
      "task 'Task-3' failed: the disk is full",
      "exception() holds it too: yes",
  };
  CHECK(out == expected);
}

TEST_CASE("every step of every task runs on the thread that called run()", "[ch05][C04]") {
  auto out = corio_test::lines_of(corio_test::run_example("05-tasks/3-one-thread"));
  std::vector<std::string> expected = {
      "3 tasks ran 12 steps on 1 thread(s)",
      "that thread is the one that called run(): yes",
  };
  CHECK(out == expected);
}

TEST_CASE("a task's error nobody retrieved is reported, naming the task, when the task goes", "[ch05]") {
  auto out = corio_test::lines_of(corio_test::run_example("05-tasks/4-never-retrieved 2>&1"));
  std::vector<std::string> expected = {
      "creating task 'saver' and dropping its handle",
      "Task exception was never retrieved: task 'saver' (coroutine 'save'): disk full while saving report",
      "main goes on; nobody will ever see that error again",
      "keeping the handle this time, and awaiting it",
      "task 'saver-2' failed: disk full while saving draft",
  };
  CHECK(out == expected);
}

TEST_CASE("the timeline shows each task's steps at the times the loop ran them", "[ch05]") {
  auto out = corio_test::lines_of(corio_test::run_example("05-tasks/5-timeline"));
  std::vector<std::string> expected = {
      "t (s)   0.0   0.5   1.0   1.5   2.0",
      "main    #-----------------#-----#",
      "fetch   #-----------#-----#",
      "tick    #-----#-----#-----#-----#",
      "parse   #--------#--#",
      "# a step of the task ran, - it waited; one thread ran every step, one at a time",
  };
  CHECK(out == expected);
}

TEST_CASE("the one-page runtime, which includes no corio, runs a ticker beside a reader of a pipe", "[ch05]") {
  auto out = corio_test::lines_of(corio_test::run_example("05-tasks/6-mini-runtime"));
  std::vector<std::string> expected = {
      "0.00  main: two tasks made; they start on the next iteration",
      "0.00  reader: waits until select() says the pipe is readable",
      "0.10  ticker: tick 1",
      "0.20  ticker: tick 2",
      "0.25  main: writes \"hello\" into the pipe",
      "0.25  main: the reader read \"hello\"",
      "0.30  ticker: tick 3",
      "0.30  main: the ticker returned 3",
  };
  CHECK(out == expected);
}
