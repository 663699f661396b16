// @chapter 01
// Everything corio offers, in one include.
#pragma once

#include <corio/as_completed.hpp>  // @since 06
#include <corio/cancel.hpp>        // @since 09
#include <corio/condition.hpp>  // @since 07
#include <corio/coro.hpp>       // @since 04
#include <corio/diagnostics.hpp>
#include <corio/errors.hpp>
#include <corio/event.hpp>   // @since 07
#include <corio/executor.hpp>  // @since 11
#include <corio/future.hpp>  // @since 03
#include <corio/gather.hpp>  // @since 06
#include <corio/inbox.hpp>   // @since 11
#include <corio/lock.hpp>    // @since 07
#include <corio/loop.hpp>
#include <corio/queue.hpp>  // @since 08
#include <corio/run.hpp>        // @since 04
#include <corio/semaphore.hpp>  // @since 07
#include <corio/sleep.hpp>      // @since 04
#include <corio/task.hpp>       // @since 05
#include <corio/task_group.hpp>  // @since 10
#include <corio/timeout.hpp>     // @since 09
#include <corio/wait.hpp>       // @since 06
