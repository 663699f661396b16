// @chapter 14
// The timeline of chapter 05 for the tools people already use: written as
// Chrome trace-event JSON, which Perfetto (ui.perfetto.dev) and
// chrome://tracing open. One track per task, holding the task's life, each
// step it ran and each wait (named as the timeline names it), and one track
// for the loop's iterations (phase 6 and the entries it ran). Times are the
// loop's, in microseconds: on the virtual clock, exactly the run's.
//
// CORIO_CHROME_TRACE=path does it for every loop, each writing path when it
// closes; record_chrome_trace does it for one loop.
#pragma once

#include <string>

namespace corio {

class Loop;

// Records loop's timeline from now on (tasks alive now get their track from
// now) and writes it to path as Chrome trace JSON when the loop closes.
void record_chrome_trace(Loop& loop, std::string path);

}  // namespace corio
