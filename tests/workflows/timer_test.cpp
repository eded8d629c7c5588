// The confirmation-deadline timer (RULES.md "Deadlines are durable timers"): due once per
// deadline, not again once its closing is folded, moved by rescheduling; lapsing and its lifting.
#include <catch2/catch.hpp>

#include "workflows/briefing.hpp"
#include "world.hpp"

namespace dialogue::workflows {
namespace {

using testing::At;
using testing::Failed;
using testing::World;

const TimePoint kDeadline = At("2026-07-05T21:59:59Z");  // b1 on 15 July, Vienna

World Invited() {
  World w;
  w.Standard();
  w.Convened("b1");
  REQUIRE(w.Do(InviteStakeholders{"b1", {"ngo-a", "ngo-b", "ngo-c"}, false},
               w.Secretariat(At("2026-05-03T09:00:00Z"))));
  return w;
}

// Runs the timer as the timer service would: decide the due command at its deadline.
Verdict<std::vector<Event>> Fire(World& w, const CloseConfirmationWindow& due) {
  return w.Do(due, w.System(due.deadline));
}

TEST_CASE("Nothing is due before the deadline has passed", "[timer]") {
  World w = Invited();
  CHECK_FALSE(DueConfirmationWindowClose(w.Briefing("b1"), At("2026-06-01T00:00:00Z")));
  CHECK_FALSE(DueConfirmationWindowClose(w.Briefing("b1"), kDeadline));
  auto due = DueConfirmationWindowClose(w.Briefing("b1"), kDeadline + std::chrono::microseconds{1});
  REQUIRE(due);
  CHECK(*due == CloseConfirmationWindow{"b1", kDeadline});
  // The deadline the timer waits for, open from the convening.
  CHECK(OpenConfirmationDeadline(w.Briefing("b1")) == kDeadline);
}

TEST_CASE("Nothing is due for a briefing not convened, or cancelled", "[timer]") {
  World w;
  w.Standard();
  REQUIRE(w.Do(RequestBriefing{"b1", "x"}, w.President(At("2026-05-01T09:00:00Z"))));
  CHECK_FALSE(DueConfirmationWindowClose(w.Briefing("b1"), At("2027-01-01T00:00:00Z")));
  CHECK_FALSE(OpenConfirmationDeadline(w.Briefing("b1")));
  World c = Invited();
  REQUIRE(c.Do(CancelBriefing{"b1", "x"}, c.Secretariat(At("2026-06-01T00:00:00Z"))));
  CHECK_FALSE(DueConfirmationWindowClose(c.Briefing("b1"), At("2027-01-01T00:00:00Z")));
  CHECK_FALSE(OpenConfirmationDeadline(c.Briefing("b1")));
}

TEST_CASE("The timer fires once: the closing event is folded and nothing more is due", "[timer]") {
  World w = Invited();
  REQUIRE(w.Do(ConfirmAttendance{"b1", "ngo-a", ""},
               w.StakeholderRep("ngo-a", At("2026-06-01T10:00:00Z"))));
  const TimePoint later = At("2026-07-06T00:00:00Z");
  auto due = DueConfirmationWindowClose(w.Briefing("b1"), later);
  REQUIRE(due);
  auto closed = Fire(w, *due);
  REQUIRE(closed);
  const auto& e = std::get<ConfirmationWindowClosed>(closed->front());
  CHECK(e.deadline == kDeadline);
  CHECK(e.lapsed == std::vector<std::string>{"ngo-b", "ngo-c"});
  CHECK(w.Briefing("b1").FindParticipant("ngo-a")->status == ParticipantStatus::kConfirmed);
  CHECK(w.Briefing("b1").FindParticipant("ngo-b")->status == ParticipantStatus::kLapsed);

  CHECK_FALSE(DueConfirmationWindowClose(w.Briefing("b1"), later));
  CHECK_FALSE(DueConfirmationWindowClose(w.Briefing("b1"), At("2027-01-01T00:00:00Z")));
  CHECK_FALSE(OpenConfirmationDeadline(w.Briefing("b1")));
  // A second closing of the same deadline (a timer racing itself) is refused.
  CHECK(Failed(Fire(w, *due), RefusalCode::kAlreadyExists));
}

TEST_CASE("The closing command is the timer's, at the deadline", "[timer]") {
  World w = Invited();
  const CloseConfirmationWindow due{"b1", kDeadline};
  CHECK(Failed(w.Do(due, w.Secretariat(kDeadline)), RefusalCode::kForbidden));
  CHECK(Failed(w.Do(due, w.System(kDeadline + std::chrono::seconds{1})),
               RefusalCode::kInvalidArgument));
  CHECK(Failed(w.Do(CloseConfirmationWindow{"b1", kDeadline - std::chrono::hours{1}},
                    w.System(kDeadline - std::chrono::hours{1})),
               RefusalCode::kInvalidArgument));
  Context early = w.System(kDeadline);
  early.now = kDeadline - std::chrono::seconds{1};  // the deadline is still ahead
  CHECK(Failed(w.Do(due, early), RefusalCode::kInvalidArgument));
}

TEST_CASE("A confirmation made in time but recorded after the closing lifts lapsed",
          "[timer][59(e)]") {
  World w = Invited();
  REQUIRE(Fire(w, *DueConfirmationWindowClose(w.Briefing("b1"), At("2026-07-06T00:00:00Z"))));
  REQUIRE(w.Briefing("b1").FindParticipant("ngo-b")->status == ParticipantStatus::kLapsed);
  // Recorded on 7 July, it happened on 5 July (a letter received late).
  REQUIRE(w.Do(ConfirmAttendance{"b1", "ngo-b", ""}, w.Secretariat(At("2026-07-05T12:00:00Z"))));
  CHECK(w.Briefing("b1").FindParticipant("ngo-b")->status == ParticipantStatus::kConfirmed);
  // A lapsed stakeholder confirming late is still refused.
  CHECK(testing::RuleOf(w.Do(ConfirmAttendance{"b1", "ngo-c", ""},
                             w.StakeholderRep("ngo-c", At("2026-07-06T12:00:00Z")))) == "59(e)");
}

TEST_CASE("Rescheduling makes a new deadline: due again, and the lapsed invited again", "[timer]") {
  World w = Invited();
  REQUIRE(Fire(w, *DueConfirmationWindowClose(w.Briefing("b1"), At("2026-07-06T00:00:00Z"))));
  REQUIRE(w.Do(RescheduleBriefing{"b1", "2026-07-19"}, w.Secretariat(At("2026-07-06T09:00:00Z"))));
  const TimePoint new_deadline = At("2026-07-09T21:59:59Z");
  CHECK(w.Briefing("b1").confirmation_deadline == new_deadline);
  CHECK(w.Briefing("b1").FindParticipant("ngo-b")->status == ParticipantStatus::kInvited);
  CHECK_FALSE(DueConfirmationWindowClose(w.Briefing("b1"), At("2026-07-07T00:00:00Z")));
  auto due = DueConfirmationWindowClose(w.Briefing("b1"), At("2026-07-10T00:00:00Z"));
  REQUIRE(due);
  CHECK(due->deadline == new_deadline);
  REQUIRE(w.Do(ConfirmAttendance{"b1", "ngo-b", ""},
               w.StakeholderRep("ngo-b", At("2026-07-08T12:00:00Z"))));
  auto closed = Fire(w, *due);
  REQUIRE(closed);
  CHECK(std::get<ConfirmationWindowClosed>(closed->front()).lapsed ==
        std::vector<std::string>{"ngo-a", "ngo-c"});
  CHECK_FALSE(DueConfirmationWindowClose(w.Briefing("b1"), At("2026-07-10T00:00:00Z")));

  // Back to the first date: that deadline was closed already, so nothing is due and the
  // invited are lapsed at once.
  REQUIRE(w.Do(RescheduleBriefing{"b1", "2026-07-15"}, w.Secretariat(At("2026-07-10T09:00:00Z"))));
  CHECK_FALSE(DueConfirmationWindowClose(w.Briefing("b1"), At("2026-07-11T00:00:00Z")));
  CHECK(w.Briefing("b1").FindParticipant("ngo-b")->status == ParticipantStatus::kConfirmed);
  CHECK(w.Briefing("b1").FindParticipant("ngo-c")->status == ParticipantStatus::kLapsed);
}

TEST_CASE("A convening whose deadline is already past is due at once", "[timer]") {
  World w;
  w.Standard();
  REQUIRE(w.Do(RequestBriefing{"b1", "x"}, w.President(At("2026-07-10T09:00:00Z"))));
  REQUIRE(w.Do(ConveneBriefing{"b1", "m1", "2026-07-15", "bureau-vp", std::nullopt},
               w.Secretariat(At("2026-07-10T10:00:00Z"))));
  CHECK(DueConfirmationWindowClose(w.Briefing("b1"), At("2026-07-10T10:00:00Z")));
}

TEST_CASE("Stakeholders under referral at the deadline return lapsed if they had not confirmed",
          "[timer][59(d)]") {
  World w = Invited();
  REQUIRE(w.Do(RaiseObjection{"b1", "ngo-a", "grounds"},
               w.StateRep("sp-1", At("2026-06-01T10:00:00Z"))));
  auto closed = Fire(w, *DueConfirmationWindowClose(w.Briefing("b1"), At("2026-07-06T00:00:00Z")));
  REQUIRE(closed);
  CHECK(std::get<ConfirmationWindowClosed>(closed->front()).lapsed ==
        std::vector<std::string>{"ngo-b", "ngo-c"});
  REQUIRE(w.Do(DecideReferral{"b1.ngo-a", "admitted", ""},
               w.Group("wg-tip", At("2026-07-07T10:00:00Z"))));
  CHECK(w.Briefing("b1").FindParticipant("ngo-a")->status == ParticipantStatus::kLapsed);
}

}  // namespace
}  // namespace dialogue::workflows
