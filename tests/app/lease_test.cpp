// The leader's lease (app/lease.hpp) in a JetStream key-value bucket, against a real
// `nats-server -js` the test starts on loopback.
#include "app/lease.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/nats_server.hpp"
#include "tests/temp_dir.hpp"

namespace dialogue::app {
namespace {

using dialogue::testing::NatsServer;
using dialogue::testing::TempDir;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kTtl{1000};

LeaseOptions Options(const NatsServer& nats, std::string holder) {
  LeaseOptions options;
  options.servers = {nats.url()};
  options.holder = std::move(holder);
  options.ttl = kTtl;
  return options;
}

std::unique_ptr<Lease> StartLease(const NatsServer& nats, std::string holder) {
  auto lease = Lease::Start(Options(nats, std::move(holder)));
  REQUIRE(lease);
  return std::move(*lease);
}

// Waits up to `limit` for `condition`; how long it took, or `limit` + 1 ms when it never held.
template <typename Condition>
milliseconds WaitFor(Condition condition, milliseconds limit) {
  const auto start = Clock::now();
  while (!condition()) {
    if (Clock::now() - start > limit) return limit + milliseconds(1);
    std::this_thread::sleep_for(milliseconds(5));
  }
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

// How many of the leases believe they hold it.
size_t Holders(const std::vector<std::unique_ptr<Lease>>& leases) {
  size_t holders = 0;
  for (const auto& lease : leases) holders += lease && lease->Held() ? 1 : 0;
  return holders;
}

TEST_CASE("Of three nodes one holds the lease, and the others name it", "[lease]") {
  TempDir dir;
  NatsServer nats(dir.Path("nats"));
  std::vector<std::unique_ptr<Lease>> leases;
  for (const char* name : {"http://a", "http://b", "http://c"}) {
    leases.push_back(StartLease(nats, name));
  }
  REQUIRE(WaitFor([&] { return Holders(leases) == 1; }, milliseconds(5000)) <= milliseconds(5000));
  std::string holder;
  for (const auto& lease : leases) {
    if (lease->Held()) holder = lease->Status().leader;
  }
  // Through several renewals, still one holder, and everyone names it.
  for (int i = 0; i < 30; ++i) {
    CHECK(Holders(leases) == 1);
    std::this_thread::sleep_for(milliseconds(50));
  }
  for (const auto& lease : leases) {
    CHECK(WaitFor([&] { return lease->Status().leader == holder; }, milliseconds(2000)) <=
          milliseconds(2000));
    CHECK(lease->Status().won == (lease->Held() ? 1u : 0u));
  }
}

TEST_CASE("A lease given up is taken at once; one abandoned, once the TTL expires it", "[lease]") {
  TempDir dir;
  NatsServer nats(dir.Path("nats"));
  std::vector<std::unique_ptr<Lease>> leases;
  leases.push_back(StartLease(nats, "http://a"));
  REQUIRE(WaitFor([&] { return leases[0]->Held(); }, milliseconds(5000)) <= milliseconds(5000));
  leases.push_back(StartLease(nats, "http://b"));
  leases.push_back(StartLease(nats, "http://c"));
  std::this_thread::sleep_for(kTtl);
  REQUIRE(Holders(leases) == 1);
  REQUIRE(leases[0]->Held());

  // A clean stop writes the empty value: another takes the lease well inside the TTL.
  leases[0].reset();
  const milliseconds handed = WaitFor([&] { return Holders(leases) == 1; }, 4 * kTtl);
  CHECK(handed < kTtl);
  const size_t next = leases[1]->Held() ? 1 : 2;
  const size_t other = 3 - next;

  // A holder that dies (stops renewing) is replaced once the bucket expires its value: after the
  // TTL, and not long after.
  leases[next]->Abandon();
  CHECK(!leases[next]->Held());
  const auto abandoned = Clock::now();
  REQUIRE(WaitFor([&] { return leases[other]->Held(); }, 5 * kTtl) <= 5 * kTtl);
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - abandoned);
  CHECK(took >= kTtl / 2);  // the value lived at least until its TTL from the last renewal
  CHECK(took < 4 * kTtl);
  CHECK(leases[other]->Status().won == 1);
}

TEST_CASE("A holder cut off from NATS stops believing it holds the lease within half the TTL",
          "[lease]") {
  TempDir dir;
  auto nats = std::make_unique<NatsServer>(dir.Path("nats"));
  auto lease = StartLease(*nats, "http://a");
  REQUIRE(WaitFor([&] { return lease->Held(); }, milliseconds(5000)) <= milliseconds(5000));
  nats->Kill();
  const milliseconds gone = WaitFor([&] { return !lease->Held(); }, 2 * kTtl);
  CHECK(gone <= kTtl / 2 + milliseconds(50));
  CHECK(WaitFor([&] { return lease->Status().lost == 1; }, kTtl) <= kTtl);
  // NATS back (its files kept): once the old value has expired, the node takes the lease again.
  nats->Start();
  CHECK(WaitFor([&] { return lease->Held(); }, 15 * kTtl) <= 15 * kTtl);
}

TEST_CASE("A lease refuses options it cannot work with", "[lease]") {
  LeaseOptions options;
  options.holder = "http://a";
  CHECK(!Lease::Start(options));  // no server
  options.servers = {"nats://127.0.0.1:1"};
  options.holder.clear();
  CHECK(!Lease::Start(options));  // no name
  options.holder = "http://a";
  options.ttl = milliseconds(100);
  CHECK(!Lease::Start(options));  // a TTL too short to renew inside
}

}  // namespace
}  // namespace dialogue::app
