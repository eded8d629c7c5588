#include "workflows/stakeholder_report.hpp"

#include <algorithm>

#include "workflows/clauses.hpp"
#include "workflows/context.hpp"
#include "workflows/decider_support.hpp"

namespace dialogue::workflows {

Verdict<detail::Events> Decide(const StakeholderReportState& state,
                               const SubmitStakeholderReport& command, const Context& context) {
  RETURN_IF_ERROR(detail::RequireRole(
      context, {Role::kStakeholder, Role::kState, Role::kSecretariat}, "file a report"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  RETURN_IF_ERROR(CheckId("id", command.id));
  if (command.authors.empty()) {
    return Refuse(Refusal::InvalidArgument("authors must name at least one author"));
  }
  RETURN_IF_ERROR(detail::CheckIdList("authors", command.authors));
  if (command.addressed_to != kAddressedToConference) {
    RETURN_IF_ERROR(CheckId("addressed_to", command.addressed_to));
  }
  RETURN_IF_ERROR(CheckNotBlank("title", command.title));
  RETURN_IF_ERROR(CheckNotBlank("text", command.text));
  const bool is_author = std::find(command.authors.begin(), command.authors.end(),
                                   context.stakeholder) != command.authors.end();
  if (context.role != Role::kSecretariat && !is_author) {
    return Refuse(Refusal::Forbidden(detail::Who(context) + " may not file report " + command.id +
                                     ": a stakeholder files "
                                     "only reports it co-authors, and the authors are " +
                                     detail::Quoted(command.authors)));
  }
  if (context.role == Role::kSecretariat && !context.stakeholder.empty() && !is_author) {
    return Refuse(Refusal::Forbidden("the Secretariat may not file report " + command.id + " for " +
                                     context.stakeholder + ", which is not among its authors"));
  }
  std::vector<const StakeholderState*> authors;
  for (const auto& id : command.authors) {
    const StakeholderState* s = context.facts.FindStakeholder(id);
    if (s == nullptr) {
      return Refuse(Refusal::NotFound("stakeholder " + id + " is not registered"));
    }
    authors.push_back(s);
  }
  if (command.addressed_to != kAddressedToConference &&
      context.facts.FindWorkingGroup(command.addressed_to) == nullptr) {
    return Refuse(
        Refusal::NotFound("Working Group " + command.addressed_to + " is not registered"));
  }
  if (state.exists()) {
    return Refuse(Refusal::AlreadyExists("report " + command.id + " already exists"));
  }
  for (const auto* s : authors) {
    if (!context.rules.IsRelevant(s->category)) {
      return Refuse(Violation(
          Clause::k59h, s->id + " is " + std::string(Described(s->category)) +
                            "; reports under 59(h) come from non-signatory States, UN entities, "
                            "intergovernmental organizations and NGOs"));
    }
  }
  const std::string submitted_by = is_author ? context.stakeholder : command.authors.front();
  return detail::Events{
      StakeholderReportSubmitted{command.id, command.authors, command.addressed_to, command.title,
                                 command.text, submitted_by, context.occurred_at}};
}

StakeholderReportState Evolve(StakeholderReportState state, const Event& event) {
  if (const auto* e = std::get_if<StakeholderReportSubmitted>(&event)) {
    state.created = true;
    state.id = e->report;
    state.authors = e->authors;
    state.addressed_to = e->addressed_to;
    state.title = e->title;
    state.text = e->text;
    state.submitted_by = e->submitted_by;
    state.submitted_at = e->submitted_at;
  }
  return state;
}

}  // namespace dialogue::workflows
