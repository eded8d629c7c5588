#include "projections/routing.hpp"

#include <array>
#include <variant>

namespace dialogue::projections::detail {
namespace {

namespace wf = workflows;

// The kinds are the workflows' stream kinds, in the order of Kind.
constexpr const auto& kKindNames = wf::kStreamKinds;
static_assert(kKindNames.size() == static_cast<size_t>(Kind::kStateParticipation) + 1);

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

std::string_view KindName(Kind kind) { return kKindNames[static_cast<size_t>(kind)]; }
std::optional<Kind> ParseKind(std::string_view text) {
  for (size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == text) return static_cast<Kind>(i);
  }
  return std::nullopt;
}

// True when `stream` is "<kind>-<id>".
bool IsStreamOf(std::string_view stream, Kind kind, std::string_view id) {
  const std::string_view name = KindName(kind);
  return stream.size() == name.size() + 1 + id.size() && stream.starts_with(name) &&
         stream[name.size()] == '-' && stream.ends_with(id);
}

Route RouteOf(const wf::Event& event) {
  return std::visit(Overloaded{
                        [](const wf::ConferenceSessionRegistered& e) {
                          return Route{Kind::kConferenceSession, e.conference_session, {}};
                        },
                        [](const wf::WorkingGroupRegistered& e) {
                          return Route{Kind::kWorkingGroup, e.working_group, {}};
                        },
                        [](const wf::MeetingScheduled& e) {
                          return Route{Kind::kMeeting, e.meeting, {}};
                        },
                        [](const wf::StakeholderRegistered& e) {
                          return Route{Kind::kStakeholder, e.stakeholder, {}};
                        },
                        [](const wf::EcosocStatusChanged& e) {
                          return Route{Kind::kStakeholder, e.stakeholder, {}};
                        },
                        [](const wf::ObserverEntitlementRecorded& e) {
                          return Route{Kind::kStakeholder, e.stakeholder, {}};
                        },
                        [](const wf::ReferredToWorkingGroup& e) {
                          return Route{Kind::kReferral, e.referral, e.briefing};
                        },
                        [](const wf::ReferralDecided& e) {
                          return Route{Kind::kReferral, e.referral, e.briefing};
                        },
                        [](const wf::ObjectionWithdrawn& e) {
                          return Route{Kind::kReferral, e.referral, e.briefing};
                        },
                        [](const wf::ObserverInvited& e) {
                          return Route{Kind::kObserverInvitation, e.observer_invitation, {}};
                        },
                        [](const wf::ObserverInvitationAnswered& e) {
                          return Route{Kind::kObserverInvitation, e.observer_invitation, {}};
                        },
                        [](const wf::ObserverInvitationRevoked& e) {
                          return Route{Kind::kObserverInvitation, e.observer_invitation, {}};
                        },
                        [](const wf::ContributionsRequested& e) {
                          return Route{Kind::kContributionRequest, e.contribution_request, {}};
                        },
                        [](const wf::ContributionSubmitted& e) {
                          return Route{Kind::kContributionRequest, e.contribution_request, {}};
                        },
                        [](const wf::ContributionReviewed& e) {
                          return Route{Kind::kContributionRequest, e.contribution_request, {}};
                        },
                        [](const wf::StakeholderReportSubmitted& e) {
                          return Route{Kind::kReport, e.report, {}};
                        },
                        [](const wf::StateParticipationRequested& e) {
                          return Route{Kind::kStateParticipation, e.state_participation, {}};
                        },
                        [](const wf::StateParticipationFunded& e) {
                          return Route{Kind::kStateParticipation, e.state_participation, {}};
                        },
                        [](const wf::StateParticipationWithdrawn& e) {
                          return Route{Kind::kStateParticipation, e.state_participation, {}};
                        },
                        // Every other event is a briefing's own.
                        [](const auto& e) {
                          return Route{Kind::kBriefing, e.briefing, {}};
                        },
                    },
                    event);
}

}  // namespace dialogue::projections::detail
