#include "projections/read_models.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <span>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

#include "projections/routing.hpp"
#include "projections/state_codec.hpp"

namespace dialogue::projections {
namespace {

using nlohmann::json;
namespace wf = workflows;

// Events read from the store per ReadAll call while catching up.
constexpr size_t kPageSize = 1000;

// Bump when the snapshot's layout or a state's JSON form changes: a snapshot of another version
// is not read, the log is folded again instead (docs/read-models.md).
constexpr int kSnapshotFormatVersion = 1;

// A full snapshot is written in pieces of about this size (the checkpoint last).
constexpr size_t kFullSnapshotBatchBytes = 8 << 20;

constexpr std::string_view kKeyPrefix = "rm/";
constexpr std::string_view kCheckpointKey = "rm/checkpoint";
constexpr std::string_view kParticipationsKind = "participations";

using detail::Kind;
using detail::KindName;
using detail::ParseKind;

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// The stakeholders an event may add to an aggregate's participants (workflows::ParticipationIn
// decides whether it did). Others never start a participation.
std::span<const std::string> NewParticipantsOf(const wf::Event& event) {
  return std::visit(
      Overloaded{
          [](const wf::StakeholderInvited& e) {
            return std::span<const std::string>(&e.stakeholder, 1);
          },
          [](const wf::BriefingHeld& e) { return std::span<const std::string>(e.states); },
          [](const wf::ObserverInvited& e) {
            return std::span<const std::string>(&e.stakeholder, 1);
          },
          [](const wf::ContributionsRequested& e) {
            return std::span<const std::string>(e.stakeholders);
          },
          [](const wf::StakeholderReportSubmitted& e) {
            return std::span<const std::string>(e.authors);
          },
          [](const wf::StateParticipationRequested& e) {
            return std::span<const std::string>(&e.state, 1);
          },
          [](const auto&) { return std::span<const std::string>(); },
      },
      event);
}

// The open confirmation deadline of a briefing: one that the timer service will have to close.
// The workflows' own rule answers it (due at the end of time unless already closed).
std::optional<wf::TimePoint> OpenDeadline(const wf::BriefingState& state) {
  auto due = wf::DueConfirmationWindowClose(state, wf::TimePoint::max());
  if (!due) return std::nullopt;
  return due->deadline;
}

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
    Node& node = *entries.emplace(std::string(id), Entry<State>{}).first;
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
};

struct ParticipationRef {
  Kind kind;
  std::string id;
};

// A stakeholder's participations in order of first appearance in the log.
struct ParticipationList {
  std::vector<ParticipationRef> refs;
  bool dirty = false;  // grew since the last snapshot
};

std::string SnapshotKey(std::string_view kind, std::string_view id) {
  std::string key;
  key.reserve(kKeyPrefix.size() + kind.size() + 1 + id.size());
  key.append(kKeyPrefix).append(kind).append("/").append(id);
  return key;
}

template <class State>
std::string EncodeEntry(const Entry<State>& entry) {
  std::string out = "{\"state\":";
  AppendJson(out, entry.state);
  out.append(",\"version\":").append(std::to_string(entry.version)).append("}");
  return out;
}

std::string EncodeParticipations(const ParticipationList& list) {
  json refs = json::array();
  for (const auto& ref : list.refs) refs.push_back(json::array({KindName(ref.kind), ref.id}));
  return refs.dump();
}

template <class State>
engine::Status DecodeEntry(const json& j, Entry<State>& entry) {
  auto version = j.find("version");
  auto state = j.find("state");
  if (version == j.end() || !version->is_number_unsigned() || state == j.end()) {
    return engine::Fail(engine::Error::Corruption("a snapshot entry lacks version or state"));
  }
  entry.version = version->get<uint64_t>();
  return FromJson(*state, entry.state);
}

// Everything the read models hold. Not synchronized itself: ReadModels::Impl guards it.
struct Data {
  uint64_t position = 0;  // the last position folded
  std::string hash;       // that event's hash (empty for position 0)
  uint64_t skipped = 0;   // events not folded (unknown type, undecodable, on a foreign stream)

  Table<wf::ConferenceSessionState> sessions;
  Table<wf::WorkingGroupState> working_groups;
  Table<wf::MeetingState> meetings;
  Table<wf::StakeholderState> stakeholders;
  Table<wf::BriefingState> briefings;
  Table<wf::ReferralState> referrals;
  Table<wf::ObserverInvitationState> observer_invitations;
  Table<wf::ContributionRequestState> contribution_requests;
  Table<wf::StakeholderReportState> reports;
  Table<wf::StateParticipationState> state_participations;

