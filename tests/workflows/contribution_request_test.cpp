// Paragraph 61: Working Groups invite NGOs to give written contributions; contributions are
// screened; those with country mentions are reviewed; returned ones may come back.
#include "workflows/contribution_request.hpp"

#include <catch2/catch.hpp>

#include "world.hpp"

namespace dialogue::workflows {
namespace {

using testing::At;
using testing::Failed;
using testing::RuleOf;
using testing::World;

const TimePoint kT = At("2026-06-01T09:00:00Z");

World Requested() {
  World w;
  w.Standard();
  REQUIRE(
      w.Do(RequestContributions{"cr-1", {"ngo-a", "ngo-b"}, "2026-09-30"}, w.Group("wg-tip", kT)));
  return w;
}

TEST_CASE("61: a Working Group invites NGOs, and NGOs only", "[contribution][61]") {
  World w;
  w.Standard();
  CHECK(RuleOf(w.Do(RequestContributions{"cr-1", {"ngo-a", "igo-x"}, "2026-09-30"},
                    w.Group("wg-tip", kT))) == "61");
  CHECK(RuleOf(w.Do(RequestContributions{"cr-1", {"ngo-a"}, "2026-09-30"}, w.Secretariat(kT))) ==
        "61");
  CHECK(Failed(w.Do(RequestContributions{"cr-1", {"ngo-404"}, "2026-09-30"}, w.Group("wg-tip", kT)),
               RefusalCode::kNotFound));
  CHECK(Failed(w.Do(RequestContributions{"cr-1", {}, "2026-09-30"}, w.Group("wg-tip", kT)),
               RefusalCode::kInvalidArgument));
  CHECK(Failed(w.Do(RequestContributions{"cr-1", {"ngo-a"}, "soon"}, w.Group("wg-tip", kT)),
               RefusalCode::kInvalidArgument));
  REQUIRE(
      w.Do(RequestContributions{"cr-1", {"ngo-a", "ngo-b"}, "2026-09-30"}, w.Group("wg-tip", kT)));
  const auto& r = w.contribution_requests["cr-1"];
  CHECK(r.working_group == "wg-tip");
  CHECK(r.stakeholders == std::vector<std::string>{"ngo-a", "ngo-b"});
  CHECK(Failed(w.Do(RequestContributions{"cr-1", {"ngo-a"}, "2026-09-30"}, w.Group("wg-tip", kT)),
               RefusalCode::kAlreadyExists));
}

TEST_CASE("61: only invited NGOs submit, by the due date", "[contribution][61]") {
  World w = Requested();
  CHECK(RuleOf(w.Do(SubmitContribution{"cr-1", "ngo-c", "Text"}, w.StakeholderRep("ngo-c", kT))) ==
        "61");
  CHECK(Failed(w.Do(SubmitContribution{"cr-1", "ngo-a", "Text"}, w.StakeholderRep("ngo-b", kT)),
               RefusalCode::kForbidden));
  CHECK(RuleOf(w.Do(SubmitContribution{"cr-1", "ngo-a", "Text"},
                    w.StakeholderRep("ngo-a", At("2026-09-30T22:00:00Z")))) == "61");
  REQUIRE(w.Do(SubmitContribution{"cr-1", "ngo-a", "Text"},
               w.StakeholderRep("ngo-a", At("2026-09-30T21:59:59Z"))));
  const Contribution* c = w.contribution_requests["cr-1"].FindContribution("ngo-a");
  REQUIRE(c != nullptr);
  CHECK(c->status == ContributionStatus::kAccepted);
  CHECK(RuleOf(w.Do(SubmitContribution{"cr-1", "ngo-a", "Again"},
                    w.StakeholderRep("ngo-a", At("2026-09-30T21:59:59Z")))) == "61");
}

TEST_CASE("61: a contribution mentioning a country is reviewed, a returned one comes back",
          "[contribution][61][59(b)]") {
  World w = Requested();
  REQUIRE(w.Do(SubmitContribution{"cr-1", "ngo-a", "Trafficking routes through Côte d'Ivoire."},
               w.StakeholderRep("ngo-a", kT)));
  // Looked up afresh after each command: folding replaces the state.
  auto c = [&w] { return w.contribution_requests["cr-1"].FindContribution("ngo-a"); };
  CHECK(c()->status == ContributionStatus::kUnderReview);
  REQUIRE(c()->country_mentions.size() == 1);
  CHECK(c()->country_mentions[0].country == "CI");
  CHECK(RuleOf(w.Do(SubmitContribution{"cr-1", "ngo-a", "Again"}, w.StakeholderRep("ngo-a", kT))) ==
        "61");
  CHECK(Failed(w.Do(ReviewContribution{"cr-1", "ngo-a", "returned", "Remove the name"},
                    w.Group("wg-tip", kT)),
               RefusalCode::kForbidden));
  CHECK(Failed(w.Do(ReviewContribution{"cr-1", "ngo-a", "under_review", ""}, w.Secretariat(kT)),
               RefusalCode::kInvalidArgument));
  CHECK(Failed(w.Do(ReviewContribution{"cr-1", "ngo-b", "accepted", ""}, w.Secretariat(kT)),
               RefusalCode::kNotFound));
  REQUIRE(
      w.Do(ReviewContribution{"cr-1", "ngo-a", "returned", "Remove the name"}, w.Secretariat(kT)));
  CHECK(c()->status == ContributionStatus::kReturned);
  CHECK(RuleOf(w.Do(ReviewContribution{"cr-1", "ngo-a", "accepted", ""}, w.Secretariat(kT))) ==
        "61");
  REQUIRE(w.Do(SubmitContribution{"cr-1", "ngo-a", "Trafficking routes in the region."},
               w.StakeholderRep("ngo-a", kT)));
  CHECK(c()->status == ContributionStatus::kAccepted);
  CHECK(c()->submissions == 2);
  CHECK(RuleOf(w.Do(ReviewContribution{"cr-1", "ngo-a", "returned", ""}, w.Secretariat(kT))) ==
        "61");
}

TEST_CASE("61: the Secretariat accepts a contribution under review", "[contribution][61]") {
  World w = Requested();
  REQUIRE(w.Do(SubmitContribution{"cr-1", "ngo-b", "Unlike in Vietnam, ..."},
               w.StakeholderRep("ngo-b", kT)));
  REQUIRE(w.Do(ReviewContribution{"cr-1", "ngo-b", "accepted", "Harmless"}, w.Secretariat(kT)));
  CHECK(w.contribution_requests["cr-1"].FindContribution("ngo-b")->status ==
        ContributionStatus::kAccepted);
}

}  // namespace
}  // namespace dialogue::workflows
