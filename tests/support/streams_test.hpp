// @chapter 12
// What the stream tests share: an await's error, caught, so that a CHECK
// never holds a co_await (Catch's macros may evaluate their expression
// more than once, and a co_await may not sit in their catch handlers).
#pragma once

#include <exception>
#include <string>
#include <utility>

#include <corio/errors.hpp>
#include <corio/tasks/coro.hpp>
#include <corio/tasks/run.hpp>

#include "corio_test.hpp"

namespace corio_test {

// Runs the coroutine body() makes to its end, on a loop with the virtual clock.
template <class F>
void run(F body) {
  corio::run(body(), virtual_time());
}

// True when awaiting aw throws an E.
template <class E, class A>
corio::Coro<bool> throws(A aw) {
  bool thrown = false;
  try {
    co_await std::move(aw);
  } catch (const E&) {
    thrown = true;
  } catch (...) {
  }
  co_return thrown;
}

// The message of what awaiting aw throws: what(), "CancelledError", or
// "(no error)".
template <class A>
corio::Coro<std::string> error_message(A aw) {
  std::string message = "(no error)";
  try {
    co_await std::move(aw);
  } catch (const corio::CancelledError&) {
    message = "CancelledError";
  } catch (const std::exception& e) {
    message = e.what();
  }
  co_return message;
}

}  // namespace corio_test
