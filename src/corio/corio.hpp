// @chapter 01
// Everything corio offers, in one include.
#pragma once

#include <corio/waiting/as_completed.hpp>  // @since 06
#include <corio/cancellation/cancel.hpp>        // @since 09
#include <corio/sync/condition.hpp>  // @since 07
#include <corio/tasks/coro.hpp>       // @since 04
#include <corio/loop/diagnostics.hpp>
#include <corio/errors.hpp>
#include <corio/sync/event.hpp>   // @since 07
#include <corio/threads/executor.hpp>  // @since 11
#include <corio/tasks/future.hpp>  // @since 03
#include <corio/waiting/gather.hpp>  // @since 06
#include <corio/threads/detail/inbox.hpp>   // @since 11
#include <corio/sync/lock.hpp>    // @since 07
#include <corio/loop/loop.hpp>
#include <corio/queues/queue.hpp>  // @since 08
#include <corio/tasks/run.hpp>        // @since 04
#include <corio/sync/semaphore.hpp>  // @since 07
#include <corio/tasks/sleep.hpp>      // @since 04
#include <corio/tasks/task.hpp>       // @since 05
#include <corio/tasks/timeline.hpp>   // @since 05
#include <corio/cancellation/task_group.hpp>  // @since 10
#include <corio/cancellation/timeout.hpp>     // @since 09
#include <corio/waiting/wait.hpp>       // @since 06
#include <corio/tasks/fd_wait.hpp>  // @since 04
// @since 12
#include <corio/net/address.hpp>
#include <corio/net/resolve.hpp>
#include <corio/net/socket.hpp>
#include <corio/streams/streams.hpp>
// @end
#include <corio/http/http.hpp>  // @since 13
#include <corio/signals/signals.hpp>  // @since 14
#include <corio/cores/loop_threads.hpp>  // @since 14
#include <corio/introspect/call_graph.hpp>    // @since 14
#include <corio/introspect/chrome_trace.hpp>  // @since 14
#include <corio/introspect/log.hpp>           // @since 14
