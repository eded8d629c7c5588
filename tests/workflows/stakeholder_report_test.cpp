// Paragraph 59(h): relevant stakeholders report to the Conference or a Working Group; a
// stakeholder files only reports it co-authors.
#include "workflows/stakeholder_report.hpp"

#include <catch2/catch.hpp>

#include "world.hpp"

namespace dialogue::workflows {
namespace {

using testing::At;
using testing::Failed;
using testing::RuleOf;
using testing::World;

const TimePoint kT = At("2026-06-01T09:00:00Z");

SubmitStakeholderReport Report(std::vector<std::string> authors, std::string to = "conference") {
  return SubmitStakeholderReport{"r-1", std::move(authors), std::move(to), "Our activities",
                                 "Implementation of the recommendations."};
}

TEST_CASE("59(h): a relevant stakeholder files a report, alone or with others", "[report][59(h)]") {
  World w;
  w.Standard();
  REQUIRE(w.Do(Report({"ngo-a", "igo-x", "nss-z"}), w.StakeholderRep("igo-x", kT)));
  const auto& r = w.reports["r-1"];
  CHECK(r.submitted_by == "igo-x");
  CHECK(r.addressed_to == "conference");
  CHECK(
      Failed(w.Do(Report({"ngo-a"}), w.StakeholderRep("ngo-a", kT)), RefusalCode::kAlreadyExists));
  CHECK(w.Do(SubmitStakeholderReport{"r-2", {"un-y"}, "wg-tip", "T", "Text"},
             w.StakeholderRep("un-y", kT)));
}

TEST_CASE("59(h): a stakeholder files only reports it co-authors", "[report][59(h)]") {
  World w;
  w.Standard();
  CHECK(Failed(w.Do(Report({"ngo-a"}), w.StakeholderRep("ngo-b", kT)), RefusalCode::kForbidden));
  Context for_other = w.Secretariat(kT);
  for_other.stakeholder = "ngo-b";
  CHECK(Failed(w.Do(Report({"ngo-a"}), for_other), RefusalCode::kForbidden));
  CHECK(w.Do(Report({"ngo-a"}), w.Secretariat(kT)));
}

TEST_CASE("59(h): every author must be a relevant stakeholder", "[report][59(h)]") {
  World w;
  w.Standard();
  CHECK(RuleOf(w.Do(Report({"ngo-a", "sp-1"}), w.StakeholderRep("ngo-a", kT))) == "59(h)");
  CHECK(RuleOf(w.Do(Report({"sig-2"}), w.StateRep("sig-2", kT))) == "59(h)");
  CHECK(Failed(w.Do(Report({"ngo-a", "ngo-404"}), w.StakeholderRep("ngo-a", kT)),
               RefusalCode::kNotFound));
  CHECK(Failed(w.Do(Report({"ngo-a"}, "wg-404"), w.StakeholderRep("ngo-a", kT)),
               RefusalCode::kNotFound));
  CHECK(Failed(w.Do(Report({}), w.Secretariat(kT)), RefusalCode::kInvalidArgument));
  CHECK_FALSE(w.reports["r-1"].exists());
}

}  // namespace
}  // namespace dialogue::workflows
