// @chapter 01
#include <corio/diagnostics.hpp>

#include <cstdio>
#include <exception>
#include <utility>

#include <corio/cancel.hpp>  // @since 09

namespace corio {

namespace {
thread_local DiagnosticSink sink;
}

DiagnosticSink set_diagnostic_sink(DiagnosticSink next) {
  return std::exchange(sink, std::move(next));
}

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

}  // namespace corio
