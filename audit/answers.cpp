#include "audit/answers.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

namespace dialogue::audit {
namespace {

using nlohmann::json;
using Unexpected = tl::unexpected<std::string>;

// The deepest nesting of arrays and objects in `text`, strings skipped; stops counting past
// kMaxJsonDepth. (nlohmann's dump() recurses: a bounded depth keeps a hostile answer from
// exhausting the stack.)
size_t NestingDepth(std::string_view text) {
  size_t depth = 0;
  size_t deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > kMaxJsonDepth) break;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

tl::expected<json, std::string> ParseObject(std::string_view body) {
  if (NestingDepth(body) > kMaxJsonDepth) return Unexpected("malformed answer: nested too deep");
  json document = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return Unexpected("malformed answer: not JSON");
  if (!document.is_object()) return Unexpected("malformed answer: not a JSON object");
  return document;
}

std::optional<uint64_t> Unsigned(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_number_unsigned()) return std::nullopt;
  return it->get<uint64_t>();
}

std::optional<std::vector<Hash>> Hashes(const json& object) {
  const auto it = object.find("hashes");
  if (it == object.end() || !it->is_array() || it->size() > kMaxProofHashes) return std::nullopt;
  std::vector<Hash> out;
  out.reserve(it->size());
  for (const json& item : *it) {
    if (!item.is_string()) return std::nullopt;
    const std::optional<Hash> hash = HashFromHex(item.get_ref<const std::string&>());
    if (!hash) return std::nullopt;
    out.push_back(*hash);
  }
  return out;
}

}  // namespace

tl::expected<EventsPage, std::string> ParseEventsPage(std::string_view body) {
  auto document = ParseObject(body);
  if (!document) return Unexpected(document.error());
  const auto events = document->find("events");
  if (events == document->end() || !events->is_array()) {
    return Unexpected("malformed answer: no events array");
  }
  EventsPage page;
  page.events.reserve(events->size());
  for (const json& event : *events) {
    auto read = ReadEvent(event);
    if (!read) return Unexpected("malformed event: " + read.error());
    page.events.push_back(*read);
  }
  return page;
}

tl::expected<InclusionAnswer, std::string> ParseInclusionAnswer(std::string_view body) {
  auto document = ParseObject(body);
  if (!document) return Unexpected(document.error());
  const std::optional<uint64_t> position = Unsigned(*document, "position");
  const std::optional<uint64_t> tree_size = Unsigned(*document, "tree_size");
  const auto leaf_hash = document->find("leaf_hash");
  std::optional<Hash> leaf;
  if (leaf_hash != document->end() && leaf_hash->is_string()) {
    leaf = HashFromHex(leaf_hash->get_ref<const std::string&>());
  }
  std::optional<std::vector<Hash>> hashes = Hashes(*document);
  if (!position || !tree_size || !leaf || !hashes) {
    return Unexpected("malformed inclusion proof: position, tree_size, leaf_hash or hashes");
  }
  return InclusionAnswer{*position, *tree_size, *leaf, std::move(*hashes)};
}

tl::expected<ConsistencyAnswer, std::string> ParseConsistencyAnswer(std::string_view body) {
  auto document = ParseObject(body);
  if (!document) return Unexpected(document.error());
  const std::optional<uint64_t> from = Unsigned(*document, "from");
  const std::optional<uint64_t> to = Unsigned(*document, "to");
  std::optional<std::vector<Hash>> hashes = Hashes(*document);
  if (!from || !to || !hashes) return Unexpected("malformed consistency proof: from, to or hashes");
  return ConsistencyAnswer{*from, *to, std::move(*hashes)};
}

}  // namespace dialogue::audit