  // Indexes, all derived from the tables except `participations` (its order is the log's).
  std::set<std::tuple<wf::ReferralStatus, std::string, std::string>> referrals_by_status;
  std::map<std::string, std::set<std::string>, std::less<>> entitled_at;  // session -> ids
  std::set<std::pair<wf::TimePoint, std::string>> open_deadlines;         // (deadline, briefing)
  // By stakeholder; hashed: the fold looks a stakeholder up for every invitation.
  std::unordered_map<std::string, ParticipationList, StringHash, std::equal_to<>> participations;
  std::vector<std::pair<const std::string, ParticipationList>*>
      dirty_participations;  // the lists that grew since the last snapshot

  // Calls f(kind, table) for every table of `self` (a Data or a const Data).
  template <class Self, class F>
  static void ForEachTable(Self& self, F&& f) {
    f(Kind::kConferenceSession, self.sessions);
    f(Kind::kWorkingGroup, self.working_groups);
    f(Kind::kMeeting, self.meetings);
    f(Kind::kStakeholder, self.stakeholders);
    f(Kind::kBriefing, self.briefings);
    f(Kind::kReferral, self.referrals);
    f(Kind::kObserverInvitation, self.observer_invitations);
    f(Kind::kContributionRequest, self.contribution_requests);
    f(Kind::kReport, self.reports);
    f(Kind::kStateParticipation, self.state_participations);
  }

  // Folds an event recorded on its own entity's stream (the readers checked) at `version`.
  void Apply(uint64_t version, const wf::Event& event);

  // Folds the event into the entity `id` of `table` (its own event when `version` is given) and
  // records the stakeholders the event made participants of it.
  template <class State>
  Entry<State>& Fold(Table<State>& table, Kind kind, std::string_view id, const wf::Event& event,
                     std::optional<uint64_t> version) {
    return Fold(table, kind, table.UpsertNode(id), event, version);
  }
  template <class State>
  Entry<State>& Fold(Table<State>& table, Kind kind, typename Table<State>::Node& node,
                     const wf::Event& event, std::optional<uint64_t> version);
  void FoldBriefing(std::string_view id, const wf::Event& event, std::optional<uint64_t> version);
  void FoldReferral(std::string_view id, const wf::Event& event, uint64_t version);
  void AddParticipation(std::string_view stakeholder, Kind kind, std::string_view id);

