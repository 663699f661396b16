// @chapter 06
// Empty handles: a Task or Future default-constructed or moved from holds no
// state. Every use of one, directly or through gather, wait and
// as_completed (and shield and AnyTask from chapter 09 on, wait_for from 10),
// throws RuntimeError naming the call, instead of dereferencing null.
#include <catch2/catch.hpp>

#include <exception>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <corio/corio.hpp>

#include "support/corio_test.hpp"

namespace {

using Errors = std::vector<std::string>;

const std::string kEmptyTask =
    ": this Task is empty (default-constructed or moved from): no task or future is behind it; assign one to it first";
const std::string kEmptyFuture =
    ": this Future is empty (default-constructed or moved from): no task or future is behind it; assign one to it "
    "first";
const std::string kManyCalls = "gather, wait, as_completed, wait_for or shield";

// Runs a use that must throw RuntimeError, and keeps its message.
template <class F>
void note(Errors& errors, F use) {
  try {
    use();
    errors.push_back("no error");
  } catch (const corio::RuntimeError& e) {
    errors.push_back(e.what());
  }
}

corio::Coro<int> seven() { co_return 7; }

corio::Coro<Errors> empty_tasks_given_to_waits_on_many() {
  Errors errors;
  corio::Task<int> empty;
  std::vector<corio::Task<int>> with_an_empty{corio::create_task(seven()), corio::Task<int>()};
  note(errors, [&] { (void)corio::gather(empty); });
  note(errors, [&] { (void)corio::gather(with_an_empty); });
  note(errors, [&] { (void)corio::wait(with_an_empty); });
  note(errors, [&] { (void)corio::as_completed(with_an_empty); });
  errors.push_back(std::to_string(co_await with_an_empty[0]));
  co_return errors;
}

TEST_CASE("an empty Task given to gather, wait or as_completed throws RuntimeError instead of crashing", "[ch06]") {
  CHECK(
      corio::run(empty_tasks_given_to_waits_on_many(), corio_test::virtual_time()) ==
      Errors{kManyCalls + kEmptyTask, kManyCalls + kEmptyTask, kManyCalls + kEmptyTask, kManyCalls + kEmptyTask, "7"});
}

corio::Coro<Errors> uses_of_a_moved_from_future() {
  Errors errors;
  corio::Future<int> future;
  corio::Future<int> taken = std::move(future);
  note(errors, [&] { (void)future.done(); });
  note(errors, [&] { future.set_result(1); });
  note(errors, [&] { future.set_exception(std::make_exception_ptr(std::runtime_error("no"))); });
  note(errors, [&] { (void)future.result(); });
  note(errors, [&] { (void)future.exception(); });
  note(errors, [&] { future.add_done_callback([](corio::Future<int>&) {}); });
  note(errors, [&] { (void)corio::gather(future); });
  try {
    co_await future;
  } catch (const corio::RuntimeError& e) {
    errors.push_back(e.what());
  }
  taken.set_result(3);
  errors.push_back(std::to_string(co_await std::move(taken)));
  co_return errors;
}

TEST_CASE("a moved-from Future throws RuntimeError naming the call, whatever the use", "[ch06]") {
  CHECK(corio::run(uses_of_a_moved_from_future(), corio_test::virtual_time()) ==
        Errors{"Future::done" + kEmptyFuture, "Future::set_result" + kEmptyFuture,
               "Future::set_exception" + kEmptyFuture, "Future::result" + kEmptyFuture,
               "Future::exception" + kEmptyFuture, "Future::add_done_callback" + kEmptyFuture,
               kManyCalls + kEmptyFuture, "co_await" + kEmptyFuture, "3"});
}

// @since 09
corio::Coro<Errors> empty_tasks_cancelled_and_shielded() {
  Errors errors;
  corio::Task<int> empty;
  corio::AnyTask any;
  note(errors, [&] { (void)empty.cancel(); });
  note(errors, [&] { (void)empty.cancelled(); });
  note(errors, [&] { corio::AnyTask from_empty(empty); });
  note(errors, [&] { (void)any.cancel(); });
  note(errors, [&] { (void)any.get_name(); });
  try {
    co_await corio::shield(empty);
  } catch (const corio::RuntimeError& e) {
    errors.push_back(e.what());
  }
  co_return errors;
}

TEST_CASE("an empty Task or AnyTask cancelled or shielded throws RuntimeError naming the call", "[ch09]") {
  const std::string empty_any =
      ": this AnyTask is empty (default-constructed or moved from): no task or future is behind it; assign one to it "
      "first";
  CHECK(corio::run(empty_tasks_cancelled_and_shielded(), corio_test::virtual_time()) ==
        Errors{"Task::cancel" + kEmptyTask, "Task::cancelled" + kEmptyTask, "AnyTask" + kEmptyTask,
               "AnyTask::cancel" + empty_any, "AnyTask::get_name" + empty_any, kManyCalls + kEmptyTask});
}
// @end

// @since 10
corio::Coro<Errors> an_empty_task_timed() {
  Errors errors;
  corio::Task<int> empty;
  try {
    co_await corio::wait_for(empty, 1.0);
  } catch (const corio::RuntimeError& e) {
    errors.push_back(e.what());
  }
  co_return errors;
}

TEST_CASE("wait_for over an empty Task throws RuntimeError naming the co_await", "[ch10]") {
  CHECK(corio::run(an_empty_task_timed(), corio_test::virtual_time()) == Errors{"co_await" + kEmptyTask});
}
// @end

}  // namespace
