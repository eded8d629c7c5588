// ImportDecoder: reads `dialogue export`'s NDJSON line by line for `dialogue import`, checking
// that each line continues the chain (api/cli/commands.hpp RunImport). Pure: it touches no store,
// so the fuzzer (tests/fuzz) drives it directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/event.hpp"
#include "engine/result.hpp"

namespace dialogue::api {

class ImportDecoder {
 public:
  ImportDecoder();

  // The event of one line, which must be the next of the chain: position head + 1, its stream's
  // next version, prev_hash the previous event's hash, hash recomputed. A blank line: nullopt.
  // kInvalidArgument with the reason otherwise. Each event returned becomes the head.
  [[nodiscard]] engine::Result<std::optional<engine::RecordedEvent>> Next(std::string_view line);

  uint64_t head_position() const { return expected_position_ - 1; }
  const std::string& head_hash() const { return previous_hash_; }

 private:
  std::unordered_map<std::string, uint64_t> versions_;
  std::string previous_hash_;
  uint64_t expected_position_ = 1;
};

}  // namespace dialogue::api
