// @chapter 11
#include <corio/debug_mode.hpp>

#include <cxxabi.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <typeinfo>

#include <corio/coro.hpp>
#include <corio/diagnostics.hpp>

namespace corio::detail {

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

std::string describe_step(Ready r) {
  if (r.is_coroutine()) return "<coroutine step>";
  if (r.is_task()) return "<Task '" + r.task()->task_name() + "' (coroutine '" + r.task()->function() + "')>";
  const Callback& cb = *r.callback();
  return "<Handle " + without_wrapper(demangle(typeid(cb).name())) + ">";
}

bool debug_from_env() {
  const char* value = std::getenv("CORIO_DEBUG");
  return value != nullptr && *value != '\0' && std::string_view(value) != "0";
}

void StepTimer::start(Nanos threshold, Ready r) {
  timing_ = std::make_unique<Timing>(Timing{threshold, {}, describe_step(r)});
  timing_->started = std::chrono::steady_clock::now();
}

void StepTimer::stop() {
  auto took = std::chrono::steady_clock::now() - timing_->started;
  if (took < timing_->threshold) return;
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.3f", std::chrono::duration<double>(took).count());
  report("Executing " + timing_->what + " took " + seconds + " seconds");
}

}  // namespace corio::detail
