// @chapter 14
// The call graph: read from the task list and from the frames themselves.
#include <corio/introspect/call_graph.hpp>

#include <algorithm>
#include <coroutine>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <corio/loop/loop.hpp>
#include <corio/tasks/coro.hpp>
#include <corio/tasks/detail/task_list.hpp>

namespace corio {

namespace {

using detail::PromiseBase;

// A frame's promise from its handle alone. Every frame of this library is a
// Promise<T>, whose PromiseBase is its first base, at the offset where both
// compilers put a promise of alignment up to 16 (coro.hpp asserts it).
const PromiseBase* promise_of(std::coroutine_handle<> h) {
  return &std::coroutine_handle<detail::Promise<void>>::from_address(h.address()).promise();
}

AnyTask handle_of(PromiseBase* task) {
  task->retain();
  return AnyTask(detail::Ref<PromiseBase>::adopt(task));
}

std::vector<PromiseBase*> live_tasks(Loop& loop) {
  std::vector<PromiseBase*> tasks = detail::task_list(loop).tasks();
  std::sort(tasks.begin(), tasks.end(),
            [](const PromiseBase* a, const PromiseBase* b) { return a->task_id() < b->task_id(); });
  return tasks;
}

// The coroutines a task is suspended in, innermost first: from the frame it
// waits in, up each Coro's link to the frame that awaits it, to the task's.
// The running task is known only by its own coroutine: the frame its step
// resumed may have returned since.
std::vector<std::string> call_stack_of(const PromiseBase* task) {
  std::vector<std::string> stack;
  if (task == detail::running_task()) return {task->function()};
  std::coroutine_handle<> h = task->continuation();
  for (int depth = 0; h && depth < 1000; ++depth) {
    const PromiseBase* frame = promise_of(h);
    stack.emplace_back(frame->function());
    if (frame == task) return stack;
    h = frame->continuation();
  }
  if (stack.empty()) stack.emplace_back(task->function());
  return stack;
}

std::string wait_of(const PromiseBase* task) {
  if (task == detail::running_task()) return "nothing: it is running (the dump was asked from it)";
  if (task->wait_point() == nullptr) return "nothing: its first step is queued";
  if (const detail::FutureCore* awaited = task->awaits()) {
    if (static_cast<const detail::FutureCore*>(task) != awaited) {
      const auto& tasks = detail::task_list(task->loop()).tasks();
      for (const PromiseBase* other : tasks) {
        if (static_cast<const detail::FutureCore*>(other) == awaited) return "task '" + other->task_name() + "'";
      }
    }
    return awaited->done() ? "a future, done (the task runs next)" : "a future";
  }
  return task->waits_on() != nullptr ? task->waits_on() : "an awaiter";
}

// Who awaits each task: a task that waits on another task's future.
using Awaiters = std::unordered_map<const detail::FutureCore*, std::vector<PromiseBase*>>;

Awaiters awaiters_of(const std::vector<PromiseBase*>& tasks) {
  Awaiters awaiters;
  for (PromiseBase* t : tasks) {
    if (t->wait_point() != nullptr && t->awaits() != nullptr) awaiters[t->awaits()].push_back(t);
  }
  return awaiters;
}

CallGraph build(PromiseBase* task, const Awaiters& awaiters, std::unordered_set<const PromiseBase*>& seen) {
  CallGraph graph;
  graph.task = handle_of(task);
  graph.name = task->task_name();
  graph.id = task->task_id();
  graph.call_stack = call_stack_of(task);
  graph.waits_on = wait_of(task);
  seen.insert(task);
  auto it = awaiters.find(task);
  if (it != awaiters.end()) {
    for (PromiseBase* parent : it->second) {
      if (seen.count(parent) == 0) graph.awaited_by.push_back(build(parent, awaiters, seen));
    }
  }
  seen.erase(task);
  return graph;
}

void render(const CallGraph& graph, std::string& out, std::size_t level) {
  std::string indent(level * 4, ' ');
  out += indent + "* Task(name='" + graph.name + "', id=" + std::to_string(graph.id) + ")\n";
  out += indent + "  + Call stack:\n";
  for (const std::string& frame : graph.call_stack) out += indent + "  |   coroutine " + frame + "()\n";
  out += indent + "  + Waits on: " + graph.waits_on + "\n";
  if (graph.awaited_by.empty()) return;
  out += indent + "  + Awaited by:\n";
  for (const CallGraph& parent : graph.awaited_by) render(parent, out, level + 1);
}

PromiseBase* checked(const AnyTask& task, const char* who) {
  PromiseBase* p = task.state();
  p->loop().check_owner_thread(who);
  return p;
}

}  // namespace

std::vector<AnyTask> all_tasks() { return all_tasks(get_running_loop()); }

std::vector<AnyTask> all_tasks(Loop& loop) {
  loop.check_owner_thread("all_tasks");
  std::vector<AnyTask> tasks;
  for (PromiseBase* t : live_tasks(loop)) tasks.push_back(handle_of(t));
  return tasks;
}

CallGraph capture_call_graph(const AnyTask& task) {
  PromiseBase* p = checked(task, "capture_call_graph");
  std::unordered_set<const PromiseBase*> seen;
  if (p->done()) {
    CallGraph graph;
    graph.task = task;
    graph.name = p->task_name();
    graph.id = p->task_id();
    graph.waits_on = "nothing: it is done";
    return graph;
  }
  return build(p, awaiters_of(live_tasks(p->loop())), seen);
}

std::string format_call_graph(const CallGraph& graph) {
  std::string out;
  render(graph, out, 0);
  return out;
}

std::string format_call_graph(const AnyTask& task) { return format_call_graph(capture_call_graph(task)); }

void print_call_graph(const AnyTask& task, std::FILE* out) {
  std::string text = format_call_graph(task);
  std::fputs(text.c_str(), out);
  std::fflush(out);
}

std::string format_all_call_graphs(Loop& loop) {
  loop.check_owner_thread("print_all_call_graphs");
  std::vector<PromiseBase*> tasks = live_tasks(loop);
  Awaiters awaiters = awaiters_of(tasks);
  char head[96];
  std::snprintf(head, sizeof head, "%zu task%s at %.3f:\n", tasks.size(), tasks.size() == 1 ? "" : "s", loop.time());
  std::string out = head;
  for (PromiseBase* t : tasks) {
    std::unordered_set<const PromiseBase*> seen;
    render(build(t, awaiters, seen), out, 0);
  }
  return out;
}

void print_all_call_graphs(Loop& loop, std::FILE* out) {
  std::string text = format_all_call_graphs(loop);
  std::fputs(text.c_str(), out);
  std::fflush(out);
}

}  // namespace corio
