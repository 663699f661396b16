// @chapter 14
// Seeing inside a running program, as asyncio 3.14's graph module does:
// every live task, and for each its call graph: the chain of coroutines it
// is suspended in (innermost first, as asyncio prints it), what the
// innermost one waits on (a sleep, an fd, a lock, a queue, another task),
// and which tasks await it in turn.
//
//   * Task(name='handler-1', id=4)
//     + Call stack:
//     |   coroutine read_cache()
//     |   coroutine lookup()
//     |   coroutine handle_request()
//     + Waits on: acquire
//     + Awaited by:
//         * Task(name='connection-1', id=3)
//           ...
//
// Nothing is recorded for it beyond what a task keeps anyway: a frame is
// named by its coroutine function (the name E17's warning prints), the
// chain is read from the frames' own links, and park() notes what a task
// waits on in one word of its frame. A dump costs only when it is asked for.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <corio/tasks/task.hpp>

namespace corio {

class Loop;

// The live (not done) tasks of loop, or of the running loop, oldest first
// (asyncio.all_tasks()). RuntimeError without a running loop.
std::vector<AnyTask> all_tasks();
std::vector<AnyTask> all_tasks(Loop& loop);

// asyncio's FutureCallGraph, for a task.
struct CallGraph {
  AnyTask task;
  std::string name;      // the task's name
  std::uint64_t id = 0;  // the N of Task-N, whatever the name
  // The coroutine functions the task is suspended in, innermost first.
  std::vector<std::string> call_stack;
  // What the innermost waits on ("sleep", "queue get", "task 'fetch'"),
  // or the task's state when it waits on nothing ("running now").
  std::string waits_on;
  // The tasks that await this one, each with its own graph.
  std::vector<CallGraph> awaited_by;
};

// The graph of task, which must belong to the running loop, or to a loop
// that is between iterations on this thread (a callback of it runs).
CallGraph capture_call_graph(const AnyTask& task);
// As asyncio prints it (lines end in '\n').
std::string format_call_graph(const CallGraph& graph);
std::string format_call_graph(const AnyTask& task);
void print_call_graph(const AnyTask& task, std::FILE* out = stdout);

// Every live task's graph, oldest first, after a line naming the loop's
// time and the count: for a hung program, from a loop callback (a signal
// handler's, a timer's) or from a task.
std::string format_all_call_graphs(Loop& loop);
void print_all_call_graphs(Loop& loop, std::FILE* out = stderr);

}  // namespace corio
