// The SSE wire format: the records the server writes and the parsers its clients use.
#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "api/http/subscription_sse.hpp"
#include "engine/event_json.hpp"

namespace dialogue::api {
namespace {

engine::RecordedEvent SampleEvent() {
  engine::RecordedEvent event;
  event.position = 42;
  event.stream = "briefing-b1";
  event.version = 3;
  event.type = "AttendanceConfirmed";
  event.data = R"({"text":"line one\nline two\r\n: not a comment"})";
  event.metadata.occurred_at = "2026-03-10T09:30:00Z";
  event.metadata.recorded_at = "2026-03-10T09:30:01Z";
  event.metadata.actor = "ngo-a-rep";
  event.metadata.role = "stakeholder";
  event.prev_hash = std::string(64, '1');
  event.hash = std::string(64, '2');
  return event;
}

std::vector<SseMessage> ParseAll(std::string_view text, size_t piece) {
  SseParser parser;
  std::vector<SseMessage> out;
  for (size_t i = 0; i < text.size(); i += piece) parser.Feed(text.substr(i, piece), out);
  return out;
}

TEST_CASE("An event's record is id, event and the event object on one data line", "[sse]") {
  const engine::RecordedEvent event = SampleEvent();
  const std::string record = SseEventRecord(event);
  CHECK(record ==
        "id: 42\nevent: AttendanceConfirmed\ndata: " + engine::EventToJson(event).dump() + "\n\n");
  // Exactly four line ends: newlines inside the data are escaped by JSON.
  CHECK(std::count(record.begin(), record.end(), '\n') == 4);
  CHECK(record.find('\r') == std::string::npos);
}

TEST_CASE("The parser reads records however the bytes are split", "[sse]") {
  const engine::RecordedEvent event = SampleEvent();
  const std::string text = SseRetryRecord(std::chrono::milliseconds(2500)) +
                           std::string(kSseKeepAlive) + SseEventRecord(event) +
                           SseEventRecord(event);
  for (size_t piece : {1, 2, 3, 7, 64, 100000}) {
    INFO("pieces of " << piece);
    SseParser parser;
    std::vector<SseMessage> out;
    for (size_t i = 0; i < text.size(); i += piece) {
      parser.Feed(std::string_view(text).substr(i, piece), out);
    }
    REQUIRE(out.size() == 2);
    CHECK(out[0].id == "42");
    CHECK(out[0].event == "AttendanceConfirmed");
    CHECK(nlohmann::json::parse(out[0].data) == engine::EventToJson(event));
    CHECK(parser.retry() == std::chrono::milliseconds(2500));
    CHECK(parser.comments() == 1);
    CHECK(parser.last_event_id() == "42");
  }
}

TEST_CASE("The parser follows the standard: CRLF and CR, data lines, ids without data", "[sse]") {
  const auto out = ParseAll("data: a\r\ndata:b\r\n\r\nid: 7\n\nevent: x\rdata: c\r\r", 5);
  REQUIRE(out.size() == 2);
  CHECK(out[0].data == "a\nb");
  CHECK(out[0].id.empty());
  CHECK(out[1].id == "7");  // the id persists; a record with only an id dispatches nothing
  CHECK(out[1].event == "x");
  CHECK(out[1].data == "c");
}

std::string Decode(std::string_view body, size_t piece, bool* done = nullptr) {
  ChunkedDecoder decoder;
  std::string out;
  for (size_t i = 0; i < body.size(); i += piece) {
    REQUIRE(decoder.Feed(body.substr(i, piece), out));
  }
  if (done != nullptr) *done = decoder.done();
  return out;
}

TEST_CASE("The chunked decoder joins chunks however the bytes are split", "[sse]") {
  const std::string body =
      "5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n";
  for (size_t piece : {1, 2, 3, 5, 1000}) {
    INFO("pieces of " << piece);
    bool done = false;
    CHECK(Decode(body, piece, &done) == "hello 0123456789");
    CHECK(done);
  }
  bool done = true;
  CHECK(Decode("3\r\nabc\r\n", 2, &done) == "abc");
  CHECK_FALSE(done);  // no last chunk yet: the stream did not end cleanly
}

TEST_CASE("The chunked decoder refuses a malformed size or a missing chunk end", "[sse]") {
  std::string out;
  ChunkedDecoder bad_size;
  CHECK_FALSE(bad_size.Feed("zz\r\n", out));
  ChunkedDecoder no_crlf;
  CHECK_FALSE(no_crlf.Feed("2\r\nabX\r\n", out));
}

}  // namespace
}  // namespace dialogue::api
