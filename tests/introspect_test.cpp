// @chapter 14
// Seeing inside a running program: all_tasks(), each task's call graph (the
// coroutines it is suspended in, what it waits on, who awaits it), the dump
// of every task, the Chrome trace and the logging hook. Pinned on the
// virtual clock.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <corio/corio.hpp>

#include "support/corio_test.hpp"

namespace {

// Ends every task but the caller's, and lets them finish.
corio::Coro<> cancel_the_others() {
  for (const corio::AnyTask& t : corio::all_tasks()) {
    if (!(t == corio::current_task())) t.cancel();
  }
  co_await corio::sleep(0.001);
}

corio::Coro<std::string> innermost() {
  co_await corio::sleep(10);
  co_return "never";
}
corio::Coro<int> middle() {
  std::string s = co_await innermost();
  co_return static_cast<int>(s.size());
}
corio::Coro<> outermost() { co_await middle(); }

corio::Coro<> await_task(corio::Task<> inner) { co_await inner; }

corio::Coro<> nap(double seconds) { co_await corio::sleep(seconds); }
corio::Coro<> wait_readable(int fd) { co_await corio::readable(fd); }
corio::Coro<int> get_one(corio::Queue<int>& q) { co_return co_await q.get(); }
corio::Coro<> put_one(corio::Queue<int>& q) { co_await q.put(2); }

corio::Coro<int> await_future(corio::Future<int> f) { co_return co_await f; }

corio::Coro<> condition_wait(corio::Condition& c) {
  co_await c.acquire();
  co_await c.wait();
}

corio::Coro<> wait_for_one(corio::Task<> t) {
  std::vector<corio::Task<>> one;
  one.push_back(t);
  co_await corio::wait(std::move(one));
}

template <class Main>
void run_virtual(Main main) {
  corio::detail::set_tasks_made(0);
  corio::Loop loop(corio_test::virtual_time());
  loop.run_until_complete(main());
}

}  // namespace

TEST_CASE("all_tasks lists the live tasks oldest first; a done task is absent", "[ch14]") {
  run_virtual([]() -> corio::Coro<> {
    corio::Task<> quick = corio::create_task(nap(0.1), "quick");
    corio::Task<> slow = corio::create_task(nap(1.0), "slow");
    std::vector<std::string> names;
    for (const corio::AnyTask& t : corio::all_tasks()) names.push_back(t.get_name());
    CHECK(names == std::vector<std::string>{"Task-1", "quick", "slow"});
    co_await quick;
    names.clear();
    for (const corio::AnyTask& t : corio::all_tasks()) names.push_back(t.get_name());
    CHECK(names == std::vector<std::string>{"Task-1", "slow"});
    CHECK(corio::capture_call_graph(quick).waits_on == "nothing: it is done");
    co_await cancel_the_others();
  });
}

TEST_CASE("a task's call stack lists its nested coroutines innermost first, whatever their result types", "[ch14]") {
  run_virtual([]() -> corio::Coro<> {
    corio::Task<> t = corio::create_task(outermost(), "deep");
    co_await corio::sleep(1);
    corio::CallGraph g = corio::capture_call_graph(t);
    CHECK(g.name == "deep");
    CHECK(g.id == 2);
    CHECK(g.call_stack == std::vector<std::string>{"innermost", "middle", "outermost"});
    CHECK(g.waits_on == "sleep");
    co_await cancel_the_others();
  });
}

TEST_CASE("the call graph shows who awaits a task, and prints as asyncio's does", "[ch14]") {
  run_virtual([]() -> corio::Coro<> {
    corio::Task<> inner = corio::create_task(outermost(), "inner");
    corio::Task<> outer = corio::create_task(await_task(inner), "outer");
    co_await corio::sleep(1);
    CHECK(corio::format_call_graph(inner) ==
          "* Task(name='inner', id=2)\n"
          "  + Call stack:\n"
          "  |   coroutine innermost()\n"
          "  |   coroutine middle()\n"
          "  |   coroutine outermost()\n"
          "  + Waits on: sleep\n"
          "  + Awaited by:\n"
          "    * Task(name='outer', id=3)\n"
          "      + Call stack:\n"
          "      |   coroutine await_task()\n"
          "      + Waits on: task 'inner'\n");
    co_await cancel_the_others();
  });
}

