// RegisterCommandRoutes and the loaders the command areas share.
#include "api/command_routes.hpp"

#include "api/routes.hpp"
#include "workflows/events.hpp"

namespace dialogue::api {
namespace {

// How many times a briefing is read again when its referrals moved while it was read.
constexpr int kMaxBriefingReads = 10;

}  // namespace

void RegisterCommandRoutes(Router& router, ApiContext& context) {
  // Shared by every command route: it lives as long as the routes.
  auto environment = std::make_shared<CommandEnvironment>(context);
  RegisterReferenceDataCommands(router, environment);
  RegisterBriefingCommands(router, environment);
  RegisterParticipationCommands(router, environment);
}

PreparedCommand GateOnReading(PreparedCommand prepared, const workflows::Context& context,
                              std::string noun, bool reads, bool acts_unread) {
  const bool named_reader =
      context.role == workflows::Role::kState || context.role == workflows::Role::kStakeholder;
  if (named_reader && !reads) {
    prepared.unreadable = std::move(noun);
    prepared.acts_unread = acts_unread;
  }
  return prepared;
}

engine::Result<LoadedBriefing> LoadBriefing(const projections::ReadModels& models,
                                            const std::string& id) {
  // The briefing's state folds its referral streams: read their versions between two reads of
  // the briefing, and keep them only if the briefing did not change meanwhile — then the state
  // decided on is exactly the one those versions (and the briefing's own) describe.
  for (int read = 0; read < kMaxBriefingReads; ++read) {
    auto first = models.Briefing(id);
    if (!first) return LoadedBriefing{};
    LoadedBriefing loaded;
    for (const auto& [stakeholder, referral] : first->state.referrals) {
      auto current = models.Referral(referral.id);
      loaded.referral_streams.emplace_back(workflows::ReferralStream(referral.id),
                                           current ? current->version : 0);
    }
    auto second = models.Briefing(id);
    if (second && second->version == first->version && second->state == first->state) {
      loaded.state = std::move(second->state);
      loaded.version = second->version;
      return loaded;
    }
  }
  return engine::Fail(engine::Error::VersionConflict(
      "briefing " + id + " kept changing while it was read; try again"));
}

std::vector<workflows::StakeholderState> StakeholdersNamed(const projections::ReadModels& models,
                                                           const std::vector<std::string>& ids) {
  std::vector<workflows::StakeholderState> found;
  for (const auto& id : ids) {
    if (auto s = models.Stakeholder(id)) found.push_back(std::move(s->state));
  }
  return found;
}

std::vector<workflows::MeetingState> MeetingsNamed(const projections::ReadModels& models,
                                                   const std::vector<std::string>& ids) {
  std::vector<workflows::MeetingState> found;
  for (const auto& id : ids) {
    if (auto m = models.Meeting(id)) found.push_back(std::move(m->state));
  }
  return found;
}

std::vector<workflows::WorkingGroupState> WorkingGroupsNamed(const projections::ReadModels& models,
                                                             const std::vector<std::string>& ids) {
  std::vector<workflows::WorkingGroupState> found;
  for (const auto& id : ids) {
    if (auto g = models.WorkingGroup(id)) found.push_back(std::move(g->state));
  }
  return found;
}

}  // namespace dialogue::api
