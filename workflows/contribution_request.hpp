// Written contributions, paragraph 61: a Working Group invites NGOs to contribute in writing on
// the review process; only invited NGOs submit; each contribution is screened for country
// mentions (as 59(b)): without mentions it is accepted, with mentions it is under review until
// the Secretariat accepts or returns it; a returned contribution may be resubmitted.
// Stream contribution-request-<id>. Pure deciders and folds; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "workflows/country_screener.hpp"
#include "workflows/events.hpp"
#include "workflows/refusal.hpp"
#include "workflows/values.hpp"

namespace dialogue::workflows {

struct Context;

struct Contribution {
  std::string stakeholder;
  std::string text;
  std::vector<CountryMention> country_mentions;
  ContributionStatus status = ContributionStatus::kAccepted;
  TimePoint submitted_at;
  int submissions = 0;  // 1 for the first, more after returns
  std::string review_reasons;
  bool operator==(const Contribution&) const = default;
};

struct ContributionRequestState {
  bool created = false;  // its first event was folded
  bool exists() const { return created; }
  std::string id;
  std::string working_group;
  std::vector<std::string> stakeholders;  // the invited NGOs
  Date due_on{};
  std::map<std::string, Contribution> contributions;  // by stakeholder
  const Contribution* FindContribution(std::string_view stakeholder) const;
  bool operator==(const ContributionRequestState&) const = default;
};

// POST /v1/contribution-requests. Role: working_group (context.working_group), or the
// secretariat recording a group's request (context.working_group set; without it, 422 61).
// Reads facts.working_groups and facts.stakeholders (404).
struct RequestContributions {
  std::string id;
  std::vector<std::string> stakeholders;
  std::string due_on;
};

// POST /v1/contribution-requests/{id}/contributions/{sid}. Role: that stakeholder, or the
// secretariat.
struct SubmitContribution {
  std::string contribution_request;
  std::string stakeholder;
  std::string text;
};

// POST /v1/contribution-requests/{id}/contributions/{sid}/review. Role: secretariat.
struct ReviewContribution {
  std::string contribution_request;
  std::string stakeholder;
  std::string outcome;  // "accepted" or "returned"
  std::string reasons;
};

[[nodiscard]] Verdict<std::vector<Event>> Decide(const ContributionRequestState& state,
                                                 const RequestContributions& command,
                                                 const Context& context);
[[nodiscard]] Verdict<std::vector<Event>> Decide(const ContributionRequestState& state,
                                                 const SubmitContribution& command,
                                                 const Context& context);
[[nodiscard]] Verdict<std::vector<Event>> Decide(const ContributionRequestState& state,
                                                 const ReviewContribution& command,
                                                 const Context& context);
ContributionRequestState Evolve(ContributionRequestState state, const Event& event);

}  // namespace dialogue::workflows
