// Internal to projections/: every place a stakeholder takes part (briefings, observer
// invitations, contribution requests, reports, State participations), in order of first
// appearance in the log, and the fold that records them as it folds an entity's event. Not
// synchronized itself.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "projections/routing.hpp"
#include "projections/table.hpp"
#include "workflows/events.hpp"
#include "workflows/participations.hpp"

namespace dialogue::projections::detail {

namespace wf = workflows;

struct ParticipationRef {
  Kind kind;
  std::string id;
};

// A stakeholder's participations in order of first appearance in the log.
struct ParticipationList {
  std::vector<ParticipationRef> refs;
  bool dirty = false;  // grew since the last snapshot
};

struct ParticipationIndex {
  // By stakeholder; hashed: the fold looks a stakeholder up for every invitation.
  std::unordered_map<std::string, ParticipationList, StringHash, std::equal_to<>> lists;
  std::vector<std::pair<const std::string, ParticipationList>*> dirty;  // grew since the snapshot

  void Add(std::string_view stakeholder, Kind kind, std::string_view id);
  // After a snapshot is stored: nothing is dirty.
  void MarkSaved();
};

// The stakeholders an event may add to an aggregate's participants (workflows::StatusIn decides
// whether it did). Others never start a participation.
std::span<const std::string> NewParticipantsOf(const wf::Event& event);

// Folds the event into the entity at `node` of `table` (its own event when `version` is given),
// marks it dirty, and records in `participations` the stakeholders the event made participants
// of it (for the aggregates that have participants: workflows::StatusIn).
template <class State>
Entry<State>& FoldEntity(Table<State>& table, Kind kind, typename Table<State>::Node& node,
                         const wf::Event& event, std::optional<uint64_t> version,
                         ParticipationIndex& participations) {
  const std::string_view id = node.first;
  Entry<State>& entry = node.second;
  // A participation starts when a stakeholder the event names takes part after it but did not
  // before (workflows::StatusIn decides both).
  constexpr bool kHasParticipants = requires { wf::StatusIn(entry.state, std::string_view()); };
  std::span<const std::string> named;
  // Most events name one stakeholder or none: no allocation for up to kInline of them.
  constexpr size_t kInline = 8;
  std::array<char, kInline> took_inline{};
  std::vector<char> took_heap;
  char* took_part = took_inline.data();
  if constexpr (kHasParticipants) {
    named = NewParticipantsOf(event);
    if (named.size() > kInline) {
      took_heap.resize(named.size());
      took_part = took_heap.data();
    }
    for (size_t i = 0; i < named.size(); ++i) {
      took_part[i] = wf::StatusIn(entry.state, named[i]).has_value();
    }
  }
  if constexpr (requires { wf::EvolveInPlace(entry.state, event); }) {
    wf::EvolveInPlace(entry.state, event);
  } else {
    entry.state = wf::Evolve(std::move(entry.state), event);
  }
  if (version) entry.version = *version;
  table.MarkDirty(node);
  if constexpr (kHasParticipants) {
    for (size_t i = 0; i < named.size(); ++i) {
      if (!took_part[i] && wf::StatusIn(entry.state, named[i])) {
        participations.Add(named[i], kind, id);
      }
    }
  }
  return entry;
}

}  // namespace dialogue::projections::detail
