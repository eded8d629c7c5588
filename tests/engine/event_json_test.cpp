#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

#include "engine/event_json.hpp"
#include "engine/event_store.hpp"
#include "engine/hash_chain.hpp"
#include "tests/support/sample_events.hpp"

namespace dialogue::engine {
namespace {

using dialogue::testing::AppendEvents;

std::vector<RecordedEvent> TwoEvents() {
  auto store = NewInMemoryEventStore();
  AppendEvents(*store, "briefing-b1", 2);
  return store->ReadAll(0, 10).value();
}

TEST_CASE("An event serializes with every member of the contract", "[event_json]") {
  const auto events = TwoEvents();
  const nlohmann::json first = EventToJson(events[0]);
  CHECK(first["position"] == 1);
  CHECK(first["stream"] == "briefing-b1");
  CHECK(first["version"] == 1);
  CHECK(first["type"] == "TestEventRecorded");
  CHECK(first["data"].is_object());
  CHECK(first["data"]["text"] == "Viet Nam \u00e9");
  CHECK(first["occurred_at"] == "2026-03-10T09:30:00Z");
  CHECK(first["recorded_at"].is_string());
  CHECK(first["actor"] == "sec-ana");
  CHECK(first["role"] == "secretariat");
  CHECK(first["on_behalf_of"].is_null());
  CHECK(first["note"].is_null());
  CHECK(first["correlation_id"] == "c-0");
  CHECK(first["hash"] == events[0].hash);
  CHECK(first["prev_hash"] == kGenesisHash);
  CHECK(first.size() == 14);

  const nlohmann::json second = EventToJson(events[1]);
  CHECK(second["on_behalf_of"] == "ngo-a-rep");
  CHECK(second["note"] == "note 1");
  CHECK(second["prev_hash"] == events[0].hash);
}

TEST_CASE("An event read back from its JSON text is the same event", "[event_json]") {
  for (const auto& event : TwoEvents()) {
    const std::string line = EventToJson(event).dump();
    auto back = EventFromJson(nlohmann::json::parse(line));
    REQUIRE(back);
    CHECK(*back == event);
    CHECK(ComputeEventHash(*back) == event.hash);
  }
}

TEST_CASE("EventFromJson names the first bad member", "[event_json]") {
  const nlohmann::json good = EventToJson(TwoEvents()[0]);
  const auto error_for = [&](const char* member, nlohmann::json value) {
    nlohmann::json bad = good;
    if (value.is_discarded()) {
      bad.erase(member);
    } else {
      bad[member] = std::move(value);
    }
    auto event = EventFromJson(bad);
    REQUIRE_FALSE(event);
    return event.error().message;
  };
  CHECK_THAT(error_for("position", -1), Catch::Contains("position"));
  CHECK_THAT(error_for("data", "{}"), Catch::Contains("data"));
  CHECK_THAT(error_for("hash", nlohmann::json(nlohmann::json::value_t::discarded)),
             Catch::Contains("hash"));
  CHECK_THAT(error_for("actor", nullptr), Catch::Contains("actor"));
  CHECK_FALSE(EventFromJson(nlohmann::json::array()));
}

TEST_CASE("AppendEventJson writes byte for byte what EventToJson's dump writes", "[event_json]") {
  std::vector<RecordedEvent> events = TwoEvents();
  RecordedEvent odd = events[1];
  odd.metadata.note = std::string("quote \" backslash \\ controls \b\f\n\r\t\x01\x1f del \x7f") +
                      " slash / Viet Nam \xc3\xa9 \xe2\x82\xac";
  odd.metadata.actor = "a\"b";
  odd.stream = "briefing-b\xc3\xa9";
  odd.data = R"({"a":[1,2.5,-3e-07,true,null],"b":{"c":"\u0001\n"},"d":1.0e+100})";
  odd.data = nlohmann::json::parse(odd.data).dump();  // canonical, as stored
  events.push_back(odd);
  for (const RecordedEvent& event : events) {
    std::string text;
    AppendEventJson(text, event);
    CHECK(text == EventToJson(event).dump());
  }
}

}  // namespace
}  // namespace dialogue::engine
