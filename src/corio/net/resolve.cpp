// @chapter 12
// getaddrinfo: resolve.hpp says what it does.
#include <corio/net/resolve.hpp>

#include <netdb.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <corio/errors.hpp>
#include <corio/threads/executor.hpp>

namespace corio {

namespace {

// What the pool thread hands back: the answers, or the EAI_ code (and the
// errno that goes with EAI_SYSTEM).
struct Resolved {
  std::vector<AddrInfo> answers;
  int error = 0;
  int system_errno = 0;
};

Resolved resolve(const std::string& host, const std::string& port, int family, int type, int flags) {
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = type;
  hints.ai_flags = flags;
  addrinfo* list = nullptr;
  Resolved r;
  r.error = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port.empty() ? nullptr : port.c_str(), &hints, &list);
  if (r.error != 0) {
    r.system_errno = errno;
    return r;
  }
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    r.answers.push_back(AddrInfo{ai->ai_family, ai->ai_socktype, ai->ai_protocol,
                                 ai->ai_canonname != nullptr ? ai->ai_canonname : "",
                                 SocketAddress(ai->ai_addr, ai->ai_addrlen)});
  }
  ::freeaddrinfo(list);
  return r;
}

}  // namespace

Coro<std::vector<AddrInfo>> getaddrinfo(std::string host, std::string port, int family, int type, int flags) {
  Resolved r = co_await run_in_executor(nullptr, resolve, host, port, family, type, flags);
  if (r.error != 0) {
    // Python's socket.gaierror: "[Errno -2] Name or service not known".
    std::string text = r.error == EAI_SYSTEM ? std::strerror(r.system_errno) : ::gai_strerror(r.error);
    throw AddressResolutionError("getaddrinfo(\"" + host + "\", \"" + port + "\"): [Errno " + std::to_string(r.error) +
                                     "] " + text + "; check the host name (a numeric address needs no lookup)",
                                 r.error);
  }
  co_return std::move(r.answers);
}

Coro<std::vector<AddrInfo>> detail::ensure_resolved(const std::string& host, int port, int flags, const char* who) {
  if (port < 0 || port > 65535) {
    throw InvalidArgument(std::string(who) + ": port " + std::to_string(port) + " is outside 0-65535");
  }
  if (!host.empty() && host.find('%') == std::string::npos) {
    std::optional<SocketAddress> address;
    try {
      address = SocketAddress::ip(host, port);
    } catch (const InvalidArgument&) {
    }
    if (address) co_return std::vector<AddrInfo>{AddrInfo{address->family(), SOCK_STREAM, IPPROTO_TCP, "", *address}};
  }
  co_return co_await getaddrinfo(host, std::to_string(port), AF_UNSPEC, SOCK_STREAM, flags);
}

}  // namespace corio