TEST_CASE("the call graph names every kind of wait", "[ch14]") {
  corio_test::Pipe pipe;
  run_virtual([&]() -> corio::Coro<> {
    corio::Lock lock;
    co_await lock.acquire();
    corio::Semaphore sem(0);
    corio::Event event;
    corio::Condition cond;
    corio::Queue<int> empty;
    corio::Queue<int> full(1);
    full.put_nowait(1);
    corio::Queue<int> unfinished;
    unfinished.put_nowait(1);
    corio::Future<int> future;
    std::vector<corio::AnyTask> tasks;
    tasks.push_back(corio::create_task(nap(5), "sleep"));
    tasks.push_back(corio::create_task(wait_readable(pipe.read_end), "fd"));
    tasks.push_back(corio::create_task(lock.acquire(), "lock"));
    tasks.push_back(corio::create_task(sem.acquire(), "semaphore"));
    tasks.push_back(corio::create_task(event.wait(), "event"));
    tasks.push_back(corio::create_task(condition_wait(cond), "condition"));
    tasks.push_back(corio::create_task(get_one(empty), "get"));
    tasks.push_back(corio::create_task(put_one(full), "put"));
    tasks.push_back(corio::create_task(unfinished.join(), "join"));
    tasks.push_back(corio::create_task(await_future(future), "future"));
    corio::Task<> sleeper = corio::create_task(nap(5), "sleeper");
    tasks.push_back(corio::create_task(corio::gather(sleeper), "gather"));
    tasks.push_back(corio::create_task(wait_for_one(sleeper), "wait"));
    co_await corio::sleep(1);
    std::map<std::string, std::string> waits;
    for (const corio::AnyTask& t : tasks) waits[t.get_name()] = corio::capture_call_graph(t).waits_on;
    const char* expected[][2] = {{"sleep", "sleep"},       {"fd", "readable"},      {"lock", "acquire"},
                                 {"semaphore", "acquire"}, {"event", "event wait"}, {"condition", "condition wait"},
                                 {"get", "queue get"},     {"put", "queue put"},    {"join", "queue join"},
                                 {"future", "a future"},   {"gather", "gather"},    {"wait", "wait"}};
    CHECK(waits.size() == std::size(expected));
    for (const auto& [name, wait] : expected) {
      INFO("task " << name);
      CHECK(waits[name] == wait);
    }
    CHECK(corio::capture_call_graph(corio::current_task()).waits_on ==
          "nothing: it is running (the dump was asked from it)");
    co_await cancel_the_others();
    lock.release();
  });
}

TEST_CASE("a task made but not started yet waits on nothing: its first step is queued", "[ch14]") {
  run_virtual([]() -> corio::Coro<> {
    corio::Task<> t = corio::create_task(outermost(), "new");
    corio::CallGraph g = corio::capture_call_graph(t);
    CHECK(g.call_stack == std::vector<std::string>{"outermost"});
    CHECK(g.waits_on == "nothing: its first step is queued");
    co_await cancel_the_others();
  });
}

