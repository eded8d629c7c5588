// Internal to projections/: one kind of entity's states by id, as every read model keeps them,
// with what changed since the last snapshot. Not synchronized itself.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "projections/queries.hpp"

namespace dialogue::projections::detail {

template <class State>
struct Entry {
  State state;
  uint64_t version = 0;  // of the aggregate's own stream
  bool dirty = false;    // changed since the last snapshot
};

// Hashes std::string and std::string_view alike, so lookups by a view allocate nothing.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

template <class State>
struct Table {
  using Map = std::map<std::string, Entry<State>, std::less<>>;
  using Node = typename Map::value_type;

  Table() = default;
  Table(const Table&) = delete;  // `index` points into `entries`
  Table& operator=(const Table&) = delete;

  Map entries;               // in id order, for the listings and the snapshot
  std::vector<Node*> dirty;  // the dirty entries (map nodes never move)
  // Every entry by id, for the fold's lookups: a hash probe instead of a walk down the tree of
  // a 100k-entry map (a cache miss per level). The keys view the map's own keys.
  std::unordered_map<std::string_view, Node*> index;

  Node& UpsertNode(std::string_view id) {
    if (auto found = index.find(id); found != index.end()) return *found->second;
    // Ids usually arrive in order (a log's entities are created in turn): hinted at the end,
    // such an insert makes no comparisons down the tree; any other costs one more.
    Node& node = *entries.emplace_hint(entries.end(), std::string(id), Entry<State>{});
    index.emplace(node.first, &node);
    return node;
  }
  Entry<State>& Upsert(std::string_view id) { return UpsertNode(id).second; }
  Entry<State>* Find(std::string_view id) {
    auto found = index.find(id);
    return found == index.end() ? nullptr : &found->second->second;
  }
  const Entry<State>* Find(std::string_view id) const {
    auto found = index.find(id);
    return found == index.end() ? nullptr : &found->second->second;
  }
  void MarkDirty(Node& node) {
    if (node.second.dirty) return;
    node.second.dirty = true;
    dirty.push_back(&node);
  }

  // A copy of the entity's state, if it exists.
  std::optional<Versioned<State>> Get(std::string_view id) const {
    const Entry<State>* entry = Find(id);
    if (entry == nullptr || !entry->state.exists()) return std::nullopt;
    return Versioned<State>{entry->state, entry->version};
  }
  // Copies of every existing entity's state, in id order.
  std::vector<State> All() const {
    std::vector<State> out;
    out.reserve(entries.size());
    for (const auto& [id, entry] : entries) {
      if (entry.state.exists()) out.push_back(entry.state);
    }
    return out;
  }
};

}  // namespace dialogue::projections::detail
