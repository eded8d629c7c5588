// Replay: fills a store with a realistic mix of domain events (stakeholders registered with their
// observer entitlements; briefings requested, convened, with invitations, confirmations with
// written comments, declines and attendance), then measures:
//
//   engine_scan     events/s, EventStore::ReadAll over the whole log in pages of 1000
//   replay_rate     events/s, ReadModels::Rebuild (every read model folded from the whole log)
//   replay_skipped  events the read models passed over (expected 0: the mix is well formed)
//   replay_events   the log's length
//
// With --keep the filled store stays at --store for the memory and HTTP steps of bench.sh; its
// read models' snapshot is cleared again so that a server started on it folds the whole log.
// With --reuse 1 a store already at --store (kept by an earlier --keep 1 run) is replayed as it
// is, not filled again; --rebuild-only 1 then times the rebuild and nothing else: for profiling
// the replay alone.
#include <date/date.h>

#include <sys/resource.h>

#include <fstream>
#include <string>
#include <vector>

#include "bench/bench_support.hpp"
#include "engine/event_store.hpp"
#include "projections/read_models.hpp"
#include "workflows/events.hpp"

namespace dialogue::bench {
namespace {

namespace wf = workflows;
using namespace std::chrono_literals;

constexpr int kStakeholdersPerUnit = 10;
constexpr int kInvitedPerBriefing = 20;
constexpr int kConfirmedPerBriefing = 15;
constexpr int kDeclinedPerBriefing = 3;

// A small deterministic generator (the same log on every run).
class Lcg {
 public:
  uint64_t Next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return state_ >> 33;
  }

 private:
  uint64_t state_ = 42;
};

std::string Id(const char* prefix, uint64_t n) {
  std::string digits = std::to_string(n);
  return std::string(prefix) + std::string(digits.size() < 6 ? 6 - digits.size() : 0, '0') + digits;
}

class LogFiller {
 public:
  explicit LogFiller(engine::EventStore& store) : store_(store) {}

  // Appends units until the log holds at least `events` events.
  void Fill(uint64_t events) {
    Append({wf::ConferenceSessionRegistered{"cs-2024", "Twelfth session", Day(2024, 10, 14),
                                            Day(2024, 10, 18)}});
    for (int g = 1; g <= 4; ++g) {
      Append({wf::WorkingGroupRegistered{"wg-" + std::to_string(g),
                                         "Working Group " + std::to_string(g), std::nullopt}});
    }
    Append({wf::MeetingScheduled{"m-2025", "wg-1", Day(2025, 6, 2), Day(2025, 6, 6), true}});
    for (int k = 0; k < kInvitedPerBriefing; k += kStakeholdersPerUnit) RegisterStakeholders();
    while (store_.Head().position < events) Unit();
  }

 private:
  static wf::Date Day(int y, unsigned m, unsigned d) {
    return date::sys_days(date::year(y) / date::month(m) / date::day(d));
  }

  engine::EventMetadata Meta() {
    engine::EventMetadata meta;
    meta.occurred_at = "2025-05-01T10:00:00Z";
    meta.actor = "sec-ana";
    meta.role = "secretariat";
    meta.correlation_id = Cat("fill-", std::to_string(++correlation_));
    return meta;
  }

  // Appends events grouped by stream, each stream written whole with NoStream.
  void Append(const std::vector<wf::Event>& events) {
    engine::AppendRequest request;
    for (const wf::Event& event : events) {
      const std::string stream = wf::StreamOf(event);
      if (request.writes.empty() || request.writes.back().stream != stream) {
        engine::StreamWrite& write = request.writes.emplace_back();
        write.stream = stream;
        write.expected = engine::ExpectedVersion::NoStream();
      }
      request.writes.back().events.push_back(wf::ToProposedEvent(event, Meta()));
    }
    auto result = store_.Append(request);
    if (!result) Flags::Die("filling the log failed: " + result.error().message);
  }

  // Ten stakeholders with an observer entitlement each, then one briefing of twenty stakeholders
  // drawn from all registered so far.
  void Unit() {
    RegisterStakeholders();
    BriefingLifecycle();
  }

