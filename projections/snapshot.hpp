// Internal to projections/: the read models' snapshot, kept in the store's derived-state space
// (EventStore::state()) under "rm/": one entry per entity and per stakeholder's
// participations, and a checkpoint naming the log position and hash they were folded to
// (docs/read-models.md). A snapshot without its checkpoint, of another format or of another log
// is not read: the log is folded again instead.
#pragma once

#include <cstdint>
#include <memory>

#include "engine/event_store.hpp"
#include "engine/result.hpp"
#include "projections/model_data.hpp"

namespace dialogue::projections::detail {

// The entries changed since the last snapshot (the dirty ones) and the checkpoint, as one write;
// no puts when nothing changed and data is still at `saved_position`.
engine::StateStore::Batch ChangedSnapshot(const Data& data, uint64_t saved_position);

// Clears the snapshot space and stores every entry in writes of about 8 MB (one write of a
// 1M-event log's states would hold them three times over: the puts, the store's batch, its
// memtable), then the checkpoint alone. An interruption leaves no snapshot rather than a wrong
// one.
[[nodiscard]] engine::Status WriteFullSnapshot(engine::EventStore& store, const Data& data);

// After a snapshot is stored: nothing is dirty.
void MarkSaved(Data& data);

// The stored snapshot's data, or nullptr when there is none usable (none, another format,
// another log, undecodable).
[[nodiscard]] engine::Result<std::unique_ptr<Data>> LoadSnapshot(const engine::EventStore& store);

}  // namespace dialogue::projections::detail
