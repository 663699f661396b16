// @chapter 12
// What a server's transports tell it: one of its connections ended.
#pragma once

namespace corio::detail {

struct ServerState;
// A connection the server accepted ended (its transport's connection_lost
// ran): the server counts it out, and wakes wait_closed() once closed and
// the last is gone.
void server_detach(ServerState& server);

}  // namespace corio::detail
