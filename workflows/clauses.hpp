// The clauses of paragraphs 58-61 that Dialogue enforces: the ONE table mapping a clause to its
// code ("59(e)") and text. If the adopted procedures renumber the paragraphs (53 in later
// documents), this table is the only place to change. Constant data; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "workflows/refusal.hpp"

namespace dialogue::workflows {

enum class Clause {
  k58,   // voluntary participation of signatories, paid from voluntary contributions
  k59a,  // requested by the President, convened on the margins, with a Bureau member
  k59b,  // no specific country situation mentioned
  k59c,  // invite those entitled as observers at the previous Conference session
  k59d,  // objections to an NGO referred to the Working Group
  k59e,  // confirm no later than ten days before; written comments then
  k59f,  // open to States Parties and signatories
  k59g,  // summary prepared and submitted as a conference room paper
  k59h,  // relevant stakeholders report to the Conference and Working Groups
  k60,   // Working Groups invite NGOs with ECOSOC status as observers
  k61,   // Working Groups invite NGOs to give written contributions
};

struct ClauseText {
  Clause clause;
  std::string_view code;     // what error.rule carries: "59(e)"
  std::string_view summary;  // one line, for people
};

// Every clause, in document order.
std::span<const ClauseText> AllClauses();

// The code of a clause: "59(e)".
std::string_view Code(Clause clause);

// The one-line summary of a clause.
std::string_view ClauseSummary(Clause clause);

// A refusal under `clause`: kRuleViolation carrying the clause's code, with `message` followed by
// " (rule <code>)". `message` must make sense to a Secretariat officer on its own.
Refusal Violation(Clause clause, std::string message);

}  // namespace dialogue::workflows