  // After a snapshot load: the indexes that are functions of the states.
  void RebuildDerivedIndexes();
};

void Data::Apply(uint64_t version, const wf::Event& event) {
  const detail::Route route = detail::RouteOf(event);
  switch (route.kind) {
    case Kind::kConferenceSession:
      Fold(sessions, route.kind, route.id, event, version);
      break;
    case Kind::kWorkingGroup:
      Fold(working_groups, route.kind, route.id, event, version);
      break;
    case Kind::kMeeting:
      Fold(meetings, route.kind, route.id, event, version);
      break;
    case Kind::kStakeholder:
      Fold(stakeholders, route.kind, route.id, event, version);
      if (const auto* e = std::get_if<wf::ObserverEntitlementRecorded>(&event)) {
        entitled_at[e->conference_session].emplace(route.id);
      }
      break;
    case Kind::kBriefing:
      FoldBriefing(route.id, event, version);
      break;
    case Kind::kReferral:
      FoldReferral(route.id, event, version);
      // The briefing folds its referrals' events too (workflows/briefing.hpp), without a version.
      if (briefings.Find(route.briefing) != nullptr) FoldBriefing(route.briefing, event, {});
      break;
    case Kind::kObserverInvitation:
      Fold(observer_invitations, route.kind, route.id, event, version);
      break;
    case Kind::kContributionRequest:
      Fold(contribution_requests, route.kind, route.id, event, version);
      break;
    case Kind::kReport:
      Fold(reports, route.kind, route.id, event, version);
      break;
    case Kind::kStateParticipation:
      Fold(state_participations, route.kind, route.id, event, version);
      break;
  }
}

template <class State>
Entry<State>& Data::Fold(Table<State>& table, Kind kind, typename Table<State>::Node& node,
                         const wf::Event& event, std::optional<uint64_t> version) {
  const std::string_view id = node.first;
  Entry<State>& entry = node.second;
  // A participation starts when a stakeholder the event names takes part after it but did not
  // before (workflows::ParticipationIn decides both).
  const std::span<const std::string> named = NewParticipantsOf(event);
  // Most events name one stakeholder or none: no allocation for up to kInline of them.
  constexpr size_t kInline = 8;
  std::array<char, kInline> took_inline{};
  std::vector<char> took_heap;
  char* took_part = took_inline.data();
  if constexpr (requires { wf::ParticipationIn(entry.state, std::string_view()); }) {
    if (named.size() > kInline) {
      took_heap.resize(named.size());
      took_part = took_heap.data();
    }
    for (size_t i = 0; i < named.size(); ++i) {
      took_part[i] = wf::ParticipationIn(entry.state, named[i]).has_value();
    }
  }
  if constexpr (requires { wf::EvolveInPlace(entry.state, event); }) {
    wf::EvolveInPlace(entry.state, event);
  } else {
    entry.state = wf::Evolve(std::move(entry.state), event);
  }
  if (version) entry.version = *version;
  table.MarkDirty(node);
  if constexpr (requires { wf::ParticipationIn(entry.state, std::string_view()); }) {
    for (size_t i = 0; i < named.size(); ++i) {
      if (!took_part[i] && wf::ParticipationIn(entry.state, named[i])) {
        AddParticipation(named[i], kind, id);
      }
    }
  }
  return entry;
}

void Data::FoldBriefing(std::string_view id, const wf::Event& event,
                        std::optional<uint64_t> version) {
  auto& node = briefings.UpsertNode(id);
  Entry<wf::BriefingState>& entry = node.second;
  const std::optional<wf::TimePoint> before = OpenDeadline(entry.state);
  Fold(briefings, Kind::kBriefing, node, event, version);
  const std::optional<wf::TimePoint> after = OpenDeadline(entry.state);
  if (before != after) {
    if (before) open_deadlines.erase({*before, std::string(id)});
    if (after) open_deadlines.emplace(*after, std::string(id));
  }
}

void Data::FoldReferral(std::string_view id, const wf::Event& event, uint64_t version) {
  auto& node = referrals.UpsertNode(id);
  Entry<wf::ReferralState>& entry = node.second;
  const wf::ReferralStatus status_before = entry.state.status;
  const std::string working_group_before = entry.state.working_group;
  Fold(referrals, Kind::kReferral, node, event, version);
  if (status_before == entry.state.status && working_group_before == entry.state.working_group) {
    return;
  }
  if (status_before != wf::ReferralStatus::kNone) {
    referrals_by_status.erase(
        std::make_tuple(status_before, working_group_before, std::string(id)));
  }
  if (entry.state.exists()) {
    referrals_by_status.emplace(entry.state.status, entry.state.working_group, std::string(id));
  }
}

void Data::AddParticipation(std::string_view stakeholder, Kind kind, std::string_view id) {
  auto it = participations.find(stakeholder);
  if (it == participations.end()) it = participations.try_emplace(std::string(stakeholder)).first;
  it->second.refs.push_back(ParticipationRef{kind, std::string(id)});
  if (!it->second.dirty) {
    it->second.dirty = true;
    dirty_participations.push_back(&*it);
  }
}

void Data::RebuildDerivedIndexes() {
  referrals_by_status.clear();
  for (const auto& [id, entry] : referrals.entries) {
    if (entry.state.exists()) {
      referrals_by_status.emplace(entry.state.status, entry.state.working_group, id);
    }
  }
  entitled_at.clear();
  for (const auto& [id, entry] : stakeholders.entries) {
    for (const auto& entitlement : entry.state.observer_entitlements) {
      entitled_at[entitlement.conference_session].insert(id);
    }
  }
  open_deadlines.clear();
  for (const auto& [id, entry] : briefings.entries) {
    if (auto deadline = OpenDeadline(entry.state)) open_deadlines.emplace(*deadline, id);
  }
}

// One event of a page as the fold needs it.
struct PageEvent {
  uint64_t version = 0;            // in its stream
  std::optional<wf::Event> event;  // nullopt: skipped (an unknown type, data that does not
                                   // decode, or recorded on another stream than its entity's)
};

// The events of one page, decoded once, outside any lock, straight from the stored envelopes
// (EventStore::ScanAll: no RecordedEvent, no metadata copied).
struct DecodedPage {
  std::vector<PageEvent> events;
  uint64_t last_position = 0;  // of the last event; 0 when empty
  std::string last_hash;       // of the last event
  size_t size() const { return events.size(); }
};

engine::Result<DecodedPage> ReadPage(const engine::EventStore& store, uint64_t after) {
  DecodedPage page;
  page.events.reserve(kPageSize);
  ASSIGN_OR_RETURN(
      [[maybe_unused]] size_t read,
      store.ScanAll(after, kPageSize, [&page](const engine::RecordedEventView& recorded) {
        PageEvent& item = page.events.emplace_back();
        item.version = recorded.version;
        auto event = wf::DecodeEvent(recorded.type, recorded.data);
        if (event) {
          // An event on another stream than its own would fold into the wrong entity.
          const detail::Route route = detail::RouteOf(*event);
          if (detail::IsStreamOf(recorded.stream, route.kind, route.id)) {
            item.event.emplace(std::move(*event));
          }
        }
        page.last_position = recorded.position;
        page.last_hash.assign(recorded.hash);
      }));
  return page;
}

void FoldPage(Data& data, const DecodedPage& page) {
  for (const PageEvent& item : page.events) {
    if (item.event) {
      data.Apply(item.version, *item.event);
    } else {
      ++data.skipped;
    }
  }
  if (!page.events.empty()) {
    data.position = page.last_position;
    data.hash = page.last_hash;
  }
}

// Reads and decodes the pages of the log after `after` on helper threads, ahead of the thread that
// folds them, which takes them in order with Next(). Positions have no gaps (docs/storage.md), so
// page k starts after position after + k * kPageSize and the readers need not wait for each other.
// The first page shorter than kPageSize is the end (the head when it was read).
class PageReader {
 public:
  PageReader(const engine::EventStore& store, uint64_t after, int readers)
      : store_(store), after_(after) {
    for (int i = 0; i < readers; ++i) threads_.emplace_back([this] { Work(); });
  }
  ~PageReader() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& thread : threads_) thread.join();
  }
  PageReader(const PageReader&) = delete;
  PageReader& operator=(const PageReader&) = delete;

  // The next page, in order. REQUIRES: no earlier page was short or an error.
  engine::Result<DecodedPage> Next() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return ready_.contains(next_take_); });
    auto node = ready_.extract(next_take_);
    ++next_take_;
    lock.unlock();
    cv_.notify_all();
    return std::move(node.mapped());
  }

 private:
  // Pages read ahead of the one being folded, at most.
  static constexpr uint64_t kWindow = 4;

  void Work() {
    std::unique_lock lock(mu_);
    while (true) {
      cv_.wait(lock, [this] {
        return stop_ || last_ <= next_claim_ || next_claim_ < next_take_ + kWindow;
      });
      if (stop_ || last_ <= next_claim_) return;
      const uint64_t index = next_claim_++;
      lock.unlock();
      auto page = ReadPage(store_, after_ + index * kPageSize);
      lock.lock();
      if (!page || page->size() < kPageSize) last_ = std::min(last_, index);
      ready_.emplace(index, std::move(page));
      cv_.notify_all();
    }
  }

  const engine::EventStore& store_;
  const uint64_t after_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, engine::Result<DecodedPage>> ready_;  // GUARDED_BY(mu_)
  uint64_t next_claim_ = 0;                                // GUARDED_BY(mu_)
  uint64_t next_take_ = 0;                                 // GUARDED_BY(mu_)
  uint64_t last_ = UINT64_MAX;  // GUARDED_BY(mu_): the index of the first short page seen
  bool stop_ = false;           // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;
};

