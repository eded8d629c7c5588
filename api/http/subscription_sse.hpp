// Server-Sent Events, the wire format of GET /v1/subscribe (docs/subscriptions.md): the records
// the server writes, and the parsers a client of the stream needs (the tests and
// bench/fanout_bench read it over raw sockets).
//
// A record is "id: <position>\nevent: <type>\ndata: <the event object of engine/event_json.hpp on
// one line>\n\n". The stream opens with a "retry: <ms>\n\n" hint; ": keep-alive\n\n" comments
// keep quiet connections open. Pure functions and a single-threaded parser.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event.hpp"

namespace dialogue::api {

inline constexpr std::string_view kSseKeepAlive = ": keep-alive\n\n";

// The record of one event.
std::string SseEventRecord(const engine::RecordedEvent& event);

// "retry: <ms>\n\n": how long a client should wait before reconnecting.
std::string SseRetryRecord(std::chrono::milliseconds retry);

// One dispatched message: the fields of a record up to its blank line.
struct SseMessage {
  std::string id;     // the last event id after this message (it persists, as in EventSource)
  std::string event;  // empty: "message"
  std::string data;   // the data lines joined with '\n'
};

// Reads a stream of SSE bytes as they arrive (any split), following the HTML standard's rules:
// lines end in LF, CRLF or CR; ':' starts a comment; "field: value" loses one leading space; a
// blank line dispatches the message when it has data (an id alone only updates the last id).
class SseParser {
 public:
  // Appends the messages completed by these bytes to out.
  void Feed(std::string_view bytes, std::vector<SseMessage>& out);

  const std::string& last_event_id() const { return last_event_id_; }
  std::optional<std::chrono::milliseconds> retry() const { return retry_; }
  uint64_t comments() const { return comments_; }

 private:
  void Line(std::string_view line, std::vector<SseMessage>& out);

  std::string line_;
  bool after_cr_ = false;  // the previous byte was a CR (a following LF belongs to it)
  std::string event_;
  std::string data_;
  bool has_data_ = false;
  std::string last_event_id_;
  std::optional<std::chrono::milliseconds> retry_;
  uint64_t comments_ = 0;
};

// Decodes an HTTP/1.1 chunked body as its bytes arrive (any split), for clients reading the
// stream over a raw socket. Chunk extensions and trailers are skipped.
class ChunkedDecoder {
 public:
  // Appends the body bytes these bytes complete to out. Returns false on malformed input.
  bool Feed(std::string_view bytes, std::string& out);
  // True once the last (zero-size) chunk and its trailer have arrived: the stream ended cleanly.
  bool done() const { return state_ == State::kDone; }

 private:
  enum class State { kSize, kData, kDataEnd, kTrailer, kDone, kBad };
  State state_ = State::kSize;
  std::string line_;
  uint64_t remaining_ = 0;
};

}  // namespace dialogue::api
