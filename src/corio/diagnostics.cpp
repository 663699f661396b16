// @chapter 01
#include <corio/diagnostics.hpp>

#include <cstdio>
#include <utility>

namespace corio {

namespace {
thread_local DiagnosticSink sink;
}

DiagnosticSink set_diagnostic_sink(DiagnosticSink next) {
  return std::exchange(sink, std::move(next));
}

void detail::report(std::string_view message) {
  if (sink) {
    sink(message);
    return;
  }
  std::fprintf(stderr, "%.*s\n", static_cast<int>(message.size()), message.data());
}

}  // namespace corio
