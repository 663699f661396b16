// @chapter 01
// Where the runtime reports what it cannot throw: an exception that escaped
// a callback, a coroutine dropped without being awaited, a task whose error
// nobody looked at. asyncio sends these to its logger or to warnings; corio
// sends them to one sink, stderr unless a program (or a test) replaces it.
#pragma once

#include <exception>
#include <functional>
#include <string>
#include <string_view>

namespace corio {

using DiagnosticSink = std::function<void(std::string_view message)>;

// Replaces the sink for this thread and returns the previous one. An empty
// sink restores the default, which writes each message and a newline to
// stderr. A sink should not throw; if it does, the message goes to stderr
// with a note, and the runtime carries on.
DiagnosticSink set_diagnostic_sink(DiagnosticSink sink);

namespace detail {
// Never throws: a sink that throws gets the message written to stderr.
void report(std::string_view message) noexcept;
// An error as one line: what() for a std::exception.
std::string describe(std::exception_ptr error);
}  // namespace detail

}  // namespace corio
