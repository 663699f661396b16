// E13 the dashboard: three services, one down; gather(return_exceptions) keeps two, a TaskGroup cancels both
#include <cstdio>
#include <exception>
#include <string>

#include <corio/corio.hpp>

using corio::http::Request;
using corio::http::Response;

double start = 0;

double elapsed() { return corio::get_running_loop().time() - start; }

// Three services on one server, a route each: github answers in 0.3 s, linkedin in 0.2 s; twitter fails in 0.1 s.
std::string user_of(const Request& request) {
  std::string_view path = request.path();
  return std::string(path.substr(path.rfind('/') + 1));
}

corio::Coro<Response> github(Request request) {
  co_await corio::sleep(0.3);
  co_return Response::text(200, "{\"repos\": 12, \"user\": \"" + user_of(request) + "\"}", "application/json");
}

corio::Coro<Response> twitter(Request request) {
  co_await corio::sleep(0.1);
  co_return Response::text(503, "over capacity for " + user_of(request));
}

corio::Coro<Response> linkedin(Request request) {
  co_await corio::sleep(0.2);
  co_return Response::text(200, "{\"connections\": 500, \"user\": \"" + user_of(request) + "\"}", "application/json");
}

// One fetch: the body of a 2xx, HttpStatusError otherwise; says when it ends and how.
corio::Coro<std::string> fetch(corio::http::Client& client, std::string base, std::string service,
                               std::string username) {
  try {
    Response response = co_await client.get(base + "/" + service + "/" + username);
    response.raise_for_status();
    std::printf("  %.1f s  %s answered\n", elapsed(), service.c_str());
    co_return response.body;
  } catch (const corio::HttpStatusError& e) {
    std::printf("  %.1f s  %s failed: status %d\n", elapsed(), service.c_str(), e.status());
    throw;
  } catch (const corio::CancelledError&) {
    std::printf("  %.1f s  %s cancelled\n", elapsed(), service.c_str());
    throw;
  }
}

std::string entry(const corio::Outcome<std::string>& outcome) {
  try {
    return outcome.value();
  } catch (const corio::HttpStatusError& e) {
    return "error: status " + std::to_string(e.status());
  }
}

corio::Coro<> with_gather(corio::http::Client& client, std::string base, std::string username) {
  std::printf("gather(..., return_exceptions):\n");
  start = corio::get_running_loop().time();
  auto [gh, tw, li] =
      co_await corio::gather(corio::return_exceptions, fetch(client, base, "github", username),
                             fetch(client, base, "twitter", username), fetch(client, base, "linkedin", username));
  std::printf("  %.1f s  dashboard for %s:\n", elapsed(), username.c_str());
  std::printf("    github:   %s\n    twitter:  %s\n    linkedin: %s\n", entry(gh).c_str(), entry(tw).c_str(),
              entry(li).c_str());
}

corio::Coro<> start_fetches(corio::TaskGroup& group, corio::http::Client& client, std::string base,
                            std::string username) {
  group.create_task(fetch(client, base, "github", username));
  group.create_task(fetch(client, base, "twitter", username));
  group.create_task(fetch(client, base, "linkedin", username));
  co_return;
}

corio::Coro<> with_task_group(corio::http::Client& client, std::string base, std::string username) {
  std::printf("TaskGroup:\n");
  start = corio::get_running_loop().time();
  corio::TaskGroup group;
  try {
    co_await group.run(start_fetches(group, client, base, username));
  } catch (const corio::ExceptionGroup& e) {
    std::printf("  %.1f s  ExceptionGroup with %zu error(s): no dashboard at all\n", elapsed(), e.exceptions().size());
  }
}

corio::Coro<> main_coro() {
  corio::http::Router services;
  services.get("/github/*", github).get("/twitter/*", twitter).get("/linkedin/*", linkedin);
  corio::http::Server server = co_await corio::http::Server::start(std::move(services), "127.0.0.1", 0);
  std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  corio::http::Client client;

  co_await with_gather(client, base, "ada");
  co_await with_task_group(client, base, "ada");

  co_await client.aclose();
  server.close();
  co_await server.wait_closed();
}

int main() { corio::run(main_coro()); }
