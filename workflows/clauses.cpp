#include "workflows/clauses.hpp"

#include <array>
#include <utility>

namespace dialogue::workflows {
namespace {

constexpr std::array<ClauseText, 11> kClauses{{
    {Clause::k58, "58",
     "A signatory State may participate as a State under review, voluntarily; costs are paid from "
     "voluntary contributions"},
    {Clause::k59a, "59(a)",
     "Briefings are requested by the President and convened by the Secretariat on the margins of "
     "a Working Group meeting, with a member of the Bureau"},
    {Clause::k59b, "59(b)", "No specific country situation is mentioned in a briefing"},
    {Clause::k59c, "59(c)",
     "The Secretariat invites the relevant stakeholders entitled as observers at the Conference "
     "session previous to the briefing"},
    {Clause::k59d, "59(d)",
     "An objection to the participation of an NGO is referred to the Working Group for decision"},
    {Clause::k59e, "59(e)",
     "Stakeholders wishing to attend confirm no later than ten days before the briefing, with any "
     "written comments"},
    {Clause::k59f, "59(f)", "Briefings are open to States Parties and signatories"},
    {Clause::k59g, "59(g)",
     "The Secretariat prepares a summary of the briefing and submits it to the Working Group as a "
     "conference room paper"},
    {Clause::k59h, "59(h)",
     "Relevant stakeholders may report to the Conference and the Working Groups on their "
     "activities"},
    {Clause::k60, "60",
     "Working Groups may invite NGOs with ECOSOC consultative status as observers at meetings on "
     "the review process when prevention or victims are concerned"},
    {Clause::k61, "61",
     "Working Groups may invite NGOs to give written contributions on the review process, without "
     "mentioning specific country situations"},
}};

const ClauseText& Find(Clause clause) {
  for (const auto& c : kClauses) {
    if (c.clause == clause) return c;
  }
  return kClauses.front();  // unreachable: every enumerator has a row
}

}  // namespace

std::span<const ClauseText> AllClauses() { return kClauses; }

std::string_view Code(Clause clause) { return Find(clause).code; }

std::string_view ClauseSummary(Clause clause) { return Find(clause).summary; }

Refusal Violation(Clause clause, std::string message) {
  std::string code(Code(clause));
  message += " (rule " + code + ")";
  return Refusal::RuleViolation(std::move(code), std::move(message));
}

}  // namespace dialogue::workflows
