// E12 web scraping: 200 pages through one Client and Semaphore(50); failures kept in place, in order
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <corio/corio.hpp>

constexpr int kPages = 200;
constexpr int kAtOnce = 50;

// The site: most pages answer after 100 ms; every 40th from page 7 is missing, every 40th from page 23 resets.
std::string path_of(int page) {
  if (page % 40 == 7) return "/status/404";
  if (page % 40 == 23) return "/reset";
  return "/delay/100";
}

int in_flight = 0, most_in_flight = 0;

corio::Coro<std::size_t> scrape_page(corio::http::Client& client, corio::Semaphore& semaphore, std::string url) {
  auto permit = co_await semaphore.hold();
  most_in_flight = std::max(most_in_flight, ++in_flight);
  struct Leave {
    ~Leave() { --in_flight; }
  } leave;
  corio::http::Response response = co_await client.get(url);
  response.raise_for_status();
  co_return response.body.size();  // the "scraping": what a real scraper would parse
}

corio::Coro<std::vector<corio::Outcome<std::size_t>>> scrape_website(std::vector<std::string> urls) {
  corio::Semaphore semaphore(kAtOnce);
  corio::http::Client client;
  std::vector<corio::Coro<std::size_t>> tasks;
  for (const std::string& url : urls) tasks.push_back(scrape_page(client, semaphore, url));
  auto results = co_await corio::gather(corio::return_exceptions, std::move(tasks));
  co_await client.aclose();
  co_return results;
}

std::string describe(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const corio::HttpStatusError& e) {
    return "HttpStatusError, status " + std::to_string(e.status());
  } catch (const corio::ConnectionError&) {
    return "ConnectionError (the server reset the connection)";
  } catch (const std::exception& e) {
    return std::string("unexpected: ") + e.what();
  }
}

corio::Coro<> main_coro() {
  corio::http::Server server = co_await corio::http::Server::start(corio::http::test_routes(), "127.0.0.1", 0);
  std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  std::vector<std::string> urls;
  for (int page = 0; page < kPages; ++page) urls.push_back(base + path_of(page));

  double start = corio::get_running_loop().time();
  std::vector<corio::Outcome<std::size_t>> results = co_await scrape_website(urls);
  double took = corio::get_running_loop().time() - start;

  int pages = 0, failures = 0;
  std::size_t bytes = 0;
  for (const auto& r : results) {
    if (r.has_value()) {
      ++pages;
      bytes += r.value();
    } else {
      ++failures;
    }
  }
  std::printf("%zu results in %.3f s, at most %d requests at once: %d pages (%zu bytes), %d failures\n", results.size(),
              took, most_in_flight, pages, bytes, failures);
  std::printf("the failures, in their places:\n");
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (!results[i].has_value()) std::printf("  page %3zu: %s\n", i, describe(results[i].error()).c_str());
  }
  std::printf("each failure is where its URL was: %s\n", [&] {
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (results[i].has_value() != (path_of(static_cast<int>(i)) == "/delay/100")) return "no";
    }
    return "yes";
  }());

  server.close();
  co_await server.wait_closed();
}

int main() { corio::run(main_coro()); }