// Helper threads reading and decoding ahead while the log is long (2 cores: the fold overlaps the
// reads and decodes of the next pages).
constexpr int kReaderThreads = 2;

// Reads every event after `after` and hands each page, decoded, to `fold`, in position order.
// A short log is read on this thread only; a long one with PageReader. Returns the last position
// read.
template <class Fold>
engine::Result<uint64_t> ReadAndFold(const engine::EventStore& store, uint64_t after, Fold&& fold) {
  ASSIGN_OR_RETURN(DecodedPage first, ReadPage(store, after));
  if (first.events.empty()) return after;
  after = first.last_position;
  const bool more = first.size() == kPageSize;
  if (!more) {
    fold(first);
    return after;
  }
  PageReader reader(store, after, kReaderThreads);
  fold(first);
  while (true) {
    ASSIGN_OR_RETURN(DecodedPage page, reader.Next());
    if (page.events.empty()) break;
    after = page.last_position;
    fold(page);
    if (page.size() < kPageSize) break;
  }
  return after;
}

template <class State>
std::optional<Versioned<State>> Copy(const Table<State>& table, std::string_view id) {
  const Entry<State>* entry = table.Find(id);
  if (entry == nullptr || !entry->state.exists()) return std::nullopt;
  return Versioned<State>{entry->state, entry->version};
}

