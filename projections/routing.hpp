// Internal to projections/: which entity an event belongs to. Every event is recorded on the stream
// of one entity ("<kind>-<id>", API.md); a referral's events also concern the briefing they name,
// whose state folds them (workflows/briefing.hpp). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "workflows/events.hpp"

namespace dialogue::projections::detail {

// The aggregates, each named like its stream prefix, which is also its kind in snapshot keys.
enum class Kind {
  kConferenceSession,
  kWorkingGroup,
  kMeeting,
  kStakeholder,
  kBriefing,
  kReferral,
  kObserverInvitation,
  kContributionRequest,
  kReport,
  kStateParticipation,
};

std::string_view KindName(Kind kind);  // "conference-session", ..., "state-participation"
std::optional<Kind> ParseKind(std::string_view text);

// True when `stream` is "<kind>-<id>".
bool IsStreamOf(std::string_view stream, Kind kind, std::string_view id);

// Where an event goes: its own entity (whose stream it is recorded on) and, for the referral
// events a briefing folds, that briefing. The views point into the event.
struct Route {
  Kind kind;
  std::string_view id;
  std::string_view briefing;  // non-empty for ReferredToWorkingGroup, ReferralDecided,
                              // ObjectionWithdrawn
};
Route RouteOf(const workflows::Event& event);

}  // namespace dialogue::projections::detail
