// @chapter 05
// The loop's list of live tasks (asyncio's all_tasks()). A task joins when
// created and leaves when it finishes; a task still on the list when the loop
// closes is reported and destroyed, so no frame outlives its loop unseen.
#pragma once

#include <cstddef>
#include <cstdio>
#include <memory>
#include <string>         // @since 10
#include <unordered_set>  // @since 10
#include <vector>

#include <corio/loop/detail/ready_queue.hpp>  // @since 10
#include <corio/loop/detail/watchers.hpp>

namespace corio {
class Loop;  // @since 10
}

namespace corio::detail {

class PromiseBase;
class Timeline;

// The task layer's part of a loop (LoopPart, loop.hpp), made with it.
class TaskList final : public LoopPart {
 public:
  TaskList();
  ~TaskList() override;
  void add(PromiseBase* task);
  void remove(PromiseBase* task);
  std::size_t size() const { return tasks_.size(); }
  const std::vector<PromiseBase*>& tasks() const { return tasks_; }  // @since 14: all_tasks()
  // At loop close: reports each pending task and drops the loop's
  // reference to it, which destroys its frame unless a Task handle is held.
  void destroy_pending();
  // Then prints the timeline, if one records.
  void close() noexcept override;
  // The timeline (timeline.hpp), while one records: null unless asked for.
  Timeline* timeline() const { return kWatchers ? timeline_.get() : nullptr; }
  void record_timeline(Loop& loop, std::FILE* out);
  // @since 10
  // A round of run()'s shutdown, as asyncio.run's: every task left is
  // cancelled, and waker is queued once the last of them has finished.
  // Tasks made meanwhile (by cleanup code) are not waited for: they are the
  // next round's.
  void cancel_all(ReadyEntry waker);
  // After a task finished: queues that waker when the round is over.
  void wake_if_drained(Loop& loop);
  // The tasks left, for a report: "'Task-3' (coroutine 'f'), ...".
  std::string describe() const;
  // @end

 private:
  void add_growing(PromiseBase* task);  // add()'s rare path: the vector is full
  static void abandon(PromiseBase* task);  // @since 09
  // Each task knows its index: removal swaps the last task into its place.
  std::vector<PromiseBase*> tasks_;
  std::unique_ptr<Timeline> timeline_;
  // @since 10
  std::unordered_set<const PromiseBase*> round_;  // the shutdown round's tasks not yet finished
  void leave_round(PromiseBase* task);            // remove()'s part, while a round lasts
  ReadyEntry drained_;
  // @end
};

inline TaskList& task_list(Loop& loop) { return static_cast<TaskList&>(LoopAccess::tasks(loop)); }

}  // namespace corio::detail
