// @chapter 09
// Cancelling a task that waits in a Queue's get(), put() or join(): it
// leaves the line, and an item or slot promised to it goes to the next one.
#include <catch2/catch.hpp>

#include <cstdint>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <corio/corio.hpp>

#include "support/cancel_helpers.hpp"
#include "support/corio_test.hpp"

using corio_test::Diagnostics;
using corio_test::Life;
using corio_test::Lives;
using corio_test::tick;
using corio_test::ended_cancelled;

namespace {

corio::Coro<> get_one(corio::Queue<int>& q, int id, std::vector<std::pair<int, int>>& got) {
  int item = co_await q.get();
  got.emplace_back(id, item);
}

using Received = std::vector<std::pair<int, int>>;  // (getter, item)

corio::Coro<> cancel_a_getter_in_line(corio::Queue<int>& q, Received& got) {
  std::vector<corio::Task<>> getters;
  for (int id = 1; id <= 2; ++id) getters.push_back(corio::create_task(get_one(q, id, got)));
  co_await tick();
  CHECK(getters[0].cancel());
  co_await tick();
  CHECK(getters[0].cancelled());
  q.put_nowait(7);  // to getter 2: getter 1 left the line
  for (corio::Task<>& getter : getters) co_await ended_cancelled(getter);
}

TEST_CASE("a getter cancelled in line leaves it: the next item goes to the getter behind it", "[ch09]") {
  corio::Queue<int> q;
  Received got;
  corio::run(cancel_a_getter_in_line(q, got), corio_test::virtual_time());
  CHECK(got == Received{{2, 7}});
  CHECK(q.qsize() == 0);
}

corio::Coro<> cancel_a_promised_getter(corio::Queue<int>& q, Received& got) {
  std::vector<corio::Task<>> getters;
  for (int id = 1; id <= 2; ++id) getters.push_back(corio::create_task(get_one(q, id, got)));
  co_await tick();
  q.put_nowait(7);  // promised to getter 1, which has not run yet
  CHECK(q.empty());
  CHECK(getters[0].cancel());
  co_await tick();  // getter 1 passes the promise on, then throws
  CHECK(getters[0].cancelled());
  CHECK(q.qsize() == 1);
  for (corio::Task<>& getter : getters) co_await ended_cancelled(getter);
  CHECK(q.qsize() == 0);
  q.put_nowait(8);  // nothing doubled: the next item is simply there
  CHECK(q.get_nowait() == 8);
}

TEST_CASE("a getter cancelled after an item was promised to it passes the item to the next getter", "[ch09]") {
  corio::Queue<int> q;
  Received got;
  corio::run(cancel_a_promised_getter(q, got), corio_test::virtual_time());
  CHECK(got == Received{{2, 7}});
  CHECK(q.qsize() == 0);
}

corio::Coro<> cancel_the_only_promised_getter(corio::Queue<int>& q, Received& got) {
  corio::Task<> getter = corio::create_task(get_one(q, 1, got));
  co_await tick();
  q.put_nowait(7);
  CHECK(getter.cancel());
  co_await tick();
  CHECK(getter.cancelled());
  CHECK(q.qsize() == 1);
  CHECK_FALSE(q.empty());  // free again: nobody is promised it
  CHECK(q.get_nowait() == 7);
}

TEST_CASE("an item promised to a getter cancelled before it ran stays in the queue when nobody else waits", "[ch09]") {
  corio::Queue<int> q;
  Received got;
  corio::run(cancel_the_only_promised_getter(q, got), corio_test::virtual_time());
  CHECK(got.empty());
  CHECK(q.qsize() == 0);
}

corio::Coro<> put_one(corio::Queue<int>& q, int item, std::vector<int>& put) {
  co_await q.put(item);
  put.push_back(item);
}

corio::Coro<> cancel_a_putter_in_line(corio::Queue<int>& q, std::vector<int>& put) {
  q.put_nowait(1);  // full
  std::vector<corio::Task<>> putters;
  putters.push_back(corio::create_task(put_one(q, 2, put)));
  putters.push_back(corio::create_task(put_one(q, 3, put)));
  co_await tick();
  CHECK(putters[0].cancel());
  co_await tick();
  CHECK(putters[0].cancelled());
  CHECK(q.qsize() == 1);
  CHECK(q.get_nowait() == 1);  // the slot goes to putter 3
  for (corio::Task<>& putter : putters) co_await ended_cancelled(putter);
  CHECK(q.get_nowait() == 3);
  CHECK(q.qsize() == 0);
}

TEST_CASE("a putter cancelled while it waits for a slot never puts its item in the queue", "[ch09]") {
  corio::Queue<int> q(1);
  std::vector<int> put;
  corio::run(cancel_a_putter_in_line(q, put), corio_test::virtual_time());
  CHECK(put == std::vector<int>{3});
  CHECK(q.qsize() == 0);
}

corio::Coro<> cancel_a_promised_putter(corio::Queue<int>& q, std::vector<int>& put) {
  q.put_nowait(1);
  corio::Task<> putter = corio::create_task(put_one(q, 2, put));
  co_await tick();
  CHECK(q.get_nowait() == 1);  // the slot is promised to the putter
  CHECK(q.full());
  CHECK(putter.cancel());
  co_await tick();
  CHECK(putter.cancelled());
  CHECK(q.qsize() == 0);  // its item never went in
  CHECK_FALSE(q.full());  // and the slot is free again
  q.put_nowait(9);
  CHECK(q.get_nowait() == 9);
}

TEST_CASE("a putter cancelled after a slot was promised to it leaves the slot free and its item out", "[ch09]") {
  corio::Queue<int> q(1);
  std::vector<int> put;
  corio::run(cancel_a_promised_putter(q, put), corio_test::virtual_time());
  CHECK(put.empty());
  CHECK(q.qsize() == 0);
}

corio::Coro<> join_and_record(corio::Queue<int>& q, int id, std::vector<int>& order) {
  co_await q.join();
  order.push_back(id);
}

corio::Coro<> cancel_a_joiner(corio::Queue<int>& q, std::vector<int>& order) {
  q.put_nowait(1);
  std::vector<corio::Task<>> joiners;
  for (int id = 1; id <= 2; ++id) joiners.push_back(corio::create_task(join_and_record(q, id, order)));
  co_await tick();
  CHECK(joiners[0].cancel());
  co_await tick();
  CHECK(joiners[0].cancelled());
  CHECK(q.get_nowait() == 1);
  q.task_done();  // wakes the joiner still waiting
  for (corio::Task<>& joiner : joiners) co_await ended_cancelled(joiner);
}

TEST_CASE("a task cancelled in join() leaves the joiners: the last task_done() wakes only the others", "[ch09]") {
  corio::Queue<int> q;
  std::vector<int> order;
  corio::run(cancel_a_joiner(q, order), corio_test::virtual_time());
  CHECK(order == std::vector<int>{2});
}

}  // namespace
