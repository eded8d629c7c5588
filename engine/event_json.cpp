#include "engine/event_json.hpp"

#include <charconv>
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

void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t plain = 0;  // start of the run of bytes not yet copied
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c != '"' && c != '\\' && c >= 0x20) continue;
    out.append(text.substr(plain, i - plain));
    plain = i + 1;
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
  }
  out.append(text.substr(plain));
  out.push_back('"');
}

void AppendEventJson(std::string& out, const RecordedEvent& event) {
  const auto number = [&out](uint64_t value) {
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
    out.append(buffer, end);
  };
  const auto string_or_null = [&out](const std::string& text) {
    if (text.empty()) {
      out.append("null");
    } else {
      AppendJsonString(out, text);
    }
  };
  const EventMetadata& m = event.metadata;
  // nlohmann::json keeps an object's keys sorted: the same order here.
  out.append("{\"actor\":");
  AppendJsonString(out, m.actor);
  out.append(",\"correlation_id\":");
  AppendJsonString(out, m.correlation_id);
  out.append(",\"data\":");
  out.append(event.data.empty() ? std::string_view("null") : std::string_view(event.data));
  out.append(",\"hash\":");
  AppendJsonString(out, event.hash);
  out.append(",\"note\":");
  string_or_null(m.note);
  out.append(",\"occurred_at\":");
  AppendJsonString(out, m.occurred_at);
  out.append(",\"on_behalf_of\":");
  string_or_null(m.on_behalf_of);
  out.append(",\"position\":");
  number(event.position);
  out.append(",\"prev_hash\":");
  AppendJsonString(out, event.prev_hash);
  out.append(",\"recorded_at\":");
  AppendJsonString(out, m.recorded_at);
  out.append(",\"role\":");
  AppendJsonString(out, m.role);
  out.append(",\"stream\":");
  AppendJsonString(out, event.stream);
  out.append(",\"type\":");
  AppendJsonString(out, event.type);
  out.append(",\"version\":");
  number(event.version);
  out.push_back('}');
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
