// @chapter 12
// getaddrinfo on the loop's default executor (asyncio's loop.getaddrinfo):
// the C library's resolver blocks, possibly for seconds on a slow DNS
// server, so it runs on a pool thread while the loop goes on.
#pragma once

#include <netdb.h>
#include <sys/socket.h>

#include <string>
#include <vector>

#include <corio/net/address.hpp>
#include <corio/tasks/coro.hpp>

namespace corio {

// One of getaddrinfo's answers (Python's 5-tuple, the address ready to use).
struct AddrInfo {
  int family = AF_UNSPEC;
  int socktype = 0;
  int protocol = 0;
  std::string canonname;  // set only for the first answer, with AI_CANONNAME
  SocketAddress address;
};

// host: a name ("localhost"), a numeric IPv4 or IPv6 address, or "" for
// the wildcard (with AI_PASSIVE) or loopback address; port: a number or a
// service name, "" for 0. AddressResolutionError naming host and port, with
// gai_strerror's text and the EAI_ code as code(), when it does not resolve.
Coro<std::vector<AddrInfo>> getaddrinfo(std::string host, std::string port, int family = AF_UNSPEC,
                                        int type = SOCK_STREAM, int flags = 0);

}  // namespace corio
