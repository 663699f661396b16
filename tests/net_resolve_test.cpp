// @chapter 12
// getaddrinfo on the loop's default executor: numeric hosts, localhost,
// IPv4 and IPv6, service names, and a clear error for what does not
// resolve. Only names the machine knows without a network (numeric
// addresses, /etc/hosts, /etc/services) are looked up.
#include <netdb.h>
#include <sys/socket.h>

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <corio/corio.hpp>

namespace {

using corio::AddrInfo;

corio::Coro<std::vector<AddrInfo>> within_ten_seconds(std::string host, std::string port, int family, int flags) {
  co_return co_await corio::timeout(10).run(
      corio::getaddrinfo(std::move(host), std::move(port), family, SOCK_STREAM, flags));
}

std::vector<AddrInfo> resolve(std::string host, std::string port, int family = AF_UNSPEC, int flags = 0) {
  return corio::run(within_ten_seconds(std::move(host), std::move(port), family, flags));
}

TEST_CASE("getaddrinfo resolves a numeric IPv4 host and port into one ready address", "[ch12][threads]") {
  std::vector<AddrInfo> answers = resolve("127.0.0.1", "8080");
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].family == AF_INET);
  CHECK(answers[0].socktype == SOCK_STREAM);
  CHECK(answers[0].address.to_string() == "127.0.0.1:8080");
}

TEST_CASE("getaddrinfo resolves a numeric IPv6 host", "[ch12][threads]") {
  std::vector<AddrInfo> answers = resolve("::1", "443");
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].family == AF_INET6);
  CHECK(answers[0].address.to_string() == "[::1]:443");
}

TEST_CASE("getaddrinfo resolves localhost to loopback addresses only", "[ch12][threads]") {
  std::vector<AddrInfo> answers = resolve("localhost", "80");
  REQUIRE_FALSE(answers.empty());
  for (const AddrInfo& a : answers) {
    INFO(a.address.to_string());
    bool loopback = a.address.host().rfind("127.", 0) == 0 || a.address.host() == "::1";
    CHECK(loopback);
    CHECK(a.address.port() == 80);
  }
}

TEST_CASE("getaddrinfo with a family asks for that family only", "[ch12][threads]") {
  for (const AddrInfo& a : resolve("127.0.0.1", "1", AF_INET)) CHECK(a.family == AF_INET);
  CHECK_THROWS_AS(resolve("127.0.0.1", "1", AF_INET6), corio::AddressResolutionError);
}

TEST_CASE("getaddrinfo resolves a service name from /etc/services", "[ch12][threads]") {
  std::vector<AddrInfo> answers = resolve("127.0.0.1", "http");
  REQUIRE_FALSE(answers.empty());
  CHECK(answers[0].address.port() == 80);
}

TEST_CASE("getaddrinfo with no host and AI_PASSIVE gives the wildcard address to bind", "[ch12][threads]") {
  std::vector<AddrInfo> answers = resolve("", "0", AF_INET, AI_PASSIVE);
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].address.to_string() == "0.0.0.0:0");
}

TEST_CASE("a host that does not resolve throws AddressResolutionError naming it, with gai_strerror's text",
          "[ch12][threads]") {
  try {
    // AI_NUMERICHOST: refused at once, without asking a DNS server.
    resolve("no-such-host.invalid", "80", AF_UNSPEC, AI_NUMERICHOST);
    FAIL("resolved a name that cannot resolve");
  } catch (const corio::AddressResolutionError& e) {
    CHECK(e.code() == EAI_NONAME);
    CHECK(std::string(e.what()) == "getaddrinfo(\"no-such-host.invalid\", \"80\"): [Errno " +
                                       std::to_string(EAI_NONAME) + "] " + ::gai_strerror(EAI_NONAME) +
                                       "; check the host name (a numeric address needs no lookup)");
  }
}

TEST_CASE("a service that does not exist throws AddressResolutionError with EAI_SERVICE", "[ch12][threads]") {
  try {
    resolve("127.0.0.1", "no-such-service");
    FAIL("resolved a service that does not exist");
  } catch (const corio::AddressResolutionError& e) {
    CHECK(e.code() == EAI_SERVICE);
    CHECK(std::string(e.what()).find("getaddrinfo(\"127.0.0.1\", \"no-such-service\")") == 0);
  }
}

}  // namespace
