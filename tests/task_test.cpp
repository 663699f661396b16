// @chapter 05
// Task<T>: a coroutine the loop drives by itself, started on the next
// iteration, awaitable any number of times, named, and accounted for: its
// frame destroyed exactly once and its unretrieved error reported.
#include <catch2/catch.hpp>

#include <algorithm>
#include <coroutine>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <corio/corio.hpp>

#include "support/asan.hpp"
#include "support/corio_test.hpp"

using corio_test::Diagnostics;
using corio_test::Life;
using corio_test::Lives;

namespace {

corio::Coro<int> record(std::string name, std::vector<std::string>& trace, int value) {
  trace.push_back(name);
  co_return value;
}

corio::Coro<int> start_one(std::vector<std::string>& trace) {
  corio::Task<int> task = corio::create_task(record("task", trace, 5));
  trace.push_back("created");
  co_await corio::sleep(0);  // queued behind the task's first step
  trace.push_back("yielded");
  co_return co_await task;
}

TEST_CASE("create_task does not run the coroutine inline: it starts on the next iteration", "[ch05]") {
  std::vector<std::string> trace;
  CHECK(corio::run(start_one(trace), corio_test::virtual_time()) == 5);
  CHECK(trace == std::vector<std::string>{"created", "task", "yielded"});
}

struct Download {
  std::string page;
  double started;
  double finished;
};

corio::Coro<Download> download(std::string page) {
  corio::Loop& loop = corio::get_running_loop();
  double started = loop.time();
  co_await corio::sleep(1);
  co_return Download{page, started, loop.time()};
}

corio::Coro<double> two_downloads(std::vector<Download>& done) {
  corio::Task<Download> task1 = corio::create_task(download("page1.html"));
  corio::Task<Download> task2 = corio::create_task(download("page2.html"));
  done.push_back(co_await task1);
  done.push_back(co_await task2);
  co_return corio::get_running_loop().time();
}

TEST_CASE("two tasks overlap: two one-second downloads finish at 1.0 s, not 2.0 s", "[ch05][E04]") {
  std::vector<Download> done;
  CHECK(corio::run(two_downloads(done), corio_test::virtual_time()) == 1.0);
  REQUIRE(done.size() == 2);
  CHECK(done[0].page == "page1.html");
  CHECK(done[1].page == "page2.html");
  for (const Download& d : done) {
    CHECK(d.started == 0.0);
    CHECK(d.finished == 1.0);
  }
}

corio::Coro<std::string> slow_word(double delay, std::string word) {
  co_await corio::sleep(delay);
  co_return word;
}

corio::Coro<std::string> await_it(corio::Task<std::string> task, std::string who) {
  std::string word = co_await task;
  co_return who + " got " + word + " at " + std::to_string(corio::get_running_loop().time());
}

corio::Coro<std::vector<std::string>> many_awaiters() {
  corio::Task<std::string> shared = corio::create_task(slow_word(2, "hi"));
  corio::Task<std::string> a = corio::create_task(await_it(shared, "a"));
  corio::Task<std::string> b = corio::create_task(await_it(shared, "b"));
  std::vector<std::string> seen;
  seen.push_back("main got " + co_await shared);
  seen.push_back(co_await a);
  seen.push_back(co_await b);
  co_await corio::sleep(1);
  seen.push_back("after: " + co_await shared + ", " + co_await shared);
  seen.push_back(co_await corio::create_task(await_it(shared, "late")));
  co_return seen;
}

TEST_CASE("a task can be awaited many times, by many coroutines, before and after it finished", "[ch05]") {
  CHECK(corio::run(many_awaiters(), corio_test::virtual_time()) ==
        std::vector<std::string>{"main got hi", "a got hi at 2.000000", "b got hi at 2.000000", "after: hi, hi",
                                 "late got hi at 3.000000"});
}

corio::Coro<int> fail_after(double delay, std::string why) {
  co_await corio::sleep(delay);
  throw std::runtime_error(why);
}

corio::Coro<std::vector<std::string>> awaiters_of_a_failure() {
  corio::Task<int> failing = corio::create_task(fail_after(1, "boom"));
  std::vector<std::string> seen;
  for (int i = 0; i < 2; ++i) {
    try {
      co_await failing;
      seen.push_back("no error");
    } catch (const std::runtime_error& e) {
      seen.push_back(std::string(e.what()) + " at " + std::to_string(corio::get_running_loop().time()));
    }
  }
  co_return seen;
}

TEST_CASE("every await of a failed task throws its error", "[ch05]") {
  CHECK(corio::run(awaiters_of_a_failure(), corio_test::virtual_time()) ==
        std::vector<std::string>{"boom at 1.000000", "boom at 1.000000"});
}

corio::Coro<> inspect_states() {
  corio::Task<std::string> ok = corio::create_task(slow_word(1, "fine"));
  corio::Task<int> bad = corio::create_task(fail_after(1, "broken"));
  CHECK_FALSE(ok.done());
  CHECK_THROWS_AS(ok.result(), corio::InvalidStateError);
  CHECK_THROWS_AS(ok.exception(), corio::InvalidStateError);
  co_await corio::sleep(2);
  CHECK(ok.done());
  CHECK(ok.result() == "fine");
  CHECK(ok.exception() == nullptr);
  CHECK(bad.done());
  CHECK_THROWS_WITH(bad.result(), "broken");
  std::exception_ptr error = bad.exception();
  REQUIRE(error != nullptr);
  CHECK_THROWS_WITH(std::rethrow_exception(error), "broken");
}

TEST_CASE("done, result and exception tell a task's state; result and exception refuse while pending", "[ch05]") {
  Diagnostics diagnostics;
  corio::run(inspect_states(), corio_test::virtual_time());
  CHECK(diagnostics.messages.empty());
}

corio::Coro<> quick() { co_return; }

corio::Coro<std::vector<std::string>> names() {
  corio::Task<> first = corio::create_task(quick());
  corio::Task<> second = corio::create_task(quick());
  corio::Task<> named = corio::create_task(quick(), "fetch users");
  co_await first;
  co_await second;
  co_await named;
  co_return std::vector<std::string>{first.get_name(), second.get_name(), named.get_name()};
}

TEST_CASE("a task is named Task-N unless given a name", "[ch05]") {
  std::vector<std::string> got = corio::run(names(), corio_test::virtual_time());
  REQUIRE(got.size() == 3);
  // N counts every task this thread made, so only its form and its steps are fixed.
  for (const std::string& name : {got[0], got[1]}) {
    REQUIRE(name.rfind("Task-", 0) == 0);
    REQUIRE(name.size() > 5);
    CHECK(name.find_first_not_of("0123456789", 5) == std::string::npos);
  }
  CHECK(std::stoul(got[1].substr(5)) == std::stoul(got[0].substr(5)) + 1);
  CHECK(got[2] == "fetch users");
}

corio::Coro<std::vector<std::string>> done_callbacks() {
  std::vector<std::string> trace;
  corio::Loop& loop = corio::get_running_loop();
  corio::Task<std::string> task = corio::create_task(slow_word(1, "done"), "worker");
  task.add_done_callback([&](corio::Task<std::string>& t) {
    trace.push_back("first: " + t.result() + " from " + t.get_name() + " at " + std::to_string(loop.time()));
  });
  task.add_done_callback([&](corio::Task<std::string>& t) { trace.push_back("second: " + t.result()); });
  co_await corio::sleep(2);
  trace.push_back("after");
  task.add_done_callback([&](corio::Task<std::string>&) { trace.push_back("added when done"); });
  CHECK(trace.back() == "after");  // even on a finished task, the callback runs from the loop, not inline
  co_await corio::sleep(0);
  co_return trace;
}

corio::Coro<std::vector<std::string>> remove_a_callback() {
  std::vector<std::string> trace;
  corio::Task<std::string> task = corio::create_task(slow_word(1, "done"));
  corio::DoneCallbackHandle first =
      task.add_done_callback([&](corio::Task<std::string>& t) { trace.push_back("first: " + t.result()); });
  task.add_done_callback([&](corio::Task<std::string>& t) { trace.push_back("second: " + t.result()); });
  CHECK(task.remove_done_callback(first) == 1);
  CHECK(task.remove_done_callback(first) == 0);
  co_await corio::sleep(2);
  co_return trace;
}

corio::Coro<> fail_unseen(std::string why) {
  co_await corio::sleep(1);
  throw std::invalid_argument(why);
}

corio::Coro<> leave_a_failure(std::vector<std::string>& seen) {
  corio::get_running_loop().set_exception_handler([&](corio::Loop&, const corio::ExceptionContext& context) {
    CHECK(context.future != nullptr);
    try {
      std::rethrow_exception(context.exception);
    } catch (const std::invalid_argument& e) {
      seen.push_back(context.message + " | " + context.task_name + " | " + context.coroutine + " | " + e.what());
    }
  });
  corio::Task<> task = corio::create_task(fail_unseen("nobody looked"), "unseen");
  co_await corio::sleep(2);
}

TEST_CASE("a task's exception never retrieved goes to the exception handler, with the task's name", "[ch05]") {
  Diagnostics diagnostics;
  std::vector<std::string> seen;
  corio::run(leave_a_failure(seen), corio_test::virtual_time());
  CHECK(seen == std::vector<std::string>{"Task exception was never retrieved | unseen | fail_unseen | nobody looked"});
  CHECK(diagnostics.messages.empty());
}

TEST_CASE("Task::remove_done_callback takes a callback off before the task finishes, as asyncio's", "[ch05]") {
  CHECK(corio::run(remove_a_callback(), corio_test::virtual_time()) == std::vector<std::string>{"second: done"});
}

TEST_CASE("a task's done-callbacks run from the loop once it finished, in the order added", "[ch05]") {
  CHECK(corio::run(done_callbacks(), corio_test::virtual_time()) ==
        std::vector<std::string>{"first: done from worker at 1.000000", "second: done", "after", "added when done"});
}

corio::Coro<int> fail_now(std::string why) {
  throw std::runtime_error(why);
  co_return 0;
}

corio::Coro<> drop_failing_task() {
  corio::create_task(fail_now("lost error"), "doomed");
  co_await corio::sleep(1);
}

corio::Coro<> await_failing_task() {
  corio::Task<int> task = corio::create_task(fail_now("seen error"), "awaited");
  try {
    co_await task;
  } catch (const std::runtime_error&) {
  }
}

corio::Coro<> inspect_failing_task() {
  corio::Task<int> task = corio::create_task(fail_now("inspected error"), "inspected");
  co_await corio::sleep(1);
  CHECK(task.exception() != nullptr);
}

corio::Coro<> hold_failed_task(corio::Task<int>& keep) {
  keep = corio::create_task(fail_now("late error"), "kept");
  co_await corio::sleep(1);
}

TEST_CASE("a failed task whose exception nobody retrieved is reported when it is destroyed", "[ch05]") {
  Diagnostics diagnostics;
  SECTION("dropped at once: reported when it fails") {
    corio::run(drop_failing_task(), corio_test::virtual_time());
    CHECK(diagnostics.messages == std::vector<std::string>{"Task exception was never retrieved: task 'doomed' "
                                                           "(coroutine 'fail_now'): lost error"});
  }
  SECTION("kept: reported only when the last handle goes") {
    corio::Task<int> keep;
    corio::run(hold_failed_task(keep), corio_test::virtual_time());
    CHECK(keep.done());
    CHECK(diagnostics.messages.empty());
    keep = corio::Task<int>();
    CHECK(diagnostics.messages == std::vector<std::string>{"Task exception was never retrieved: task 'kept' "
                                                           "(coroutine 'fail_now'): late error"});
  }
  SECTION("not when it was awaited") {
    corio::run(await_failing_task(), corio_test::virtual_time());
    CHECK(diagnostics.messages.empty());
  }
  SECTION("not when its exception() was asked for") {
    corio::run(inspect_failing_task(), corio_test::virtual_time());
    CHECK(diagnostics.messages.empty());
  }
}

corio::Coro<> note_thread(std::vector<std::thread::id>& ids) {
  ids.push_back(std::this_thread::get_id());
  co_await corio::sleep(0.5);
  ids.push_back(std::this_thread::get_id());
}

corio::Coro<> hundred_tasks(std::vector<std::thread::id>& ids) {
  std::vector<corio::Task<>> tasks;
  for (int i = 0; i < 100; ++i) tasks.push_back(corio::create_task(note_thread(ids)));
  for (corio::Task<>& t : tasks) co_await t;
}

TEST_CASE("every task runs on the loop's thread", "[ch05][C04]") {
  std::vector<std::thread::id> ids;
  corio::run(hundred_tasks(ids), corio_test::virtual_time());
  REQUIRE(ids.size() == 200);
  for (std::thread::id id : ids) REQUIRE(id == std::this_thread::get_id());
}

corio::Coro<> sleep_long([[maybe_unused]] Life life, Lives& lives) {
  Life local(lives);
  co_await corio::sleep(100);
}

corio::Coro<> leave_pending(Lives& lives, corio::Task<>* keep) {
  corio::Task<> task = corio::create_task(sleep_long(Life(lives), lives), "sleeper");
  if (keep != nullptr) *keep = task;
  co_await corio::sleep(1);
  CHECK(lives.alive() == 2);  // the sleeper's local, and its frame's copy of the parameter
}

TEST_CASE("a task still pending when the loop closes is reported and its frame destroyed once", "[ch05]") {
  Lives lives;
  Diagnostics diagnostics;
  SECTION("nobody holds it") {
    corio_test::run_and_close(leave_pending(lives, nullptr));
    CHECK(lives.alive() == 0);
  }
  SECTION("a handle outlives the loop: the frame goes with the handle") {
    corio::Task<> kept;
    corio_test::run_and_close(leave_pending(lives, &kept));
    CHECK(lives.alive() == 2);
    CHECK(kept.cancelled());  // @since 09: the closing loop ended it
    kept = corio::Task<>();
    CHECK(lives.alive() == 0);
  }
  CHECK(lives.twice == 0);
  CHECK(diagnostics.messages ==
        std::vector<std::string>{"Task was destroyed but it is pending: task 'sleeper' (coroutine 'sleep_long')"});
}

corio::Coro<int> short_life([[maybe_unused]] Life life, Lives& lives) {
  Life local(lives);
  co_await corio::sleep(1);
  co_return 3;
}

corio::Coro<> frame_after_finish(Lives& lives) {
  corio::Task<int> task = corio::create_task(short_life(Life(lives), lives));
  co_await corio::sleep(2);
  CHECK(task.done());
  // Finished: its locals are gone, but the handle keeps the frame (with the
  // result and the parameter's copy) alive.
  CHECK(lives.alive() == 1);
  CHECK(task.result() == 3);
  corio::Task<int> copy = task;
  task = corio::Task<int>();
  CHECK(lives.alive() == 1);  // one handle is left
  CHECK(copy.result() == 3);
  copy = corio::Task<int>();
  CHECK(lives.alive() == 0);

  corio::create_task(short_life(Life(lives), lives));  // no handle at all: the loop's reference is the last
  co_await corio::sleep(0.5);
  CHECK(lives.alive() == 2);
  co_await corio::sleep(1);
  CHECK(lives.alive() == 0);
}

TEST_CASE("a finished task's frame is destroyed once, when the last handle goes, and not before", "[ch05]") {
  Lives lives;
  Diagnostics diagnostics;
  corio::run(frame_after_finish(lives), corio_test::virtual_time());
  CHECK(lives.made > 0);
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
  CHECK(diagnostics.messages.empty());
}

TEST_CASE("create_task outside a running loop throws RuntimeError", "[ch05]") {
  Diagnostics diagnostics;
  CHECK_THROWS_MATCHES(corio::create_task(quick()), corio::RuntimeError,
                       Catch::Matchers::Message("no running event loop"));
  // The coroutine it was given dies unstarted, and says so, as in asyncio.
  CHECK(diagnostics.any_contains("coroutine 'quick' was never awaited"));
}

corio::Coro<std::string> task_of_awaited_coro() {
  corio::Coro<> coro = quick();
  co_await coro;
  try {
    corio::create_task(std::move(coro));
  } catch (const corio::RuntimeError& e) {
    co_return e.what();
  }
  co_return "made a task";
}

TEST_CASE("create_task refuses a Coro that was already awaited", "[ch05]") {
  Diagnostics diagnostics;
  CHECK_THAT(corio::run(task_of_awaited_coro(), corio_test::virtual_time()),
             Catch::Matchers::Contains("create_task: cannot reuse already awaited coroutine 'quick'"));
  CHECK(diagnostics.messages.empty());
}

corio::Coro<int> count_one(int& started, int& finished, [[maybe_unused]] Life life) {
  ++started;
  co_await corio::sleep(1);
  ++finished;
  co_return 1;
}

corio::Coro<int> ten_thousand(int& started, int& finished, Lives& lives) {
  std::vector<corio::Task<int>> tasks;
  tasks.reserve(10'000);
  for (int i = 0; i < 10'000; ++i) tasks.push_back(corio::create_task(count_one(started, finished, Life(lives))));
  CHECK(started == 0);
  int sum = 0;
  for (corio::Task<int>& t : tasks) sum += co_await t;
  CHECK(corio::get_running_loop().time() == 1.0);
  co_return sum;
}

TEST_CASE("ten thousand tasks all run, once each, sleeping at the same time", "[ch05]") {
  int started = 0;
  int finished = 0;
  Lives lives;
  CHECK(corio::run(ten_thousand(started, finished, lives), corio_test::virtual_time()) == 10'000);
  CHECK(started == 10'000);
  CHECK(finished == 10'000);
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
}

corio::Coro<std::string> page() {
  co_await corio::sleep(1);
  co_return "<html>a page long enough to live on the heap</html>";
}

// A memoising getter: every caller gets the one task, by value.
struct Memo {
  std::optional<corio::Task<std::string>> task;
  corio::Task<std::string> get() {
    if (!task) task = corio::create_task(page());
    return *task;
  }
};

corio::Coro<std::vector<std::string>> callers_of_a_memo() {
  Memo memo;
  std::vector<std::string> got;
  for (int i = 0; i < 3; ++i) got.push_back(co_await memo.get());
  got.push_back(memo.task->result());
  co_return got;
}

TEST_CASE("every caller of a memoised task returned by value gets its result: an rvalue await copies when shared",
          "[ch05]") {
  const std::string page = "<html>a page long enough to live on the heap</html>";
  CHECK(corio::run(callers_of_a_memo(), corio_test::virtual_time()) == std::vector<std::string>(4, page));
}

// Counts the copies made of it.
struct Counted {
  explicit Counted(int& copies) : copies_(&copies) {}
  Counted(const Counted& other) : copies_(other.copies_) { ++*copies_; }
  Counted(Counted&&) = default;
  Counted& operator=(const Counted&) = delete;
  int* copies_;
};

corio::Coro<Counted> counted(int& copies) {
  co_await corio::sleep(1);
  co_return Counted(copies);
}

corio::Coro<std::unique_ptr<int>> boxed_later(int value) {
  co_await corio::sleep(1);
  co_return std::make_unique<int>(value);
}

corio::Coro<int> await_last_handles(int& copies) {
  Counted moved = co_await corio::create_task(counted(copies));  // the only handle: moved, not copied
  (void)moved;
  std::unique_ptr<int> box = co_await corio::create_task(boxed_later(41));
  co_return *box + 1;
}

corio::Coro<std::string> await_shared_move_only() {
  corio::Task<std::unique_ptr<int>> task = corio::create_task(boxed_later(1));
  corio::Task<std::unique_ptr<int>> other = task;
  try {
    co_await std::move(task);
  } catch (const corio::InvalidStateError& e) {
    co_return std::string(e.what()) + (other.result() ? " (still there)" : " (lost)");
  }
  co_return "no error";
}

TEST_CASE("awaiting the last handle of a task moves its result out; a move-only one still shared is refused",
          "[ch05]") {
  int copies = 0;
  CHECK(corio::run(await_last_handles(copies), corio_test::virtual_time()) == 42);
  CHECK(copies == 0);
  std::string refused = corio::run(await_shared_move_only(), corio_test::virtual_time());
  CHECK_THAT(refused, Catch::Matchers::StartsWith("co_await: the result cannot be moved out while other handles "
                                                  "share this Task or Future"));
  CHECK_THAT(refused, Catch::Matchers::EndsWith("(still there)"));
}

corio::Coro<int> twice(int x) { co_return 2 * x; }

corio::Coro<std::vector<std::string>> names_across_the_wrap() {
  // What a thread reaches after 2^32 - 2 tasks (2.5 days at 20,000 a second).
  corio::detail::set_tasks_made((std::uint64_t{1} << 32) - 2);
  std::vector<corio::Task<int>> tasks;
  for (int i = 0; i < 3; ++i) tasks.push_back(corio::create_task(twice(i)));
  std::vector<std::string> got;
  for (corio::Task<int>& task : tasks) got.push_back(task.get_name() + "=" + std::to_string(co_await task));
  co_return got;
}

TEST_CASE("the 2^32-nd task of a thread is a task like any other: no counter wraps to mean \"not a task\"", "[ch05]") {
  CHECK(corio::run(names_across_the_wrap(), corio_test::virtual_time()) ==
        std::vector<std::string>{"Task-4294967295=0", "Task-4294967296=2", "Task-4294967297=4"});
  corio::detail::set_tasks_made(0);
}

corio::Coro<std::vector<std::string>> uses_of_empty_tasks() {
  std::vector<std::string> errors;
  auto note = [&errors](auto use) {
    try {
      use();
      errors.push_back("no error");
    } catch (const corio::RuntimeError& e) {
      errors.push_back(e.what());
    }
  };
  corio::Task<int> empty;
  corio::Task<int> made = corio::create_task(twice(1));
  corio::Task<int> taken = std::move(made);
  note([&] { (void)empty.done(); });
  note([&] { (void)empty.result(); });
  note([&] { (void)empty.get_name(); });
  note([&] { empty.add_done_callback([](corio::Task<int>&) {}); });
  note([&] { (void)made.exception(); });
  try {
    co_await made;
  } catch (const corio::RuntimeError& e) {
    errors.push_back(e.what());
  }
  try {
    co_await std::move(empty);
  } catch (const corio::RuntimeError& e) {
    errors.push_back(e.what());
  }
  errors.push_back(std::to_string(co_await taken));
  co_return errors;
}

TEST_CASE("an empty Task (default-constructed or moved from) throws RuntimeError naming the call, whatever the use",
          "[ch05]") {
  const std::string empty =
      ": this Task is empty (default-constructed or moved from): no task or future is behind it; assign one to it "
      "first";
  CHECK(corio::run(uses_of_empty_tasks(), corio_test::virtual_time()) ==
        std::vector<std::string>{"Task::done" + empty, "Task::result" + empty, "Task::get_name" + empty,
                                 "Task::add_done_callback" + empty, "Task::exception" + empty, "co_await" + empty,
                                 "co_await" + empty, "2"});
}

corio::Coro<> wait_forever(Lives& lives) {
  Life life(lives);
  co_await corio::Future<>();
}

corio::Coro<> leave_a_task_holding_itself(Lives& lives) {
  corio::Task<> task = corio::create_task(wait_forever(lives));
  task.add_done_callback([task](corio::Task<>&) {});
  co_await corio::sleep(1);
}

TEST_CASE("a pending task whose done-callback holds it is still destroyed when the loop closes", "[ch05]") {
  Lives lives;
  Diagnostics diagnostics;
  corio::run(leave_a_task_holding_itself(lives), corio_test::virtual_time());
  CHECK(lives.made == 1);
  CHECK(lives.alive() == 0);
  CHECK(lives.twice == 0);
}

}  // namespace

namespace {
struct alignas(16) Wide {
  double a;
  double b;
};

template <class T>
bool frame_found_from_promise(corio::Coro<T> coro) {
  auto h = coro.release("frame_of");
  bool found = corio::detail::frame_of(&h.promise()).address() == h.address();
  h.destroy();
  return found;
}

corio::Coro<void> gives_nothing() { co_return; }
corio::Coro<int> gives_int() { co_return 1; }
corio::Coro<std::string> gives_string() { co_return "text"; }
corio::Coro<Wide> gives_wide() { co_return Wide{1, 2}; }
}  // namespace

TEST_CASE("a task's last reference finds its frame from the promise, two words before it, whatever the result",
          "[ch05]") {
  CHECK(frame_found_from_promise(gives_nothing()));
  CHECK(frame_found_from_promise(gives_int()));
  CHECK(frame_found_from_promise(gives_string()));
  CHECK(frame_found_from_promise(gives_wide()));
  // A result that fits a word shares the error's: an int costs a promise nothing.
  CHECK(sizeof(corio::detail::Promise<int>) == sizeof(corio::detail::Promise<void>));
  CHECK(sizeof(corio::detail::Promise<std::string>) == sizeof(corio::detail::Promise<void>) + sizeof(std::string));
}

namespace {
// A local of N bytes that lives across a suspension, so in the frame: frames
// of several sizes.
template <int N>
corio::Coro<int> padded() {
  char bytes[N];
  std::memset(bytes, N, N);
  co_await corio::sleep(0);
  co_return bytes[N - 1];
}

template <class T>
std::uintptr_t frame_address(corio::Coro<T> coro, std::vector<std::coroutine_handle<>>& frames) {
  auto h = coro.release("frame_address");
  frames.push_back(h);
  return reinterpret_cast<std::uintptr_t>(h.address());
}
}  // namespace

// The pool's size classes go by 8 bytes (frame_pool.cpp): a frame whose size
// is an odd number of 8-byte grains may start on 8, one that may hold a value
// aligned to 16 (its size is then a multiple of 16) must start on 16.
TEST_CASE("frames come in 8-byte size classes, and one that may hold a 16-aligned value starts on 16", "[ch05]") {
  std::vector<std::coroutine_handle<>> frames;
  int on_8 = 0;
  int wide_off_16 = 0;
  for (int i = 0; i < 100; ++i) {
    // Three of a size in a row: when it is an odd number of grains, the
    // second is cut 8 bytes past a multiple of 16, and the wide frame after
    // the third must skip 8.
    for (int thrice = 0; thrice < 3; ++thrice) on_8 += frame_address(padded<1>(), frames) % 16 == 8;
    wide_off_16 += frame_address(gives_wide(), frames) % 16 != 0;
    for (int thrice = 0; thrice < 3; ++thrice) on_8 += frame_address(padded<9>(), frames) % 16 == 8;
    wide_off_16 += frame_address(gives_wide(), frames) % 16 != 0;
  }
  for (auto h : frames) h.destroy();
  CHECK(wide_off_16 == 0);
#ifndef CORIO_NO_FRAME_POOL
  CHECK(on_8 > 0);  // operator new, without the pool, gives 16 to all
#endif
}

namespace {
// The flags the kernel shows for the mapping that holds address a
// (/proc/self/smaps, "VmFlags:"): "hg" after MADV_HUGEPAGE, "nh" after
// MADV_NOHUGEPAGE.
std::string vm_flags_at(std::uintptr_t a) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t from = 0;
    std::uintptr_t to = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> from >> dash >> to && dash == '-') inside = from <= a && a < to;
    if (inside && line.rfind("VmFlags:", 0) == 0) return line;
  }
  return "";
}

bool has_flag(const std::string& vm_flags, const char* flag) {
  return vm_flags.find(std::string(" ") + flag) != std::string::npos;
}

constexpr bool kChunksFromOperatorNew = CORIO_TEST_ASAN;
// A sleep is an awaiter, not a coroutine; create_task moves it, unawaited,
// into the coroutine that awaits it (asyncio: create_task(asyncio.sleep(1))).
corio::Coro<double> sleep_as_a_task() {
  corio::Task<void> nap = corio::create_task(corio::sleep(1.5));
  co_await corio::sleep(0);
  CHECK_FALSE(nap.done());
  co_await nap;
  co_return corio::get_running_loop().time();
}

TEST_CASE("a sleep becomes a task of its own, which ends when its delay has passed", "[ch05]") {
  CHECK(corio::run(sleep_as_a_task(), corio_test::virtual_time()) == 1.5);
}

}  // namespace

// Decision 183: a pool's chunks are 2 MiB; its first stays in small pages,
// its later ones are asked for a huge page each. 16,000 frames of 752 bytes
// (12 MB) span at least five chunks, whatever the pool held before.
TEST_CASE("a pool's first chunk stays in small pages and its later chunks are asked for huge pages", "[ch05]") {
  std::vector<std::coroutine_handle<>> frames;
  std::vector<std::uintptr_t> chunks;
  for (int i = 0; i < 16'000; ++i) {
    std::uintptr_t chunk = frame_address(padded<600>(), frames) & ~std::uintptr_t{2 * 1024 * 1024 - 1};
    if (std::find(chunks.begin(), chunks.end(), chunk) == chunks.end()) chunks.push_back(chunk);
  }
  int huge = 0;
  int small = 0;
  std::ostringstream seen;
  for (std::uintptr_t chunk : chunks) {
    std::string flags = vm_flags_at(chunk + 4096);
    seen << std::hex << chunk << " " << flags << "\n";
    huge += has_flag(flags, "hg");
    small += has_flag(flags, "nh");
  }
  for (auto h : frames) h.destroy();
  INFO(seen.str());
#ifdef CORIO_NO_FRAME_POOL
  const bool pooled = false;
#else
  const bool pooled = !kChunksFromOperatorNew;
#endif
  // The advice is refused by a kernel built without transparent huge pages.
  const bool kernel_has_them = std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled").good();
  if (pooled && kernel_has_them) {
    CHECK(chunks.size() >= 5);
    CHECK(small <= 1);  // the pool's first chunk, if these frames reached it
    CHECK(huge + small == static_cast<int>(chunks.size()));
  } else {
    CHECK(huge == 0);  // malloc's memory, or ASan's: no advice
  }
}
