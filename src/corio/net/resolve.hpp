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

namespace detail {
// asyncio's _ensure_resolved, for the calls that listen or connect (who
// names the call in an error): a numeric host (IPv4, or IPv6 without a zone
// index) is its own one address, with no getaddrinfo on the executor; a
// name, or "" (every address of the machine), is resolved there. A port
// outside 0-65535 is refused first, InvalidArgument: getaddrinfo would take
// it modulo 65536 (70000 is 4464), and a server would listen, or a client
// connect, where nobody asked (Python: OverflowError).
Coro<std::vector<AddrInfo>> ensure_resolved(const std::string& host, int port, int flags, const char* who);
}  // namespace detail

}  // namespace corio
