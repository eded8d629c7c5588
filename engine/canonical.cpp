#include "engine/canonical.hpp"

#include <cassert>
#include <nlohmann/json.hpp>

#include "engine/time.hpp"

namespace dialogue::engine {
namespace {

Status CheckStreamName(std::string_view stream) {
  if (stream.empty()) return Fail(Error::InvalidArgument("stream name is empty"));
  if (stream.find('\0') != std::string_view::npos) {
    return Fail(Error::InvalidArgument("stream name contains a NUL byte"));
  }
  return {};
}

Status CheckEventFields(std::string_view stream, const std::string& type,
                        const EventMetadata& metadata) {
  if (type.empty()) {
    return Fail(
        Error::InvalidArgument("event type is empty (stream '" + std::string(stream) + "')"));
  }
  if (!metadata.occurred_at.empty()) {
    auto parsed = ParseRfc3339(metadata.occurred_at);
    if (!parsed) return Fail(Error::InvalidArgument("occurred_at: " + parsed.error().message));
  }
  return {};
}

}  // namespace

Result<std::string> CanonicalizeData(std::string_view text) {
  const nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Fail(Error::InvalidArgument("event data is not valid JSON"));
  if (!parsed.is_object()) return Fail(Error::InvalidArgument("event data is not a JSON object"));
  // The parser accepted only valid UTF-8, so replace never triggers; it rules out exceptions.
  return parsed.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<AppendRequest> CanonicalizeRequest(AppendRequest request) {
  if (request.writes.empty()) return Fail(Error::InvalidArgument("append has no writes"));
  AppendRequest out = std::move(request);
  for (StreamWrite& write : out.writes) {
    RETURN_IF_ERROR(CheckStreamName(write.stream));
    for (ProposedEvent& event : write.events) {
      RETURN_IF_ERROR(CheckEventFields(write.stream, event.type, event.metadata));
      if (event.canonical) {
        assert(CanonicalizeData(event.data).value_or("") == event.data);
        continue;
      }
      auto canonical = CanonicalizeData(event.data);
      if (!canonical) {
        return Fail(Error::InvalidArgument(canonical.error().message + " (stream '" + write.stream +
                                           "', type '" + event.type + "')"));
      }
      event.data = std::move(*canonical);
    }
  }
  return out;
}

Status CheckRecordedEvent(const RecordedEvent& event) {
  RETURN_IF_ERROR(CheckStreamName(event.stream));
  RETURN_IF_ERROR(CheckEventFields(event.stream, event.type, event.metadata));
  ASSIGN_OR_RETURN(const std::string canonical, CanonicalizeData(event.data));
  if (canonical != event.data) {
    return Fail(Error::InvalidArgument("event data is not in canonical form"));
  }
  auto recorded = ParseRfc3339(event.metadata.recorded_at);
  if (!recorded) return Fail(Error::InvalidArgument("recorded_at: " + recorded.error().message));
  return {};
}

}  // namespace dialogue::engine
