// @chapter 11
#include <corio/threads/executor.hpp>

#include <algorithm>
#include <string>

#include <corio/errors.hpp>

namespace corio {

ThreadPoolExecutor::ThreadPoolExecutor(std::size_t max_workers) : max_workers_(max_workers) {
  if (max_workers == 0) {
    throw ValueError(
        "ThreadPoolExecutor: max_workers must be greater than 0 (a pool of 0 threads would never run "
        "a job)");
  }
  if (max_workers > kMaxWorkers) {
    throw ValueError("ThreadPoolExecutor: max_workers is " + std::to_string(max_workers) + ", more than the limit of " +
                     std::to_string(kMaxWorkers) + " threads; a pool that large would exhaust the system's threads");
  }
  threads_.reserve(max_workers);
  try {
    for (std::size_t i = 0; i < max_workers; ++i) threads_.emplace_back([this] { work(); });
  } catch (...) {
    shutdown();
    throw;
  }
}

ThreadPoolExecutor::~ThreadPoolExecutor() { shutdown(); }

void ThreadPoolExecutor::shutdown() {
  for (const std::thread& t : threads_) {
    if (t.get_id() == std::this_thread::get_id()) {
      throw RuntimeError(
          "ThreadPoolExecutor::shutdown called from one of the pool's own threads; it would wait "
          "for itself");
    }
  }
  {
    std::lock_guard lock(mutex_);
    if (shut_down_ && threads_.empty()) return;
    shut_down_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void ThreadPoolExecutor::submit(detail::PoolJob* job) {
  {
    std::lock_guard lock(mutex_);
    if (shut_down_) {
      throw RuntimeError(
          "ThreadPoolExecutor: cannot schedule new futures after shutdown; this pool was shut "
          "down (or its loop closed), use a pool that is still running");
    }
    job->next_job = nullptr;
    (tail_ ? tail_->next_job : head_) = job;
    tail_ = job;
  }
  wake_.notify_one();
}

// A pool thread: takes jobs oldest first until the pool is shut down and
// nothing is queued.
void ThreadPoolExecutor::work() {
  for (;;) {
    detail::PoolJob* job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return head_ != nullptr || shut_down_; });
      if (head_ == nullptr) return;
      job = head_;
      head_ = job->next_job;
      if (head_ == nullptr) tail_ = nullptr;
    }
    job->run_job();
  }
}

std::size_t default_max_workers() {
  std::size_t cpus = std::max(1u, std::thread::hardware_concurrency());
  return std::min<std::size_t>(32, cpus + 4);
}

}  // namespace corio