  void RegisterStakeholders() {
    std::vector<wf::Event> events;
    for (int k = 0; k < kStakeholdersPerUnit; ++k) {
      const std::string id = Id("sh-", ++stakeholders_);
      wf::StakeholderRegistered registered;
      registered.stakeholder = id;
      registered.name = "Civil society organization " + id;
      registered.category = wf::StakeholderCategory::kNgo;
      registered.ecosoc_status =
          stakeholders_ % 3 == 0 ? wf::EcosocStatus::kSpecial : wf::EcosocStatus::kGeneral;
      events.emplace_back(std::move(registered));
      events.emplace_back(wf::ObserverEntitlementRecorded{id, "cs-2024", "17"});
    }
    Append(events);
  }

  // REQUIRES: at least kInvitedPerBriefing stakeholders registered.
  void BriefingLifecycle() {
    std::vector<wf::Event> events;
    const std::string briefing = Id("b-", ++briefings_);
    events.emplace_back(
        wf::BriefingRequested{briefing, "Constructive dialogue " + briefing, "pres-maria"});
    wf::BriefingConvened convened;
    convened.briefing = briefing;
    convened.meeting = "m-2025";
    convened.working_group = "wg-1";
    convened.meeting_starts_on = Day(2025, 6, 2);
    convened.meeting_ends_on = Day(2025, 6, 6);
    convened.date = Day(2025, 6, 3);
    convened.timezone = "Europe/Vienna";
    convened.confirmation_deadline = date::sys_days(Day(2025, 5, 27)) + 10h;
    convened.bureau_member = "bureau-li";
    events.emplace_back(std::move(convened));
    std::vector<std::string> invited;
    while (static_cast<int>(invited.size()) < kInvitedPerBriefing) {
      std::string id = Id("sh-", 1 + random_.Next() % stakeholders_);
      bool seen = false;
      for (const auto& other : invited) seen = seen || other == id;
      if (!seen) invited.push_back(std::move(id));
    }
    for (const auto& id : invited) {
      events.emplace_back(
          wf::StakeholderInvited{briefing, id, wf::StakeholderCategory::kNgo, "cs-2024"});
    }
    std::vector<std::string> attended;
    for (int k = 0; k < kConfirmedPerBriefing; ++k) {
      wf::AttendanceConfirmed confirmed;
      confirmed.briefing = briefing;
      confirmed.stakeholder = invited[k];
      confirmed.written_comments =
          "We will present our findings on victim support and the implementation of the "
          "Protocol, and ask to speak for ten minutes.";
      confirmed.confirmed_at = date::sys_days(Day(2025, 5, 20)) + 9h;
      events.emplace_back(std::move(confirmed));
      attended.push_back(invited[k]);
    }
    for (int k = 0; k < kDeclinedPerBriefing; ++k) {
      events.emplace_back(wf::InvitationDeclined{briefing, invited[kConfirmedPerBriefing + k]});
    }
    events.emplace_back(wf::BriefingHeld{
        briefing, attended, {"sh-state-at", "sh-state-vn"}, date::sys_days(Day(2025, 6, 3)) + 15h});
    Append(events);
  }

  engine::EventStore& store_;
  Lcg random_;
  uint64_t stakeholders_ = 0;
  uint64_t briefings_ = 0;
  uint64_t correlation_ = 0;
};

// A line of /proc/self/status in MB (VmRSS, VmHWM), for the notes; 0 where unavailable.
double ProcStatusMb(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1)) / 1024;
  }
  return 0;
}

// CPU seconds used by the whole process so far (every thread, user and system): on a shared
// machine the CPU a step used says more about its cost than its wall time.
double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double EngineScan(const engine::EventStore& store) {
  Stopwatch watch;
  uint64_t after = 0;
  for (;;) {
    auto page = store.ReadAll(after, 1000);
    if (!page) Flags::Die("ReadAll failed: " + page.error().message);
    if (page->empty()) break;
    after = page->back().position;
  }
  return static_cast<double>(after) / watch.Seconds();
}

}  // namespace
}  // namespace dialogue::bench