template <class State>
std::vector<State> CopyAll(const Table<State>& table) {
  std::vector<State> out;
  out.reserve(table.entries.size());
  for (const auto& [id, entry] : table.entries) {
    if (entry.state.exists()) out.push_back(entry.state);
  }
  return out;
}

}  // namespace

struct ReadModels::Impl {
  Impl(engine::EventStore& s, wf::RulesConfig r) : store(s), rules(std::move(r)) {}

  engine::EventStore& store;
  const wf::RulesConfig rules;

  // Serializes Open, CatchUp, SaveSnapshot and Rebuild: the one writer of `data`.
  std::mutex fold_mu;
  // Guards `data`: shared by readers, exclusive while a page is folded or data is swapped.
  mutable std::shared_mutex data_mu;
  std::unique_ptr<Data> data = std::make_unique<Data>();  // GUARDED_BY(data_mu)
  std::atomic<uint64_t> position{0};                      // mirrors data->position
  std::atomic<uint64_t> skipped{0};                       // mirrors data->skipped
  uint64_t snapshot_position = 0;  // GUARDED_BY(fold_mu): the checkpoint last written or loaded
  bool has_snapshot = false;       // GUARDED_BY(fold_mu)

  // REQUIRES: fold_mu held.
  engine::Result<uint64_t> CatchUpLocked() {
    // Only this thread writes `data` now: reading data->position needs no lock.
    return ReadAndFold(store, data->position, [this](const DecodedPage& page) {
      std::unique_lock lock(data_mu);
      FoldPage(*data, page);
      position.store(data->position);
      skipped.store(data->skipped);
    });
  }

  // Folds the whole log into a fresh Data, without touching the live one. REQUIRES: fold_mu held.
  engine::Result<std::unique_ptr<Data>> FoldAll() {
    auto fresh = std::make_unique<Data>();
    RETURN_IF_ERROR(
        ReadAndFold(store, 0, [&fresh](const DecodedPage& page) { FoldPage(*fresh, page); }));
    return fresh;
  }

  void Install(std::unique_ptr<Data> fresh) {
    std::unique_lock lock(data_mu);
    data = std::move(fresh);
    position.store(data->position);
    skipped.store(data->skipped);
  }

  // Writes the entries changed since the last snapshot and the checkpoint, in one WriteState. With
  // no snapshot stored (after a rebuild), writes everything with SaveFullSnapshotLocked.
  // REQUIRES: fold_mu held.
  engine::Status SaveSnapshotLocked() {
    if (!has_snapshot) return SaveFullSnapshotLocked();
    engine::EventStore::StateWrite write;
    {
      // Shared: readers go on; the fold cannot run (fold_mu).
      std::shared_lock lock(data_mu);
      const Data& d = *data;
      Data::ForEachTable(d, [&](Kind kind, const auto& table) {
        for (const auto* node : table.dirty) {
          write.puts.emplace_back(SnapshotKey(KindName(kind), node->first),
                                  EncodeEntry(node->second));
        }
      });
      for (const auto* node : d.dirty_participations) {
        write.puts.emplace_back(SnapshotKey(kParticipationsKind, node->first),
                                EncodeParticipations(node->second));
      }
      if (write.puts.empty() && d.position == snapshot_position) return {};
      write.puts.emplace_back(std::string(kCheckpointKey), EncodeCheckpoint(d));
    }
    RETURN_IF_ERROR(store.WriteState(write));
    MarkSaved();
    return {};
  }

