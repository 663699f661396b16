// E05 gather over an HTTP client: three GETs at once; results in the order asked, in the time of the slowest
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <corio/corio.hpp>

double start = 0;

double elapsed() { return corio::get_running_loop().time() - start; }

corio::Coro<std::string> fetch_url(corio::http::Client& client, std::string url) {
  corio::http::Response response = co_await client.get(url);
  response.raise_for_status();
  std::string path = url.substr(url.find('/', std::strlen("http://")));
  std::printf("%.3f s  %s answered %d\n", elapsed(), path.c_str(), response.status);
  co_return response.body;
}

corio::Coro<> main_coro() {
  corio::http::Server server = co_await corio::http::Server::start(corio::http::test_routes(), "127.0.0.1", 0);
  std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  corio::http::Client client;

  start = corio::get_running_loop().time();
  auto [first, second, third] =
      co_await corio::gather(fetch_url(client, base + "/delay/300"), fetch_url(client, base + "/delay/100"),
                             fetch_url(client, base + "/delay/200"));
  std::printf("gather returned at %.3f s, the results in the order asked:\n", elapsed());
  std::printf("  /delay/300 -> '%s'\n  /delay/100 -> '%s'\n  /delay/200 -> '%s'\n", first.c_str(), second.c_str(),
              third.c_str());
  std::printf("one after another they would take 0.600 s; together, the time of the slowest\n");
  std::printf("connections opened: %zu, kept alive in the pool: %zu\n", client.connections_opened(),
              client.connections_idle());

  co_await client.aclose();
  server.close();
  co_await server.wait_closed();
}

int main() { corio::run(main_coro()); }