int main(int argc, char** argv) {
  using namespace dialogue;
  using namespace dialogue::bench;
  Flags flags(argc, argv);
  const std::string dir = flags.String("dir", "/tmp/dialogue-bench");
  const uint64_t events = flags.Uint("events", 1'000'000);
  std::string store_path = flags.String("store", "");
  const bool keep = flags.Uint("keep", 0) != 0;
  const bool reuse = flags.Uint("reuse", 0) != 0;
  // For profiling the rebuild alone: no engine scan before it, no snapshot saved or opened after.
  const bool rebuild_only = flags.Uint("rebuild-only", 0) != 0;
  flags.Require();
  if (store_path.empty()) store_path = dir + "/replay";

  if (!reuse || !std::filesystem::exists(store_path)) {
    engine::RocksDbOptions options;
    const std::filesystem::path path(store_path);
    options.path = FreshDir(path.parent_path().string(), path.filename().string());
    options.sync = false;  // filling only; the figures below read
    auto store = engine::OpenRocksDbEventStore(options);
    if (!store) Flags::Die("cannot open the store: " + store.error().message);
    Stopwatch watch;
    LogFiller(**store).Fill(events);
    Note("filled " + std::to_string((*store)->Head().position) + " events in " +
         std::to_string(watch.Seconds()) + " s");
  }
  Note("before the replay: VmRSS " + std::to_string(ProcStatusMb("VmRSS")) + " MB");

  engine::RocksDbOptions options;
  options.path = store_path;
  auto store = engine::OpenRocksDbEventStore(options);  // reopened, as after a restart
  if (!store) Flags::Die("cannot reopen the store: " + store.error().message);
  engine::EventStore& log = **store;
  Report("replay_events", static_cast<double>(log.Head().position));
  if (!rebuild_only) Report("engine_scan", EngineScan(log));
  {
    projections::ReadModels models(log);
    const double cpu_before = ProcessCpuSeconds();
    Stopwatch watch;
    if (auto rebuilt = models.Rebuild(); !rebuilt) {
      Flags::Die("Rebuild failed: " + rebuilt.error().message);
    }
    const double seconds = watch.Seconds();
    const double cpu = ProcessCpuSeconds() - cpu_before;
    Note("the rebuild took " + std::to_string(seconds) + " s, " + std::to_string(cpu) +
         " s of CPU (all threads): " +
         std::to_string(cpu * 1e9 / static_cast<double>(models.position())) +
         " ns of CPU per event");
    Note("after the rebuild: VmRSS " + std::to_string(ProcStatusMb("VmRSS")) + " MB, VmHWM " +
         std::to_string(ProcStatusMb("VmHWM")) + " MB (the filled store's memtables included)");
    if (models.position() != log.Head().position) Flags::Die("Rebuild stopped short of the head");
    Report("replay_rate", static_cast<double>(models.position()) / seconds);
    Report("replay_skipped", static_cast<double>(models.skipped_events()));
    if (rebuild_only) return 0;
    // Not judged, shown for the start-up path of dialogue serve: saving the full snapshot (as
    // serve does when it stops after a rebuild) and opening from it (as it does on restart).
    Stopwatch save_watch;
    if (auto saved = models.SaveSnapshot(); !saved) {
      Flags::Die("SaveSnapshot failed: " + saved.error().message);
    }
    Note("full snapshot saved in " + std::to_string(save_watch.Seconds()) + " s");
  }
  {
    projections::ReadModels reopened(log);
    Stopwatch watch;
    if (auto opened = reopened.Open(); !opened)
      Flags::Die("Open failed: " + opened.error().message);
    Note("opened from the snapshot in " + std::to_string(watch.Seconds()) + " s: VmRSS " +
         std::to_string(ProcStatusMb("VmRSS")) + " MB");
    if (reopened.position() != log.Head().position) Flags::Die("Open stopped short of the head");
  }
  if (keep) {
    if (auto cleared = log.state().Clear(); !cleared) {
      Flags::Die("ClearState failed: " + cleared.error().message);
    }
  } else {
    store->reset();
    std::error_code ec;
    std::filesystem::remove_all(store_path, ec);
  }
  return 0;
}
