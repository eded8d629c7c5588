#include "audit/event_hash.hpp"

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace dialogue::audit {
namespace {

using nlohmann::json;
using Unexpected = tl::unexpected<std::string>;

constexpr std::string_view kDomainTag = "dialogue.event.v1";

// The encoding of docs/storage.md: integers big-endian, lp(x) = u32 length then the bytes.
class Encoder {
 public:
  void U64(uint64_t value) {
    for (int shift = 56; shift >= 0; shift -= 8)
      bytes_.push_back(static_cast<char>(value >> shift));
  }
  void Raw(const Hash& hash) {
    bytes_.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  }
  void Lp(std::string_view text) {
    const auto length = static_cast<uint32_t>(text.size());
    for (int shift = 24; shift >= 0; shift -= 8)
      bytes_.push_back(static_cast<char>(length >> shift));
    bytes_.append(text);
  }
  Hash Digest() const { return Sha256({BytesOf(bytes_)}); }

 private:
  std::string bytes_;
};

const json* Field(const json& event, const char* name) {
  const auto it = event.find(name);
  return it == event.end() ? nullptr : &*it;
}

std::optional<std::string_view> StringField(const json& event, const char* name, bool nullable) {
  const json* value = Field(event, name);
  if (value == nullptr) return std::nullopt;
  if (nullable && value->is_null()) return std::string_view();
  if (!value->is_string()) return std::nullopt;
  const std::string& text = value->get_ref<const std::string&>();
  if (text.size() > UINT32_MAX) return std::nullopt;
  return std::string_view(text);
}

std::optional<uint64_t> UnsignedField(const json& event, const char* name) {
  const json* value = Field(event, name);
  if (value == nullptr || !value->is_number_unsigned()) return std::nullopt;
  return value->get<uint64_t>();
}

std::optional<Hash> HexField(const json& event, const char* name) {
  const json* value = Field(event, name);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return HashFromHex(value->get_ref<const std::string&>());
}

}  // namespace

tl::expected<AuditedEvent, std::string> ReadEvent(const json& event) {
  if (!event.is_object()) return Unexpected("an event is not a JSON object");
  AuditedEvent out;
  const std::optional<uint64_t> position = UnsignedField(event, "position");
  const std::optional<uint64_t> version = UnsignedField(event, "version");
  if (!position || !version) return Unexpected("an event's position or version is not a number");
  out.position = *position;
  const std::optional<Hash> hash = HexField(event, "hash");
  const std::optional<Hash> prev_hash = HexField(event, "prev_hash");
  if (!hash || !prev_hash) {
    return Unexpected("an event's hash or prev_hash is not 64 lower-case hex digits");
  }
  out.hash = *hash;
  out.prev_hash = *prev_hash;

  const json* data = Field(event, "data");
  if (data == nullptr || !data->is_object()) return Unexpected("an event's data is not an object");
  std::string canonical_data;
  try {
    canonical_data = data->dump();
  } catch (const json::exception&) {  // not UTF-8: a parsed document cannot hold it, but be safe
    return Unexpected("an event's data cannot be written as JSON");
  }
  if (canonical_data.size() > UINT32_MAX) return Unexpected("an event's data is too long");

  const auto stream = StringField(event, "stream", false);
  const auto type = StringField(event, "type", false);
  const auto occurred_at = StringField(event, "occurred_at", false);
  const auto recorded_at = StringField(event, "recorded_at", false);
  const auto actor = StringField(event, "actor", false);
  const auto role = StringField(event, "role", false);
  const auto on_behalf_of = StringField(event, "on_behalf_of", true);
  const auto note = StringField(event, "note", true);
  const auto correlation_id = StringField(event, "correlation_id", false);
  if (!stream || !type || !occurred_at || !recorded_at || !actor || !role || !on_behalf_of ||
      !note || !correlation_id) {
    return Unexpected("an event's text field is missing or not a string");
  }

  Encoder encoder;
  encoder.Lp(kDomainTag);
  encoder.Raw(out.prev_hash);
  encoder.U64(out.position);
  encoder.Lp(*stream);
  encoder.U64(*version);
  encoder.Lp(*type);
  encoder.Lp(canonical_data);
  encoder.Lp(*occurred_at);
  encoder.Lp(*recorded_at);
  encoder.Lp(*actor);
  encoder.Lp(*role);
  encoder.Lp(*on_behalf_of);
  encoder.Lp(*note);
  encoder.Lp(*correlation_id);
  out.recomputed = encoder.Digest();
  return out;
}

}  // namespace dialogue::audit
