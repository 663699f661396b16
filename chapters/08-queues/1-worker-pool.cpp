// E07 worker pool: ten workers drain a queue of 25 jobs, each done once; join, then a sentinel stops each worker
#include <cstdio>
#include <string>
#include <vector>

#include <corio/corio.hpp>
#include <corio/queues/queue.hpp>

constexpr int kWorkers = 10;
constexpr int kJobs = 25;
constexpr int kStop = -1;  // the sentinel: one per worker, after the jobs

int done_count[kJobs] = {};         // how many times each job was done
std::vector<int> jobs_of[kWorkers];  // which jobs each worker did

double elapsed() { return corio::get_running_loop().time(); }

corio::Coro<> worker(int id, corio::Queue<int>& queue) {
  for (;;) {
    int job = co_await queue.get();
    if (job == kStop) {
      queue.task_done();
      co_return;
    }
    co_await corio::sleep(0.4);  // the work: a request, a file, ...
    ++done_count[job];
    jobs_of[id].push_back(job);
    queue.task_done();
  }
}

corio::Coro<> main_coro() {
  double start = elapsed();
  corio::Queue<int> queue;
  for (int job = 0; job < kJobs; ++job) queue.put_nowait(job);

  std::vector<corio::Task<>> workers;
  for (int id = 0; id < kWorkers; ++id) workers.push_back(corio::create_task(worker(id, queue)));

  co_await queue.join();  // every job taken and marked done
  std::printf("queue joined at %.1fs\n", elapsed() - start);
  for (int id = 0; id < kWorkers; ++id) co_await queue.put(kStop);
  for (corio::Task<>& w : workers) co_await w;
  std::printf("%d workers stopped at %.1fs\n", kWorkers, elapsed() - start);

  for (int id = 0; id < kWorkers; ++id) {
    std::string jobs;
    for (int job : jobs_of[id]) jobs += " " + std::to_string(job);
    std::printf("  worker %d did jobs%s\n", id, jobs.c_str());
  }
  int once = 0;
  for (int n : done_count) once += n == 1;
  std::printf("jobs done exactly once: %d of %d\n", once, kJobs);
}

int main() { corio::run(main_coro()); }
