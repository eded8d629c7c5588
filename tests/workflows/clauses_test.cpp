// The clause table: one row per clause, codes as RULES.md writes them, refusals carry them.
#include "workflows/clauses.hpp"

#include <catch2/catch.hpp>

#include <set>

namespace dialogue::workflows {
namespace {

TEST_CASE("Every clause has one distinct code and a summary", "[clauses]") {
  std::set<std::string_view> codes;
  for (const auto& c : AllClauses()) {
    CHECK(Code(c.clause) == c.code);
    CHECK_FALSE(ClauseSummary(c.clause).empty());
    codes.insert(c.code);
  }
  CHECK(codes == std::set<std::string_view>{"58", "59(a)", "59(b)", "59(c)", "59(d)", "59(e)",
                                            "59(f)", "59(g)", "59(h)", "60", "61"});
}

TEST_CASE("A violation carries its clause's code in the refusal and the message", "[clauses]") {
  Refusal e = Violation(Clause::k59e, "too late");
  CHECK(e.code == RefusalCode::kRuleViolation);
  CHECK(e.rule == "59(e)");
  CHECK(e.message == "too late (rule 59(e))");
}

}  // namespace
}  // namespace dialogue::workflows
