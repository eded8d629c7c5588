#include "api/routes/import_decoder.hpp"

#include <nlohmann/json.hpp>

#include "engine/event_json.hpp"
#include "engine/hash_chain.hpp"

namespace dialogue::api {
namespace {

engine::Error Refused(std::string why) { return engine::Error::InvalidArgument(std::move(why)); }

}  // namespace

ImportDecoder::ImportDecoder() : previous_hash_(engine::kGenesisHash) {}

engine::Result<std::optional<engine::RecordedEvent>> ImportDecoder::Next(std::string_view line) {
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) return std::nullopt;
  const nlohmann::json value = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return engine::Fail(Refused("not valid JSON"));
  auto event = engine::EventFromJson(value);
  if (!event) return engine::Fail(Refused(event.error().message));
  if (event->position != expected_position_) {
    return engine::Fail(Refused("position " + std::to_string(event->position) +
                                " out of order (expected " + std::to_string(expected_position_) +
                                ")"));
  }
  uint64_t& version = versions_[event->stream];
  if (event->version != version + 1) {
    return engine::Fail(Refused("version " + std::to_string(event->version) + " of stream " +
                                event->stream + " out of order (expected " +
                                std::to_string(version + 1) + ")"));
  }
  if (event->prev_hash != previous_hash_) {
    return engine::Fail(Refused("prev_hash does not link to the previous event's hash"));
  }
  if (engine::ComputeEventHash(*event) != event->hash) {
    return engine::Fail(Refused("hash does not match the event (altered or forged)"));
  }
  version = event->version;
  previous_hash_ = event->hash;
  ++expected_position_;
  return std::optional<engine::RecordedEvent>(std::move(*event));
}

}  // namespace dialogue::api
