// @chapter 14
// Signals on the loop, asyncio's loop.add_signal_handler: a POSIX signal
// becomes a callback the loop runs on a later iteration, like any other,
// never inside the signal handler. The C-level handler only marks the
// signal as arrived in the loop's inbox and writes to its wake fd, the
// loop's own self-pipe of chapter 11 (asyncio's signal.set_wakeup_fd on its
// socketpair); the loop, collecting its mail, queues the callbacks of the
// signals that arrived (docs/decisions.md says why not signalfd).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <corio/loop/loop.hpp>

namespace corio {

// Runs callback on loop each time signum arrives, from the loop's next
// iteration on. A second call for the same signal replaces the callback (the
// disposition saved by the first is kept). ValueError for a number that is
// no signal; RuntimeError for SIGKILL and SIGSTOP ("sig 9 cannot be
// caught"), for a signal another loop handles, and from another thread than
// the loop's. While a handler is set, a loop waiting only for its signal
// waits rather than saying it would wait forever.
// The loop's close removes its handlers.
void add_signal_handler(Loop& loop, int signum, std::function<void()> callback);

// Removes signum's handler and restores the disposition the signal had before
// the first add_signal_handler (asyncio sets SIG_DFL instead). False when the
// loop had no handler for it; ValueError for a number that is no signal.
bool remove_signal_handler(Loop& loop, int signum);

namespace detail {
// add_signal_handler, where awaited false leaves an idle loop free to say it
// would wait forever (run()'s Ctrl-C handler: a program waiting only for
// Ctrl-C has a bug to report, as it had without the handler).
void add_signal_handler(Loop& loop, int signum, std::function<void()> callback, bool awaited);
// The handler now set for signum on loop: 0 for none, else a number no other
// add_signal_handler call gets (the SIGINT catcher removes only its own).
std::uint64_t signal_handler_id(Loop& loop, int signum);
// While on, the C-level SIGINT handler counts: the second SIGINT restores the
// default disposition and kills the process at once (Ctrl-C twice).
void sigint_second_exits(bool on);
// "SIGINT", "SIGTERM", ...: a signal's name for messages.
std::string signal_name(int signum);
}  // namespace detail

}  // namespace corio
