// @chapter 13
// test_routes(): the httpbin-like stand-in for the guide's remote APIs
// (server.hpp lists the routes).
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <corio/http/detail/json.hpp>
#include <corio/http/server.hpp>
#include <corio/tasks/future.hpp>
#include <corio/tasks/sleep.hpp>

namespace corio::http {

namespace {

using detail::json_string;

// The path's part after prefix as a number in [lo, hi], or nullopt.
std::optional<std::uint64_t> number_after(const Request& request, std::string_view prefix, std::uint64_t lo,
                                          std::uint64_t hi) {
  std::string_view text = request.path().substr(prefix.size());
  std::uint64_t n = 0;
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || err != std::errc() || end != text.data() + text.size() || n < lo || n > hi) return std::nullopt;
  return n;
}

Response bad_number(const Request& request, std::string_view what, std::uint64_t lo, std::uint64_t hi) {
  return Response::text(400, "Bad Request: " + std::string(request.path()) + ": " + std::string(what) +
                                 " must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
                                 "\n");
}

constexpr std::uint64_t kMaxDelayMs = 3'600'000;           // an hour
constexpr std::uint64_t kMaxBytes = 256ULL * 1024 * 1024;  // 256 MiB

Coro<Response> hello(Request) { co_return Response::text(200, "Hello, World!"); }

Coro<Response> delay(Request request) {
  auto ms = number_after(request, "/delay/", 0, kMaxDelayMs);
  if (!ms) co_return bad_number(request, "the delay in milliseconds", 0, kMaxDelayMs);
  co_await sleep(static_cast<double>(*ms) / 1000.0);
  co_return Response::text(200, "delayed " + std::to_string(*ms) + " ms");
}

Coro<Response> status(Request request) {
  auto code = number_after(request, "/status/", 200, 599);
  if (!code) co_return bad_number(request, "the status", 200, 599);
  int c = static_cast<int>(*code);
  // 204 and 304 have no body.
  co_return Response::text(c, c == 204 || c == 304 ? "" : "status " + std::to_string(c));
}

Coro<Response> reset(Request) {
  throw AbortConnection{};
  co_return Response{};
}

Coro<Response> stall(Request) {
  // Never set: the answer never comes; the client's leaving cancels this.
  Future<void> never;
  co_await never;
  co_return Response::text(500, "the stall ended\n");
}

Coro<Response> bytes(Request request) {
  auto n = number_after(request, "/bytes/", 0, kMaxBytes);
  if (!n) co_return bad_number(request, "the size", 0, kMaxBytes);
  co_return Response::text(200, std::string(*n, 'x'), "application/octet-stream");
}

Coro<Response> chunked(Request request) {
  auto n = number_after(request, "/chunked/", 0, kMaxBytes);
  if (!n) co_return bad_number(request, "the size", 0, kMaxBytes);
  Response response = Response::text(200, std::string(*n, 'x'), "application/octet-stream");
  response.headers.set("Transfer-Encoding", "chunked");
  co_return response;
}

Coro<Response> echo(Request request) {
  std::string type = request.headers.get("Content-Type").value_or("application/octet-stream");
  co_return Response::text(200, std::move(request.body), std::move(type));
}

Coro<Response> json(Request request) {
  std::string_view name = request.path().substr(std::string_view("/json/").size());
  co_return Response::text(200, "{\"name\": " + json_string(name) + ", \"status\": \"ok\"}", "application/json");
}

}  // namespace

Router test_routes() {
  Router router;
  router.get("/", hello)
      .get("/delay/*", delay)
      .get("/status/*", status)
      .get("/reset", reset)
      .get("/stall", stall)
      .get("/bytes/*", bytes)
      .get("/chunked/*", chunked)
      .post("/echo", echo)
      .get("/json/*", json);
  return router;
}

}  // namespace corio::http
