// @chapter 14
// The soak's short form (tests/support/soak.hpp; its long form is make
// bench's KS): keep-alive requests against chapter 13's server from many
// clients, with disconnects, resets and stalled clients mixed in, on the
// virtual clock so that the stalls cost no real time.
#include <catch2/catch.hpp>

#include "support/soak.hpp"

TEST_CASE(
    "a soak of keep-alive requests with disconnects, resets and stalls loses no request and leaks no fd or memory",
    "[ch14][soak]") {
  corio_soak::Options options;
  options.requests = 20000;
  options.warm_up = 2000;
  options.clients = 50;
  options.seed = 14;
  options.clock = corio::ClockKind::Virtual;
  corio_soak::Report r = corio_soak::run(options);
  INFO(r.summary());
  CHECK(r.lost == 0);
  CHECK(r.answered >= options.requests);
  CHECK(r.served >= r.answered);
  // The mix happened: at 2 % disconnects, 2 % resets and 1 % stalls, 20,000 requests make hundreds of each.
  CHECK(r.disconnects > 100);
  CHECK(r.resets > 100);
  CHECK(r.stalls > 50);
  CHECK(r.fd_after == r.fd_baseline);
  CHECK(r.heap_after - r.heap_baseline <= corio_soak::Report::kHeapSlack);
}
