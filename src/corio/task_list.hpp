// @chapter 05
// The loop's list of live tasks (asyncio's all_tasks()). A task joins when
// created and leaves when it finishes; a task still on the list when the loop
// closes is reported and destroyed, so no frame outlives its loop unseen.
#pragma once

#include <cstddef>

namespace corio::detail {

class PromiseBase;

class TaskList {
 public:
  void add(PromiseBase* task);
  void remove(PromiseBase* task);
  std::size_t size() const { return size_; }
  // At loop close: reports each pending task and drops the loop's
  // reference to it, which destroys its frame unless a Task handle is held.
  void destroy_pending();

 private:
  PromiseBase* head_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace corio::detail
