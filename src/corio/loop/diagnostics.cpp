// @chapter 01
#include <corio/loop/diagnostics.hpp>

#include <cxxabi.h>  // @since 11

#include <cstdio>
#include <cstdlib>  // @since 11
#include <exception>
#include <typeinfo>  // @since 11
#include <utility>

#include <corio/errors.hpp>  // @since 09
#include <corio/loop/loop.hpp>    // @since 11

namespace corio {

namespace {
thread_local DiagnosticSink sink;
}

DiagnosticSink set_diagnostic_sink(DiagnosticSink next) { return std::exchange(sink, std::move(next)); }

// Reporting never throws: it runs where an error has nowhere else to go
// (catch blocks, destructors). A sink that throws gets the message written
// to stderr instead, with a note saying why.
void detail::report(std::string_view message) noexcept {
  if (sink) {
    // A copy of what(): the exception is gone once its catch block ends.
    char why[256] = "an exception not derived from std::exception";
    try {
      sink(message);
      return;
    } catch (const std::exception& e) {
      std::snprintf(why, sizeof why, "%s", e.what());
    } catch (...) {
    }
    std::fprintf(stderr, "%.*s\n(the diagnostic sink threw: %s; the message above went to stderr instead)\n",
                 static_cast<int>(message.size()), message.data(), why);
    return;
  }
  std::fprintf(stderr, "%.*s\n", static_cast<int>(message.size()), message.data());
}

std::string detail::describe(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (const CancelledError& e) {                                                  // @since 09
    return e.message().empty() ? "CancelledError" : "CancelledError: " + e.message();  // @since 09
  } catch (...) {
    return "an exception not derived from std::exception";
  }
}

// @since 11
namespace {

std::string demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> name(abi::__cxa_demangle(mangled, nullptr, nullptr, &status), &std::free);
  return status == 0 && name ? std::string(name.get()) : std::string(mangled);
}

// call_soon's and call_later's wrappers say nothing the reader wrote:
// "corio::detail::CallbackFn<main()::{lambda()#1}>" reads as the lambda.
std::string without_wrapper(std::string name) {
  for (std::string_view wrapper : {"corio::detail::CallbackFn<", "corio::detail::TimerCallbackFn<"}) {
    if (name.starts_with(wrapper) && name.ends_with('>')) {
      return name.substr(wrapper.size(), name.size() - wrapper.size() - 1);
    }
  }
  return name;
}

}  // namespace

std::string detail::describe_step(ReadyEntry r) {
  if (r.is_coroutine()) return "<coroutine step>";
  if (r.is_task()) return loop_hooks.describe_task ? loop_hooks.describe_task(r.task()) : "<task step>";
  const Callback& cb = *r.callback();
  return "<Handle " + without_wrapper(demangle(typeid(cb).name())) + ">";
}

bool detail::debug_from_env() {
  const char* value = std::getenv("CORIO_DEBUG");
  return value != nullptr && *value != '\0' && std::string_view(value) != "0";
}

void detail::StepTimer::start(std::chrono::nanoseconds threshold, ReadyEntry r) {
  timing_ = std::make_unique<Timing>(Timing{threshold, {}, describe_step(r)});
  timing_->started = std::chrono::steady_clock::now();
}

void detail::StepTimer::stop() {
  auto took = std::chrono::steady_clock::now() - timing_->started;
  if (took < timing_->threshold) return;
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.3f", std::chrono::duration<double>(took).count());
  report("Executing " + timing_->what + " took " + seconds + " seconds");
}
// @end

}  // namespace corio