TEST_CASE("print_all_call_graphs dumps every live task from a loop callback", "[ch14]") {
  corio_test::Capture out;
  run_virtual([&]() -> corio::Coro<> {
    corio::Task<> inner = corio::create_task(outermost(), "inner");
    corio::Task<> outer = corio::create_task(await_task(inner), "outer");
    corio::Loop& loop = corio::get_running_loop();
    loop.call_later(2.5, [&] { corio::print_all_call_graphs(loop, out.file()); });
    co_await corio::sleep(3);
    co_await cancel_the_others();
  });
  CHECK(out.text() ==
        "3 tasks at 2.500:\n"
        "* Task(name='Task-1', id=1)\n"
        "  + Call stack:\n"
        "  |   coroutine operator()()\n"
        "  + Waits on: sleep\n"
        "* Task(name='inner', id=2)\n"
        "  + Call stack:\n"
        "  |   coroutine innermost()\n"
        "  |   coroutine middle()\n"
        "  |   coroutine outermost()\n"
        "  + Waits on: sleep\n"
        "  + Awaited by:\n"
        "    * Task(name='outer', id=3)\n"
        "      + Call stack:\n"
        "      |   coroutine await_task()\n"
        "      + Waits on: task 'inner'\n"
        "* Task(name='outer', id=3)\n"
        "  + Call stack:\n"
        "  |   coroutine await_task()\n"
        "  + Waits on: task 'inner'\n");
}

TEST_CASE("the Chrome trace holds a track per task and the loop's iterations, on the loop's clock", "[ch14]") {
  std::string path = "/tmp/corio-introspect-test-" + std::to_string(::getpid()) + ".json";
  {
    corio::detail::set_tasks_made(0);
    corio::Loop loop(corio_test::virtual_time());
    corio::record_chrome_trace(loop, path);
    loop.run_until_complete([]() -> corio::Coro<> {
      corio::Task<> a = corio::create_task(nap(0.5), "a");
      co_await a;
    }());
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string json = text.str();
  ::unlink(path.c_str());
  CHECK(json.starts_with("{\"traceEvents\":[\n"));
  CHECK(json.find("\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":" + std::to_string(::getpid()) +
                  ",\"tid\":2,\"args\":{\"name\":\"a\"}") != std::string::npos);
  CHECK(json.find("{\"name\":\"a\",\"cat\":\"task\",\"ph\":\"X\",\"ts\":0.000,\"dur\":500000.000,\"pid\":" +
                  std::to_string(::getpid()) + ",\"tid\":2,\"args\":{\"end\":\"done\"}}") != std::string::npos);
  CHECK(json.find("{\"name\":\"sleep\",\"cat\":\"wait\",\"ph\":\"X\",\"ts\":0.000,\"dur\":500000.000") !=
        std::string::npos);
  CHECK(json.find("{\"name\":\"task 'a'\",\"cat\":\"wait\",\"ph\":\"X\",\"ts\":0.000,\"dur\":500000.000") !=
        std::string::npos);
  CHECK(json.find("{\"name\":\"iteration\",\"cat\":\"loop\",\"ph\":\"X\",\"ts\":500000.000,\"dur\":0.000") !=
        std::string::npos);
  CHECK(json.ends_with("\n],\"displayTimeUnit\":\"ms\"}\n"));
}

TEST_CASE("log() puts the loop's time and the running task's name in every line, through a settable sink", "[ch14]") {
  std::vector<std::string> lines;
  corio::LogSink previous = corio::set_log_sink([&](const corio::LogRecord& r) { lines.push_back(r.line()); });
  run_virtual([]() -> corio::Coro<> {
    corio::log("starting");
    corio::Task<> job = corio::create_task(
        []() -> corio::Coro<> {
          co_await corio::sleep(0.25);
          corio::log("ERROR", "failed after 0.25 s");
        }(),
        "job-1");
    co_await job;
    corio::get_running_loop().call_soon([] { corio::log("WARN", "from a callback"); });
    co_await corio::sleep(0);
  });
  corio::log("outside any loop");
  corio::set_log_sink(std::move(previous));
  CHECK(lines == std::vector<std::string>{"0.000  INFO   Task-1  starting", "0.250  ERROR  job-1   failed after 0.25 s",
                                          "0.250  WARN   -       from a callback",
                                          "-      INFO   -       outside any loop"});
}