  // Stores every entry in writes of about kFullSnapshotBatchBytes (one write of a 1M-event log's
  // states would hold them three times over: the puts, the store's batch, its memtable), then
  // the checkpoint alone. The space is cleared first, and a snapshot without its checkpoint is
  // never read, so an interruption leaves no snapshot rather than a wrong one.
  // REQUIRES: fold_mu held.
  engine::Status SaveFullSnapshotLocked() {
    RETURN_IF_ERROR(store.ClearState());
    engine::EventStore::StateWrite write;
    size_t bytes = 0;
    auto put = [&](std::string key, std::string value) -> engine::Status {
      bytes += key.size() + value.size();
      write.puts.emplace_back(std::move(key), std::move(value));
      if (bytes < kFullSnapshotBatchBytes) return {};
      RETURN_IF_ERROR(store.WriteState(write));
      write.puts.clear();
      bytes = 0;
      return {};
    };
    std::string checkpoint;
    {
      std::shared_lock lock(data_mu);
      const Data& d = *data;
      engine::Status status;
      Data::ForEachTable(d, [&](Kind kind, const auto& table) {
        for (const auto& [id, entry] : table.entries) {
          if (status) status = put(SnapshotKey(KindName(kind), id), EncodeEntry(entry));
        }
      });
      RETURN_IF_ERROR(status);
      for (const auto& [stakeholder, list] : d.participations) {
        RETURN_IF_ERROR(
            put(SnapshotKey(kParticipationsKind, stakeholder), EncodeParticipations(list)));
      }
      checkpoint = EncodeCheckpoint(d);
    }
    if (!write.puts.empty()) RETURN_IF_ERROR(store.WriteState(write));
    RETURN_IF_ERROR(store.WriteState({{{std::string(kCheckpointKey), std::move(checkpoint)}}, {}}));
    MarkSaved();
    return {};
  }

  static std::string EncodeCheckpoint(const Data& d) {
    const json checkpoint = {{"format_version", kSnapshotFormatVersion},
                             {"position", d.position},
                             {"hash", d.hash},
                             {"skipped", d.skipped}};
    return checkpoint.dump();
  }

  // After a snapshot is stored: nothing is dirty. REQUIRES: fold_mu held.
  void MarkSaved() {
    std::unique_lock lock(data_mu);
    Data::ForEachTable(*data, [](Kind, auto& table) {
      for (auto* node : table.dirty) node->second.dirty = false;
      table.dirty.clear();
    });
    for (auto* node : data->dirty_participations) node->second.dirty = false;
    data->dirty_participations.clear();
    snapshot_position = data->position;
    has_snapshot = true;
  }

  // Drops the stored snapshot and folds the whole log into new data; every entry is then dirty,
  // for the next SaveSnapshotLocked. REQUIRES: fold_mu held.
  engine::Status RebuildLocked() {
    // First drop the snapshot: if the fold fails or the process dies, the next Open folds all.
    RETURN_IF_ERROR(store.ClearState());
    has_snapshot = false;
    snapshot_position = 0;
    ASSIGN_OR_RETURN(std::unique_ptr<Data> fresh, FoldAll());
    Install(std::move(fresh));
    return {};
  }

