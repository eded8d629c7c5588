#include "app/load.hpp"

#include "workflows/events.hpp"

namespace dialogue::app {
namespace {

namespace wf = workflows;

// How many times a briefing is read again when its referrals moved while it was read.
constexpr int kMaxBriefingReads = 10;

}  // namespace

std::optional<projections::Versioned<wf::ConferenceSessionState>> Find(
    const projections::ReadModels& models, const wf::Target<wf::ConferenceSessionState>& target) {
  return models.ConferenceSession(target.id);
}
std::optional<projections::Versioned<wf::WorkingGroupState>> Find(
    const projections::ReadModels& models, const wf::Target<wf::WorkingGroupState>& target) {
  return models.WorkingGroup(target.id);
}
std::optional<projections::Versioned<wf::MeetingState>> Find(
    const projections::ReadModels& models, const wf::Target<wf::MeetingState>& target) {
  return models.Meeting(target.id);
}
std::optional<projections::Versioned<wf::StakeholderState>> Find(
    const projections::ReadModels& models, const wf::Target<wf::StakeholderState>& target) {
  return models.Stakeholder(target.id);
}
std::optional<projections::Versioned<wf::ReferralState>> Find(
    const projections::ReadModels& models, const wf::Target<wf::ReferralState>& target) {
  return models.Referral(target.id);
}
std::optional<projections::Versioned<wf::ObserverInvitationState>> Find(
    const projections::ReadModels& models, const wf::Target<wf::ObserverInvitationState>& target) {
  return models.ObserverInvitation(target.id);
}
std::optional<projections::Versioned<wf::ContributionRequestState>> Find(
    const projections::ReadModels& models, const wf::Target<wf::ContributionRequestState>& target) {
  return models.ContributionRequest(target.id);
}
std::optional<projections::Versioned<wf::StakeholderReportState>> Find(
    const projections::ReadModels& models, const wf::Target<wf::StakeholderReportState>& target) {
  return models.Report(target.id);
}
std::optional<projections::Versioned<wf::StateParticipationState>> Find(
    const projections::ReadModels& models, const wf::Target<wf::StateParticipationState>& target) {
  return models.StateParticipation(target.id);
}

engine::Result<Loaded<wf::BriefingState>> Load(const projections::ReadModels& models,
                                               const wf::Target<wf::BriefingState>& target) {
  for (int read = 0; read < kMaxBriefingReads; ++read) {
    auto first = models.Briefing(target.id);
    if (!first) return Loaded<wf::BriefingState>{};
    Loaded<wf::BriefingState> loaded;
    for (const auto& [stakeholder, referral] : first->state.referrals) {
      auto current = models.Referral(referral.id);
      loaded.others.emplace_back(wf::ReferralStream(referral.id), current ? current->version : 0);
    }
    auto second = models.Briefing(target.id);
    if (second && second->version == first->version && second->state == first->state) {
      loaded.state = std::move(second->state);
      loaded.version = second->version;
      return loaded;
    }
  }
  return engine::Fail(engine::Error::VersionConflict(
      "briefing " + target.id + " kept changing while it was read; try again"));
}

std::vector<wf::StakeholderState> StakeholdersNamed(const projections::ReadModels& models,
                                                    const std::vector<std::string>& ids) {
  std::vector<wf::StakeholderState> found;
  for (const auto& id : ids) {
    if (auto s = models.Stakeholder(id)) found.push_back(std::move(s->state));
  }
  return found;
}

std::vector<wf::MeetingState> MeetingsNamed(const projections::ReadModels& models,
                                            const std::vector<std::string>& ids) {
  std::vector<wf::MeetingState> found;
  for (const auto& id : ids) {
    if (auto m = models.Meeting(id)) found.push_back(std::move(m->state));
  }
  return found;
}

std::vector<wf::WorkingGroupState> WorkingGroupsNamed(const projections::ReadModels& models,
                                                      const std::vector<std::string>& ids) {
  std::vector<wf::WorkingGroupState> found;
  for (const auto& id : ids) {
    if (auto g = models.WorkingGroup(id)) found.push_back(std::move(g->state));
  }
  return found;
}

}  // namespace dialogue::app
