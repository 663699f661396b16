// @chapter 12
// SocketAddress: address.hpp says what it holds.
#include <corio/net/address.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstring>
#include <string>

#include <corio/errors.hpp>

namespace corio {

SocketAddress::SocketAddress() noexcept : storage_{}, len_(0) { storage_.ss_family = AF_UNSPEC; }

SocketAddress::SocketAddress(const sockaddr* addr, socklen_t len) : SocketAddress() {
  if (len > capacity()) {
    throw InvalidArgument("SocketAddress: " + std::to_string(len) + " bytes do not fit a sockaddr_storage (" +
                          std::to_string(capacity()) + ")");
  }
  std::memcpy(&storage_, addr, len);
  len_ = len;
}

SocketAddress SocketAddress::ip(const std::string& host_numeric, int port) {
  if (port < 0 || port > 65535) {
    throw InvalidArgument("SocketAddress::ip: port " + std::to_string(port) + " is outside 0-65535");
  }
  SocketAddress a;
  if (host_numeric.empty()) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&a.storage_);
    v4->sin_family = AF_INET;
    v4->sin_addr.s_addr = htonl(INADDR_ANY);
    v4->sin_port = htons(static_cast<std::uint16_t>(port));
    a.len_ = sizeof(sockaddr_in);
    return a;
  }
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.storage_);
  if (::inet_pton(AF_INET, host_numeric.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<std::uint16_t>(port));
    a.len_ = sizeof(sockaddr_in);
    return a;
  }
  a = SocketAddress();
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.storage_);
  if (::inet_pton(AF_INET6, host_numeric.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<std::uint16_t>(port));
    a.len_ = sizeof(sockaddr_in6);
    return a;
  }
  throw InvalidArgument("SocketAddress::ip: \"" + host_numeric +
                        "\" is not a numeric IPv4 or IPv6 address; resolve a host name with "
                        "co_await corio::getaddrinfo(host, port) first");
}

SocketAddress SocketAddress::unix_path(const std::string& path) {
  SocketAddress a;
  auto* un = reinterpret_cast<sockaddr_un*>(&a.storage_);
  if (path.empty() || path.size() >= sizeof un->sun_path) {
    throw InvalidArgument("SocketAddress::unix_path: \"" + path + "\" must be 1 to " +
                          std::to_string(sizeof un->sun_path - 1) + " bytes long (the size of sun_path)");
  }
  un->sun_family = AF_UNIX;
  std::memcpy(un->sun_path, path.data(), path.size());
  a.len_ = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  return a;
}

std::string SocketAddress::host() const {
  char text[INET6_ADDRSTRLEN] = {};
  switch (storage_.ss_family) {
    case AF_INET:
      ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, text, sizeof text);
      return text;
    case AF_INET6:
      ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, text, sizeof text);
      return text;
    case AF_UNIX: {
      const auto* un = reinterpret_cast<const sockaddr_un*>(&storage_);
      std::size_t room = len_ > offsetof(sockaddr_un, sun_path) ? len_ - offsetof(sockaddr_un, sun_path) : 0;
      return std::string(un->sun_path, ::strnlen(un->sun_path, room));
    }
    default:
      return "";
  }
}

int SocketAddress::port() const noexcept {
  switch (storage_.ss_family) {
    case AF_INET:
      return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
    case AF_INET6:
      return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
    default:
      return 0;
  }
}

std::string SocketAddress::to_string() const {
  switch (storage_.ss_family) {
    case AF_INET:
      return host() + ":" + std::to_string(port());
    case AF_INET6:
      return "[" + host() + "]:" + std::to_string(port());
    case AF_UNIX: {
      std::string path = host();
      return path.empty() ? "<unnamed unix socket>" : path;
    }
    default:
      return "<unset>";
  }
}

bool SocketAddress::operator==(const SocketAddress& other) const noexcept {
  return len_ == other.len_ && std::memcmp(&storage_, &other.storage_, len_) == 0;
}

}  // namespace corio
