#include "workflows/contribution_request.hpp"

#include <algorithm>

#include "workflows/clauses.hpp"
#include "workflows/context.hpp"
#include "workflows/deadline.hpp"
#include "workflows/decider_support.hpp"

namespace dialogue::workflows {
namespace {

using detail::Events;

Refusal UnknownRequest(std::string_view id) {
  return Refusal::NotFound("contribution request " + std::string(id) + " does not exist");
}

}  // namespace

const Contribution* ContributionRequestState::FindContribution(std::string_view stakeholder) const {
  auto it = contributions.find(std::string(stakeholder));
  return it == contributions.end() ? nullptr : &it->second;
}

Verdict<Events> Decide(const ContributionRequestState& state, const RequestContributions& command,
                       const Context& context) {
  RETURN_IF_ERROR(detail::RequireRole(context, {Role::kWorkingGroup, Role::kSecretariat},
                                      "request written contributions (a Working Group does)"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  RETURN_IF_ERROR(CheckId("id", command.id));
  if (command.stakeholders.empty()) {
    return Refuse(Refusal::InvalidArgument("stakeholders must name at least one NGO"));
  }
  RETURN_IF_ERROR(detail::CheckIdList("stakeholders", command.stakeholders));
  ASSIGN_OR_RETURN(Date due_on, ParseDate("due_on", command.due_on));
  if (context.role == Role::kSecretariat && context.working_group.empty()) {
    return Refuse(
        Violation(Clause::k61,
                  "written contributions are invited by a Working Group, not by the "
                  "Secretariat; the Secretariat may record a Working Group's request on its "
                  "behalf"));
  }
  if (context.facts.FindWorkingGroup(context.working_group) == nullptr) {
    return Refuse(
        Refusal::NotFound("Working Group " + context.working_group + " is not registered"));
  }
  std::vector<const StakeholderState*> invitees;
  for (const auto& id : command.stakeholders) {
    const StakeholderState* s = context.facts.FindStakeholder(id);
    if (s == nullptr) {
      return Refuse(Refusal::NotFound("stakeholder " + id + " is not registered"));
    }
    invitees.push_back(s);
  }
  if (state.exists()) {
    return Refuse(Refusal::AlreadyExists("contribution request " + command.id + " already exists"));
  }
  for (const auto* s : invitees) {
    if (s->category != StakeholderCategory::kNgo) {
      return Refuse(Violation(Clause::k61,
                              s->id + " is " + std::string(Described(s->category)) +
                                  "; written contributions are invited from NGOs only; nobody was "
                                  "invited"));
    }
  }
  return Events{
      ContributionsRequested{command.id, context.working_group, command.stakeholders, due_on}};
}

Verdict<Events> Decide(const ContributionRequestState& state, const SubmitContribution& command,
                       const Context& context) {
  RETURN_IF_ERROR(
      detail::RequireActingFor(context, command.stakeholder, "submit a written contribution"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  RETURN_IF_ERROR(CheckNotBlank("text", command.text));
  if (!state.exists()) return Refuse(UnknownRequest(command.contribution_request));
  if (std::find(state.stakeholders.begin(), state.stakeholders.end(), command.stakeholder) ==
      state.stakeholders.end()) {
    return Refuse(Violation(Clause::k61, command.stakeholder +
                                             " was not invited to contribute to request " +
                                             state.id + "; only invited NGOs submit"));
  }
  if (!context.rules.accept_contributions_after_due_date) {
    ASSIGN_OR_RETURN(TimePoint due, EndOfLocalDay(state.due_on, context.rules.default_time_zone));
    if (context.occurred_at > due) {
      return Refuse(Violation(
          Clause::k61, command.stakeholder + "'s contribution at " +
                           FormatLocal(context.occurred_at, context.rules.default_time_zone) +
                           " (" + context.rules.default_time_zone + ") is after the due date " +
                           FormatDate(state.due_on) + " of request " + state.id));
    }
  }
  if (const Contribution* existing = state.FindContribution(command.stakeholder);
      existing != nullptr && existing->status != ContributionStatus::kReturned) {
    return Refuse(
        Violation(Clause::k61, command.stakeholder + "'s contribution to request " + state.id +
                                   " is " + std::string(Name(existing->status)) +
                                   "; only a returned contribution may be submitted again"));
  }
  auto mentions = detail::Screen(command.text);
  const ContributionStatus status =
      mentions.empty() ? ContributionStatus::kAccepted : ContributionStatus::kUnderReview;
  return Events{ContributionSubmitted{state.id, command.stakeholder, command.text,
                                      std::move(mentions), status, context.occurred_at}};
}

Verdict<Events> Decide(const ContributionRequestState& state, const ReviewContribution& command,
                       const Context& context) {
  RETURN_IF_ERROR(
      detail::RequireRole(context, {Role::kSecretariat}, "review a written contribution"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  auto outcome = ParseContributionStatus(command.outcome);
  if (!outcome || *outcome == ContributionStatus::kUnderReview) {
    return Refuse(Refusal::InvalidArgument("outcome \"" + command.outcome +
                                           "\" is not accepted or returned"));
  }
  if (!state.exists()) return Refuse(UnknownRequest(command.contribution_request));
  const Contribution* c = state.FindContribution(command.stakeholder);
  if (c == nullptr) {
    return Refuse(Refusal::NotFound(command.stakeholder +
                                    " has submitted no contribution to request " + state.id));
  }
  if (c->status != ContributionStatus::kUnderReview) {
    return Refuse(Violation(
        Clause::k61, command.stakeholder + "'s contribution to request " + state.id + " is " +
                         std::string(Name(c->status)) +
                         "; only a contribution under review (one with country mentions) is "
                         "reviewed"));
  }
  return Events{ContributionReviewed{state.id, command.stakeholder, *outcome, command.reasons}};
}

ContributionRequestState Evolve(ContributionRequestState state, const Event& event) {
  if (const auto* e = std::get_if<ContributionsRequested>(&event)) {
    state.created = true;
    state.id = e->contribution_request;
    state.working_group = e->working_group;
    state.stakeholders = e->stakeholders;
    state.due_on = e->due_on;
  } else if (const auto* e = std::get_if<ContributionSubmitted>(&event)) {
    if (e->contribution_request != state.id) return state;
    Contribution& c = state.contributions[e->stakeholder];
    c.stakeholder = e->stakeholder;
    c.text = e->text;
    c.country_mentions = e->country_mentions;
    c.status = e->status;
    c.submitted_at = e->submitted_at;
    c.submissions += 1;
    c.review_reasons.clear();
  } else if (const auto* e = std::get_if<ContributionReviewed>(&event)) {
    if (e->contribution_request != state.id) return state;
    if (auto it = state.contributions.find(e->stakeholder); it != state.contributions.end()) {
      it->second.status = e->outcome;
      it->second.review_reasons = e->reasons;
    }
  }
  return state;
}

}  // namespace dialogue::workflows
