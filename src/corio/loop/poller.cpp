// @chapter 02
#include <corio/loop/poller.hpp>

#include <cstdlib>
#include <string>

#include <corio/loop/detail/epoll_poller.hpp>
#include <corio/errors.hpp>
#include <corio/loop/detail/select_poller.hpp>

namespace corio::detail {

PollerKind poller_from_env() {
  const char* name = std::getenv("CORIO_POLLER");
  if (name == nullptr || *name == '\0' || std::string_view(name) == "epoll") return PollerKind::Epoll;
  if (std::string_view(name) == "select") return PollerKind::Select;
  throw InvalidArgument(std::string("CORIO_POLLER=") + name + " names no poller; use select or epoll");
}

std::unique_ptr<Poller> make_poller(PollerKind kind) {
  if (kind == PollerKind::Select) return std::make_unique<SelectPoller>();
  return std::make_unique<EpollPoller>();
}

std::string_view poller_name(PollerKind kind) { return kind == PollerKind::Select ? "select" : "epoll"; }

}  // namespace corio::detail
