// @chapter 12
// getaddrinfo: resolve.hpp says what it does.
#include <corio/net/resolve.hpp>

#include <netdb.h>

#include <cerrno>
#include <cstring>
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

}  // namespace corio
