// @chapter 09
// The cancellation-injection harness: one scenario goes through every kind
// of awaiter in turn (sleep, Semaphore, Lock, Event, Condition, Queue get and
// put, awaiting a task, gather, wait), with a rival task that makes each wait
// really suspend. It runs again and again; run k cancels the target task at
// its k-th suspension point, until a run where the target is never cancelled
// and finishes. After every run the invariants must hold: permits back,
// nothing locked, no waiter left behind (later operations by others go
// through), every queue item put received exactly once or still queued, no
// timer armed, every frame destroyed exactly once, nothing reported.
#include <catch2/catch.hpp>

#include <algorithm>
#include <tuple>
#include <vector>

#include <corio/tasks/detail/awaiter.hpp>
#include <corio/corio.hpp>

#include "support/cancel_helpers.hpp"
#include "support/corio_test.hpp"

using corio_test::Diagnostics;
using corio_test::Life;
using corio_test::Lives;
using corio_test::now;
using corio_test::tick;

namespace {

// Everything the scenario's tasks share.
struct World {
  corio::Semaphore sem{1};
  corio::Lock lock;
  corio::Event event;
  corio::Condition cond;
  bool cond_state = false;
  corio::Queue<int> inbox;                   // the target gets from it
  corio::Queue<int> outbox{1};               // the target puts into it; full until the rival takes its item
  std::vector<int> put;                      // every item whose put went through
  std::vector<int> got;                      // every item a get returned
  std::vector<corio::Task<int>> stragglers;  // tasks the target leaves running when cancelled
  int steps = 0;                             // the target's suspension points passed
  Lives lives;
};

constexpr int kSuspensionPoints = 10;
constexpr int kUncancelledResult = 100 + 1 + 2 + 3;

corio::Coro<int> helper(World& w, double seconds, int value) {
  Life life(w.lives);
  co_await corio::sleep(seconds);
  co_return value;
}

// Each numbered await suspends, at the virtual time given, and is woken one
// second later by the rival (or by a helper's sleep).
corio::Coro<int> target(World& w) {
  Life life(w.lives);
  co_await corio::sleep(1);  // 1: at 0 s
  ++w.steps;
  {
    auto held = co_await w.sem.hold();  // 2: at 1 s; the rival holds the permit until 2 s
  }
  ++w.steps;
  {
    auto held = co_await w.lock.hold();  // 3: at 2 s, until 3 s
  }
  ++w.steps;
  co_await w.event.wait();  // 4: at 3 s, set at 4 s
  ++w.steps;
  {
    auto held = co_await w.cond.hold();
    while (!w.cond_state) co_await w.cond.wait();  // 5: at 4 s, notified at 5 s
  }
  ++w.steps;
  int item = co_await w.inbox.get();  // 6: at 5 s, an item comes at 6 s
  w.got.push_back(item);
  ++w.steps;
  co_await w.outbox.put(20);  // 7: at 6 s, a slot frees at 7 s
  w.put.push_back(20);
  ++w.steps;
  int sum = co_await corio::create_task(helper(w, 1, 100));  // 8: at 7 s
  ++w.steps;
  std::tuple<int, int> pair = co_await corio::gather(helper(w, 1, 1), helper(w, 1, 2));  // 9: at 8 s
  sum += std::get<0>(pair) + std::get<1>(pair);
  ++w.steps;
  corio::Task<int> last = corio::create_task(helper(w, 1, 3));
  w.stragglers.push_back(last);
  std::vector<corio::Task<int>> children(1, last);
  co_await corio::wait(std::move(children));  // 10: at 9 s
  sum += last.result();
  ++w.steps;
  co_return sum;
}

// Holds what the target waits for, and lets go of one thing a second. It
// never waits for the target, so it finishes however early the target ends.
corio::Coro<> rival(World& w) {
  Life life(w.lives);
  co_await w.sem.acquire();  // free: neither suspends
  co_await w.lock.acquire();
  w.outbox.put_nowait(1);
  w.put.push_back(1);
  co_await corio::sleep(2);
  w.sem.release();
  co_await corio::sleep(1);
  w.lock.release();
  co_await corio::sleep(1);
  w.event.set();
  co_await corio::sleep(1);
  {
    auto held = co_await w.cond.hold();
    w.cond_state = true;
    w.cond.notify_all();
  }
  co_await corio::sleep(1);
  w.inbox.put_nowait(10);
  w.put.push_back(10);
  co_await corio::sleep(1);
  w.got.push_back(w.outbox.get_nowait());
}

// ---------------------------------------------------------------- the injector

struct Injector {
  corio::AnyTask target;  // empty until the scenario made it
  int at = 0;             // cancel at this suspension point of the target (1-based)
  int parks = 0;          // the target's suspension points so far
  bool injected = false;
};

// Called inside the target's await_suspend: the cancel goes through the
// loop, as any other task's cancel() would come, never from inside the park.
void count_park(corio::detail::PromiseBase* task, void* context) {
  auto& in = *static_cast<Injector*>(context);
  if (task != in.target.state()) return;
  if (++in.parks != in.at) return;
  in.injected = true;
  corio::get_running_loop().call_soon([&in] { in.target.cancel(); });
}

class ObservingParks {
 public:
  explicit ObservingParks(Injector& in) { corio::detail::observe_parks(&count_park, &in); }
  ~ObservingParks() { corio::detail::observe_parks(nullptr, nullptr); }
  ObservingParks(const ObservingParks&) = delete;
  ObservingParks& operator=(const ObservingParks&) = delete;
};

// ---------------------------------------------------------------- probes: do others still get through?

template <class P>
corio::Coro<> hold_once(P& permits, Lives& lives) {
  Life life(lives);
  auto held = co_await permits.hold();
}

corio::Coro<> wait_event_once(corio::Event& event, Lives& lives) {
  Life life(lives);
  co_await event.wait();
}

corio::Coro<> wait_notified_once(corio::Condition& cond, Lives& lives) {
  Life life(lives);
  auto held = co_await cond.hold();
  co_await cond.wait();
}

corio::Coro<int> get_once(corio::Queue<int>& q, Lives& lives) {
  Life life(lives);
  co_return co_await q.get();
}

corio::Coro<> put_once(corio::Queue<int>& q, int item, Lives& lives) {
  Life life(lives);
  co_await q.put(item);
}

// Each probe really waits and must be woken by the operation meant for it:
// a waiter left behind by the cancelled target would take the wakeup first
// (and the probe would never finish), or would be resumed after its frame
// was gone.
template <class P>
corio::Coro<> probe_permits(P& permits, Lives& lives) {
  co_await permits.acquire();
  corio::Task<> probe = corio::create_task(hold_once(permits, lives));
  co_await tick();
  CHECK_FALSE(probe.done());
  permits.release();
  co_await probe;
}

corio::Coro<> probe(World& w) {
  double start = now();
  co_await probe_permits(w.sem, w.lives);
  co_await probe_permits(w.lock, w.lives);

  w.event.clear();
  corio::Task<> event_waiter = corio::create_task(wait_event_once(w.event, w.lives));
  co_await tick();
  w.event.set();
  co_await event_waiter;

  corio::Task<> cond_waiter = corio::create_task(wait_notified_once(w.cond, w.lives));
  co_await tick();
  {
    auto held = co_await w.cond.hold();
    w.cond.notify();
  }
  co_await cond_waiter;

  corio::Task<int> getter = corio::create_task(get_once(w.inbox, w.lives));
  co_await tick();
  w.inbox.put_nowait(99);
  int item = co_await getter;
  CHECK(item == 99);

  w.outbox.put_nowait(98);
  corio::Task<> putter = corio::create_task(put_once(w.outbox, 97, w.lives));
  co_await tick();
  CHECK(w.outbox.get_nowait() == 98);
  co_await putter;
  CHECK(w.outbox.get_nowait() == 97);

  CHECK(now() == start);  // nothing above needed the clock
}

// ---------------------------------------------------------------- one run

struct Outcome {
  bool cancelled = false;
  int value = 0;
  double ended = -1;  // when the target finished
};

corio::Coro<> scenario(World& w, Injector& in, Outcome& out) {
  corio::Loop& loop = corio::get_running_loop();
  corio::Task<> rival_task = corio::create_task(rival(w));
  corio::Task<int> target_task = corio::create_task(target(w));
  in.target = target_task;
  try {
    out.value = co_await target_task;
  } catch (const corio::CancelledError&) {
    out.cancelled = true;
  }
  out.ended = now();
  co_await rival_task;
  for (corio::Task<int>& straggler : w.stragglers) co_await straggler;
  CHECK(corio::detail::LoopAccess::timers_armed(loop) == 0);

  CHECK(w.sem.value() == 1);
  CHECK_FALSE(w.lock.locked());
  CHECK_FALSE(w.cond.locked());
  // Every item put was received exactly once, or is still queued.
  std::vector<int> accounted = w.got;
  while (!w.inbox.empty()) accounted.push_back(w.inbox.get_nowait());
  while (!w.outbox.empty()) accounted.push_back(w.outbox.get_nowait());
  CHECK(w.inbox.qsize() == 0);  // no item is left promised to a getter that is gone
  CHECK(w.outbox.qsize() == 0);
  std::vector<int> put = w.put;
  std::sort(put.begin(), put.end());
  std::sort(accounted.begin(), accounted.end());
  CHECK(accounted == put);

  co_await probe(w);
  CHECK(corio::detail::LoopAccess::timers_armed(loop) == 0);
}

TEST_CASE("a cancellation injected at each suspension point of a scenario leaves every invariant intact", "[ch09]") {
  int runs = 0;
  for (int k = 1; k <= kSuspensionPoints + 1; ++k) {
    INFO("cancel injected at suspension point " << k);
    World w;
    Injector in;
    in.at = k;
    Outcome out;
    Diagnostics diagnostics;
    {
      ObservingParks observing(in);
      corio::run(scenario(w, in, out), corio_test::virtual_time());
    }
    ++runs;
    CHECK(w.lives.alive() == 0);
    CHECK(w.lives.twice == 0);
    CHECK(diagnostics.messages.empty());
    if (!in.injected) {
      // The run past the last suspension point: nothing cancelled it.
      CHECK_FALSE(out.cancelled);
      CHECK(out.value == kUncancelledResult);
      CHECK(out.ended == 10.0);
      CHECK(w.steps == kSuspensionPoints);
      CHECK(in.parks == kSuspensionPoints);
      break;
    }
    CHECK(out.cancelled);
    CHECK(w.steps == k - 1);                         // it stopped at the k-th point, not later
    CHECK(out.ended == static_cast<double>(k - 1));  // and at once, there
  }
  CHECK(runs == kSuspensionPoints + 1);  // the harness cancelled at every point, and then none
}

}  // namespace
