// @chapter 14
// Logging of async operations (E11), with the task in every line: log()
// prefixes the loop's time and the running task's name, as chapter 13's
// best-practices program did by hand, and hands the line to a sink that the
// program sets (stderr by default, as Python's logging.basicConfig does).
//
//   corio::log("INFO", "started GET /delay/100");
//   -> 0.000  INFO   job-1   started GET /delay/100
//
// Outside any task the name is "-"; outside any loop the time is too.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace corio {

struct LogRecord {
  double time = 0;  // the running loop's time(); 0 without a loop
  bool has_loop = false;
  std::string task;  // the running task's name, or "-"
  std::string_view level;
  std::string_view message;
  // "0.000  INFO   job-1   message", the default sink's line (no newline).
  std::string line() const;
};

using LogSink = std::function<void(const LogRecord& record)>;

// The sink every log() of this thread goes to from now on; an empty one
// restores the default (a line on stderr). Returns the one it replaces.
LogSink set_log_sink(LogSink sink);

void log(std::string_view level, std::string_view message);
inline void log(std::string_view message) { log("INFO", message); }

}  // namespace corio
