// `dialogue serve` as a process: a subscription follows a command's event live, and SIGTERM ends
// it cleanly (the stream's last chunk, then exit 0).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/api/subscription_test_support.hpp"
#include "tests/api/test_support.hpp"

namespace dialogue::api {
namespace {

TEST_CASE("dialogue serve streams live events and ends subscriptions cleanly on SIGTERM",
          "[subscription][process]") {
  testing::TempDir dir;
  const std::string tokens = dir.Path("tokens.json");
  testing::WriteFile(tokens, testing::SubscriptionTokensJson());
  testing::ServerProcess server(dir.Path("data"), tokens);

  testing::SseClient subscriber(
      server.port(), "/v1/subscribe?types=ConferenceSessionRegistered",
      {{"Authorization", std::string("Bearer ") + testing::kIntegrationToken}});
  REQUIRE(subscriber.WaitForHead());
  CHECK(subscriber.status() == 200);
  REQUIRE(subscriber.ReadUntil([&] { return subscriber.parser().retry().has_value(); }));

  testing::HttpClient writer(server.port());
  auto headers = testing::Bearer(testing::kWriterToken);
  headers["Content-Type"] = "application/json";
  const testing::Reply created = writer.Send(
      "POST", "/v1/conference-sessions", headers,
      R"({"id":"cop-12","title":"Twelfth session","starts_on":"2024-10-14","ends_on":"2024-10-18"})");
  REQUIRE(created.status == 201);
  const auto position = nlohmann::json::parse(created.body)["position"].get<uint64_t>();

  REQUIRE(subscriber.ReadUntil([&] { return subscriber.messages().size() == 1; }));
  CHECK(subscriber.messages()[0].id == std::to_string(position));
  CHECK(subscriber.messages()[0].event == "ConferenceSessionRegistered");

  CHECK(server.Terminate() == 0);
  REQUIRE(subscriber.ReadToEnd());
  CHECK(subscriber.ended_cleanly());
}

}  // namespace
}  // namespace dialogue::api
