// @chapter 12
// SocketAddress: where a socket is bound or connected, as the kernel takes
// it (a sockaddr_storage and its length), for IPv4, IPv6 and Unix paths.
// Python passes ("127.0.0.1", 8080) tuples; corio passes this, made from a
// numeric host (names go through getaddrinfo, resolve.hpp) or a path.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

namespace corio {

class SocketAddress {
 public:
  // An empty address (family AF_UNSPEC), what a default socket reports.
  SocketAddress() noexcept;
  // Copies len bytes of a sockaddr the kernel filled in.
  SocketAddress(const sockaddr* addr, socklen_t len);

  // A numeric IPv4 or IPv6 host ("127.0.0.1", "::1", "" for all IPv4
  // interfaces) and a port; InvalidArgument for anything else (a name:
  // resolve it with getaddrinfo first) or a port outside 0-65535.
  static SocketAddress ip(const std::string& host_numeric, int port);
  // A Unix socket's path; InvalidArgument when it is longer than sun_path.
  static SocketAddress unix_path(const std::string& path);

  int family() const noexcept { return storage_.ss_family; }
  // The numeric host, or the path for a Unix address ("" when empty).
  std::string host() const;
  // The port (0 for a Unix or empty address).
  int port() const noexcept;
  // "127.0.0.1:8080", "[::1]:80", the path, or "<unset>".
  std::string to_string() const;

  const sockaddr* data() const noexcept { return reinterpret_cast<const sockaddr*>(&storage_); }
  sockaddr* data() noexcept { return reinterpret_cast<sockaddr*>(&storage_); }
  socklen_t size() const noexcept { return len_; }
  // For a kernel call that fills the address in: the room, then the size.
  static constexpr socklen_t capacity() noexcept { return sizeof(sockaddr_storage); }
  void resize(socklen_t len) noexcept { len_ = len; }

  bool operator==(const SocketAddress& other) const noexcept;

 private:
  sockaddr_storage storage_;
  socklen_t len_;
};

}  // namespace corio