  // The snapshot's data, or nullptr when there is none usable (another format, another log,
  // undecodable): then the log is folded again. REQUIRES: fold_mu held.
  engine::Result<std::unique_ptr<Data>> LoadSnapshot() {
    ASSIGN_OR_RETURN(std::optional<std::string> checkpoint_text, store.ReadState(kCheckpointKey));
    if (!checkpoint_text) return nullptr;
    const json checkpoint = json::parse(*checkpoint_text, nullptr, /*allow_exceptions=*/false);
    if (!checkpoint.is_object()) return nullptr;
    auto format = checkpoint.find("format_version");
    auto position_it = checkpoint.find("position");
    auto hash_it = checkpoint.find("hash");
    auto skipped_it = checkpoint.find("skipped");
    if (format == checkpoint.end() || !format->is_number_integer() ||
        format->get<int64_t>() != kSnapshotFormatVersion || position_it == checkpoint.end() ||
        !position_it->is_number_unsigned() || hash_it == checkpoint.end() ||
        !hash_it->is_string() || skipped_it == checkpoint.end() ||
        !skipped_it->is_number_unsigned()) {
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
      const json j = json::parse(value, nullptr, /*allow_exceptions=*/false);
      if (j.is_discarded()) return false;
      if (kind_name == kParticipationsKind) {
        if (!j.is_array()) return false;
        auto& refs = fresh->participations[std::string(id)].refs;
        refs.reserve(j.size());
        for (const auto& item : j) {
          if (!item.is_array() || item.size() != 2 || !item[0].is_string() ||
              !item[1].is_string()) {
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
        ok = DecodeEntry(j, entry).has_value();
      });
      return ok;
    };
    RETURN_IF_ERROR(store.VisitState(kKeyPrefix, [&](std::string_view key, std::string_view value) {
      usable = load(key, value);
      return usable;
    }));
    if (!usable) return nullptr;
    fresh->RebuildDerivedIndexes();
    return fresh;
  }
};

ReadModels::ReadModels(engine::EventStore& store) : ReadModels(store, wf::RulesConfig{}) {}

ReadModels::ReadModels(engine::EventStore& store, wf::RulesConfig rules)
    : impl_(std::make_unique<Impl>(store, std::move(rules))) {}

ReadModels::~ReadModels() = default;

engine::Status ReadModels::Open() {
  std::lock_guard fold(impl_->fold_mu);
  ASSIGN_OR_RETURN(std::unique_ptr<Data> loaded, impl_->LoadSnapshot());
  if (loaded == nullptr) return impl_->RebuildLocked();
  impl_->snapshot_position = loaded->position;
  impl_->has_snapshot = true;
  impl_->Install(std::move(loaded));
  RETURN_IF_ERROR(impl_->CatchUpLocked());
  return {};
}

engine::Result<uint64_t> ReadModels::CatchUp() {
  // Already at the head: the common case under concurrent commands, whose catch-ups fold each
  // other's events. No lock taken, no read of the store (an iterator per call, serialized).
  const uint64_t head = impl_->store.Head().position;
  if (const uint64_t reached = impl_->position.load(); reached >= head) return reached;
  std::lock_guard fold(impl_->fold_mu);
  // Another catch-up may have folded up to the head while this one waited for the lock.
  if (const uint64_t reached = impl_->position.load(); reached >= head) return reached;
  return impl_->CatchUpLocked();
}

engine::Status ReadModels::SaveSnapshot() {
  std::lock_guard fold(impl_->fold_mu);
  return impl_->SaveSnapshotLocked();
}

engine::Status ReadModels::Rebuild() {
  std::lock_guard fold(impl_->fold_mu);
  return impl_->RebuildLocked();
}

uint64_t ReadModels::position() const { return impl_->position.load(); }

uint64_t ReadModels::skipped_events() const { return impl_->skipped.load(); }

std::optional<Versioned<wf::ConferenceSessionState>> ReadModels::ConferenceSession(
    std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return Copy(impl_->data->sessions, id);
}

std::vector<wf::ConferenceSessionState> ReadModels::ConferenceSessions() const {
  std::shared_lock lock(impl_->data_mu);
  return CopyAll(impl_->data->sessions);
}

std::optional<Versioned<wf::WorkingGroupState>> ReadModels::WorkingGroup(
    std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return Copy(impl_->data->working_groups, id);
}

std::vector<wf::WorkingGroupState> ReadModels::WorkingGroups() const {
  std::shared_lock lock(impl_->data_mu);
  return CopyAll(impl_->data->working_groups);
}

std::optional<Versioned<wf::MeetingState>> ReadModels::Meeting(std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return Copy(impl_->data->meetings, id);
}

std::vector<wf::MeetingState> ReadModels::Meetings() const {
  std::shared_lock lock(impl_->data_mu);
  return CopyAll(impl_->data->meetings);
}

std::optional<Versioned<wf::StakeholderState>> ReadModels::Stakeholder(std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return Copy(impl_->data->stakeholders, id);
}

std::vector<wf::StakeholderState> ReadModels::Stakeholders() const {
  std::shared_lock lock(impl_->data_mu);
  return CopyAll(impl_->data->stakeholders);
}

std::optional<Versioned<wf::BriefingState>> ReadModels::Briefing(std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return Copy(impl_->data->briefings, id);
}

std::vector<wf::BriefingState> ReadModels::Briefings() const {
  std::shared_lock lock(impl_->data_mu);
  return CopyAll(impl_->data->briefings);
}

std::optional<Versioned<wf::ReferralState>> ReadModels::Referral(std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return Copy(impl_->data->referrals, id);
}

std::vector<wf::ReferralState> ReadModels::Referrals(const ReferralFilter& filter) const {
  std::shared_lock lock(impl_->data_mu);
  const Data& d = *impl_->data;
  std::vector<wf::ReferralState> out;
  if (!filter.status && filter.working_group.empty()) return CopyAll(d.referrals);
  auto collect = [&](wf::ReferralStatus status) {
    auto it = d.referrals_by_status.lower_bound(
        std::make_tuple(status, filter.working_group, std::string()));
    for (; it != d.referrals_by_status.end() && std::get<0>(*it) == status; ++it) {
      if (!filter.working_group.empty() && std::get<1>(*it) != filter.working_group) break;
      out.push_back(d.referrals.Find(std::get<2>(*it))->state);
    }
  };
  if (filter.status) {
    collect(*filter.status);
  } else {
    for (auto status : {wf::ReferralStatus::kPending, wf::ReferralStatus::kDecided,
                        wf::ReferralStatus::kWithdrawn}) {
      collect(status);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const wf::ReferralState& a, const wf::ReferralState& b) { return a.id < b.id; });
  return out;
}

std::optional<Versioned<wf::ObserverInvitationState>> ReadModels::ObserverInvitation(
    std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return Copy(impl_->data->observer_invitations, id);
}

std::optional<Versioned<wf::ContributionRequestState>> ReadModels::ContributionRequest(
    std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return Copy(impl_->data->contribution_requests, id);
}

std::optional<Versioned<wf::StakeholderReportState>> ReadModels::Report(std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return Copy(impl_->data->reports, id);
}

std::optional<Versioned<wf::StateParticipationState>> ReadModels::StateParticipation(
    std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return Copy(impl_->data->state_participations, id);
}

std::vector<wf::Participation> ReadModels::ParticipationsOf(std::string_view stakeholder) const {
  std::shared_lock lock(impl_->data_mu);
  const Data& d = *impl_->data;
  std::vector<wf::Participation> out;
  auto refs = d.participations.find(stakeholder);
  if (refs == d.participations.end()) return out;
  auto add = [&](const auto& table, const std::string& id) {
    const auto* entry = table.Find(id);
    if (entry == nullptr) return;
    if (auto participation = wf::ParticipationIn(entry->state, stakeholder)) {
      out.push_back(std::move(*participation));
    }
  };
  std::set<std::pair<Kind, std::string_view>> seen;  // a participation is listed once
  for (const ParticipationRef& ref : refs->second.refs) {
    if (!seen.emplace(ref.kind, ref.id).second) continue;
    switch (ref.kind) {
      case Kind::kBriefing:
        add(d.briefings, ref.id);
        break;
      case Kind::kObserverInvitation:
        add(d.observer_invitations, ref.id);
        break;
      case Kind::kContributionRequest:
        add(d.contribution_requests, ref.id);
        break;
      case Kind::kReport:
        add(d.reports, ref.id);
        break;
      case Kind::kStateParticipation:
        add(d.state_participations, ref.id);
        break;
      default:
        break;  // no other kind has participants
    }
  }
  return out;
}

EligibleList ReadModels::Eligible(wf::Date briefing_date) const {
  std::shared_lock lock(impl_->data_mu);
  const Data& d = *impl_->data;
  const std::vector<wf::ConferenceSessionState> sessions = CopyAll(d.sessions);
  EligibleList out;
  const auto previous = wf::PreviousConferenceSession(sessions, briefing_date);
  if (!previous) return out;
  // Only the stakeholders entitled at that session can qualify; the workflows' own rule decides.
  std::vector<wf::StakeholderState> candidates;
  if (auto entitled = d.entitled_at.find(previous->id); entitled != d.entitled_at.end()) {
    for (const std::string& id : entitled->second) {
      if (const auto* entry = d.stakeholders.Find(id)) candidates.push_back(entry->state);
    }
  }
  const wf::Eligibility eligibility =
      wf::EligibleStakeholders(briefing_date, sessions, candidates, impl_->rules);
  out.conference_session = eligibility.conference_session;
  for (const std::string& id : eligibility.stakeholders) {
    auto it = std::find_if(candidates.begin(), candidates.end(),
                           [&id](const wf::StakeholderState& s) { return s.id == id; });
    if (it != candidates.end()) out.stakeholders.push_back(std::move(*it));
  }
  return out;
}

std::vector<wf::CloseConfirmationWindow> ReadModels::DueConfirmationWindowCloses(
    wf::TimePoint now) const {
  std::shared_lock lock(impl_->data_mu);
  const Data& d = *impl_->data;
  std::vector<wf::CloseConfirmationWindow> out;
  for (const auto& [deadline, id] : d.open_deadlines) {
    if (!(now > deadline)) break;
    if (const auto* entry = d.briefings.Find(id)) {
      if (auto due = wf::DueConfirmationWindowClose(entry->state, now)) {
        out.push_back(std::move(*due));
      }
    }
  }
  return out;
}

std::optional<wf::TimePoint> ReadModels::NextConfirmationDeadline() const {
  std::shared_lock lock(impl_->data_mu);
  const Data& d = *impl_->data;
  if (d.open_deadlines.empty()) return std::nullopt;
  return d.open_deadlines.begin()->first;
}

}  // namespace dialogue::projections
