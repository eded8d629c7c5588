#include "engine/event_json.hpp"

#include <nlohmann/json.hpp>

namespace dialogue::engine {
namespace {

nlohmann::json NullIfEmpty(const std::string& s) {
  return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
}

Error BadMember(const char* name, const char* expected) {
  return Error::InvalidArgument(std::string("\"") + name + "\" must be " + expected);
}

Status ReadString(const nlohmann::json& value, const char* name, bool nullable, std::string* out) {
  auto it = value.find(name);
  if (it != value.end() && it->is_string()) {
    *out = it->get<std::string>();
    return {};
  }
  if (nullable && it != value.end() && it->is_null()) {
    out->clear();
    return {};
  }
  return Fail(BadMember(name, nullable ? "a string or null" : "a string"));
}

Status ReadUnsigned(const nlohmann::json& value, const char* name, uint64_t* out) {
  auto it = value.find(name);
  if (it == value.end() || !it->is_number_unsigned()) {
    return Fail(BadMember(name, "a non-negative integer"));
  }
  *out = it->get<uint64_t>();
  return {};
}

}  // namespace

nlohmann::json EventToJson(const RecordedEvent& event) {
  nlohmann::json data = nlohmann::json::parse(event.data, nullptr, /*allow_exceptions=*/false);
  if (data.is_discarded()) data = nullptr;  // cannot happen for stored events: data is canonical
  return nlohmann::json{
      {"position", event.position},
      {"stream", event.stream},
      {"version", event.version},
      {"type", event.type},
      {"data", std::move(data)},
      {"occurred_at", event.metadata.occurred_at},
      {"recorded_at", event.metadata.recorded_at},
      {"actor", event.metadata.actor},
      {"role", event.metadata.role},
      {"on_behalf_of", NullIfEmpty(event.metadata.on_behalf_of)},
      {"note", NullIfEmpty(event.metadata.note)},
      {"correlation_id", event.metadata.correlation_id},
      {"hash", event.hash},
      {"prev_hash", event.prev_hash},
  };
}

Result<RecordedEvent> EventFromJson(const nlohmann::json& value) {
  if (!value.is_object()) {
    return Fail(Error::InvalidArgument("an event must be a JSON object"));
  }
  RecordedEvent event;
  RETURN_IF_ERROR(ReadUnsigned(value, "position", &event.position));
  RETURN_IF_ERROR(ReadString(value, "stream", false, &event.stream));
  RETURN_IF_ERROR(ReadUnsigned(value, "version", &event.version));
  RETURN_IF_ERROR(ReadString(value, "type", false, &event.type));
  auto data = value.find("data");
  if (data == value.end() || !data->is_object()) {
    return Fail(BadMember("data", "a JSON object"));
  }
  event.data = data->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  EventMetadata& m = event.metadata;
  RETURN_IF_ERROR(ReadString(value, "occurred_at", false, &m.occurred_at));
  RETURN_IF_ERROR(ReadString(value, "recorded_at", false, &m.recorded_at));
  RETURN_IF_ERROR(ReadString(value, "actor", false, &m.actor));
  RETURN_IF_ERROR(ReadString(value, "role", false, &m.role));
  RETURN_IF_ERROR(ReadString(value, "on_behalf_of", true, &m.on_behalf_of));
  RETURN_IF_ERROR(ReadString(value, "note", true, &m.note));
  RETURN_IF_ERROR(ReadString(value, "correlation_id", false, &m.correlation_id));
  RETURN_IF_ERROR(ReadString(value, "hash", false, &event.hash));
  RETURN_IF_ERROR(ReadString(value, "prev_hash", false, &event.prev_hash));
  return event;
}

}  // namespace dialogue::engine
