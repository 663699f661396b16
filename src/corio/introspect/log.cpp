// @chapter 14
#include <corio/introspect/log.hpp>

#include <cstdio>
#include <utility>

#include <corio/loop/loop.hpp>
#include <corio/tasks/coro.hpp>
#include <corio/tasks/task.hpp>

namespace corio {

namespace {
thread_local LogSink sink;
}  // namespace

std::string LogRecord::line() const {
  char head[48];
  if (has_loop) {
    std::snprintf(head, sizeof head, "%.3f  ", time);
  } else {
    std::snprintf(head, sizeof head, "-      ");
  }
  std::string text = head;
  text += level;
  text += std::string(level.size() < 5 ? 7 - level.size() : 2, ' ');
  text += task;
  text += std::string(task.size() < 6 ? 8 - task.size() : 2, ' ');
  text += message;
  return text;
}

LogSink set_log_sink(LogSink next) { return std::exchange(sink, std::move(next)); }

void log(std::string_view level, std::string_view message) {
  LogRecord record;
  if (Loop* loop = detail::running_loop()) {
    record.has_loop = true;
    record.time = loop->time();
  }
  detail::PromiseBase* task = detail::running_task();
  record.task = task != nullptr ? task->task_name() : "-";
  record.level = level;
  record.message = message;
  if (sink) {
    sink(record);
    return;
  }
  std::string text = record.line() + "\n";
  std::fputs(text.c_str(), stderr);
}

}  // namespace corio
