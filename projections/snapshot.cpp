#include "projections/snapshot.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "workflows/state_fields.hpp"

namespace dialogue::projections::detail {

// An entry's field list (workflows/field_codec.hpp): its state's, then its stream's version. The
// dirty flag is the process's own.
template <class V, class State>
void Fields(V& v, Entry<State>& entry) {
  v("state", entry.state);
  v("version", entry.version);
}

namespace {

using nlohmann::json;

// A snapshot writes every field, so a missing one means the entry is not of this format.
constexpr auto kAbsent = workflows::codec::Absent::kIsAnError;

// Bump when the snapshot's layout or a state's JSON form changes: a snapshot of another version
// is not read, the log is folded again instead (docs/read-models.md).
constexpr int kSnapshotFormatVersion = 1;

// A full snapshot is written in pieces of about this size (the checkpoint last).
constexpr size_t kFullSnapshotBatchBytes = 8 << 20;

constexpr std::string_view kKeyPrefix = "rm/";
constexpr std::string_view kCheckpointKey = "rm/checkpoint";
constexpr std::string_view kParticipationsKind = "participations";

std::string SnapshotKey(std::string_view kind, std::string_view id) {
  std::string key;
  key.reserve(kKeyPrefix.size() + kind.size() + 1 + id.size());
  key.append(kKeyPrefix).append(kind).append("/").append(id);
  return key;
}

template <class State>
std::string EncodeEntry(const Entry<State>& entry) {
  std::string out;
  workflows::codec::AppendText(out, entry);
  return out;
}

std::string EncodeParticipations(const ParticipationList& list) {
  json refs = json::array();
  for (const auto& ref : list.refs) refs.push_back(json::array({KindName(ref.kind), ref.id}));
  return refs.dump();
}

// Straight from the text where it can (codec::FromText), through a document where it gives up
// (an escaped character in a state's text, say).
template <class State>
bool DecodeEntry(std::string_view text, Entry<State>& entry) {
  if (workflows::codec::FromText<kAbsent>(text, entry)) return true;
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return !j.is_discarded() && workflows::codec::FromDocument<kAbsent>(j, entry);
}

std::string EncodeCheckpoint(const Data& d) {
  const json checkpoint = {{"format_version", kSnapshotFormatVersion},
                           {"position", d.position},
                           {"hash", d.hash},
                           {"skipped", d.skipped}};
  return checkpoint.dump();
}

}  // namespace

engine::StateStore::Batch ChangedSnapshot(const Data& d, uint64_t saved_position) {
  engine::StateStore::Batch write;
  Data::ForEachTable(d, [&](Kind kind, const auto& table) {
    for (const auto* node : table.dirty) {
      write.puts.emplace_back(SnapshotKey(KindName(kind), node->first), EncodeEntry(node->second));
    }
  });
  for (const auto* node : d.participations.dirty) {
    write.puts.emplace_back(SnapshotKey(kParticipationsKind, node->first),
                            EncodeParticipations(node->second));
  }
  if (write.puts.empty() && d.position == saved_position) return write;
  write.puts.emplace_back(std::string(kCheckpointKey), EncodeCheckpoint(d));
  return write;
}

engine::Status WriteFullSnapshot(engine::EventStore& store, const Data& d) {
  RETURN_IF_ERROR(store.state().Clear());
  engine::StateStore::Batch write;
  size_t bytes = 0;
  auto put = [&](std::string key, std::string value) -> engine::Status {
    bytes += key.size() + value.size();
    write.puts.emplace_back(std::move(key), std::move(value));
    if (bytes < kFullSnapshotBatchBytes) return {};
    RETURN_IF_ERROR(store.state().Write(write));
    write.puts.clear();
    bytes = 0;
    return {};
  };
  engine::Status status;
  Data::ForEachTable(d, [&](Kind kind, const auto& table) {
    for (const auto& [id, entry] : table.entries) {
      if (status) status = put(SnapshotKey(KindName(kind), id), EncodeEntry(entry));
    }
  });
  RETURN_IF_ERROR(status);
  for (const auto& [stakeholder, list] : d.participations.lists) {
    RETURN_IF_ERROR(put(SnapshotKey(kParticipationsKind, stakeholder), EncodeParticipations(list)));
  }
  if (!write.puts.empty()) RETURN_IF_ERROR(store.state().Write(write));
  return store.state().Write({{{std::string(kCheckpointKey), EncodeCheckpoint(d)}}, {}});
}

void MarkSaved(Data& data) {
  Data::ForEachTable(data, [](Kind, auto& table) {
    for (auto* node : table.dirty) node->second.dirty = false;
    table.dirty.clear();
  });
  data.participations.MarkSaved();
}

engine::Result<std::unique_ptr<Data>> LoadSnapshot(const engine::EventStore& store) {
  ASSIGN_OR_RETURN(std::optional<std::string> checkpoint_text, store.state().Read(kCheckpointKey));
  if (!checkpoint_text) return nullptr;
  const json checkpoint = json::parse(*checkpoint_text, nullptr, /*allow_exceptions=*/false);
  if (!checkpoint.is_object()) return nullptr;
  auto format = checkpoint.find("format_version");
  auto position_it = checkpoint.find("position");
  auto hash_it = checkpoint.find("hash");
  auto skipped_it = checkpoint.find("skipped");
  if (format == checkpoint.end() || !format->is_number_integer() ||
      format->get<int64_t>() != kSnapshotFormatVersion || position_it == checkpoint.end() ||
      !position_it->is_number_unsigned() || hash_it == checkpoint.end() || !hash_it->is_string() ||
      skipped_it == checkpoint.end() || !skipped_it->is_number_unsigned()) {
    return nullptr;
  }
  auto fresh = std::make_unique<Data>();
  fresh->position = position_it->get<uint64_t>();
  fresh->hash = hash_it->get<std::string>();
  fresh->skipped = skipped_it->get<uint64_t>();
  // The checkpoint must name an event of this log: same position, same hash.
  if (fresh->position > 0) {
    ASSIGN_OR_RETURN(auto at, store.ReadAll(fresh->position - 1, 1));
    if (at.empty() || at.front().position != fresh->position || at.front().hash != fresh->hash) {
      return nullptr;
    }
  } else if (!fresh->hash.empty()) {
    return nullptr;
  }

  // Entry by entry, never the whole stored snapshot at once: the peak stays near the states.
  bool usable = true;
  auto load = [&fresh](std::string_view key, std::string_view value) -> bool {
    if (key == kCheckpointKey) return true;
    const std::string_view rest = key.substr(kKeyPrefix.size());
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return false;
    const std::string_view kind_name = rest.substr(0, slash);
    const std::string_view id = rest.substr(slash + 1);
    if (kind_name == kParticipationsKind) {
      const json j = json::parse(value, nullptr, /*allow_exceptions=*/false);
      if (!j.is_array()) return false;
      auto& refs = fresh->participations.lists[std::string(id)].refs;
      refs.reserve(j.size());
      for (const auto& item : j) {
        if (!item.is_array() || item.size() != 2 || !item[0].is_string() || !item[1].is_string()) {
          return false;
        }
        auto kind = ParseKind(item[0].get_ref<const std::string&>());
        if (!kind) return false;
        refs.push_back(ParticipationRef{*kind, item[1].get<std::string>()});
      }
      return true;
    }
    auto kind = ParseKind(kind_name);
    if (!kind) return false;
    bool ok = false;
    Data::ForEachTable(*fresh, [&](Kind table_kind, auto& table) {
      if (table_kind != *kind) return;
      auto& entry = table.Upsert(id);
      ok = DecodeEntry(value, entry);
    });
    return ok;
  };
  RETURN_IF_ERROR(
      store.state().Visit(kKeyPrefix, [&](std::string_view key, std::string_view value) {
        usable = load(key, value);
        return usable;
      }));
  if (!usable) return nullptr;
  fresh->RebuildDerivedIndexes();
  return fresh;
}

}  // namespace dialogue::projections::detail
