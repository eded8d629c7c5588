// Reference data: Conference sessions, Working Groups, meetings.
#include "workflows/reference_data.hpp"

#include <catch2/catch.hpp>

#include "world.hpp"

namespace dialogue::workflows {
namespace {

using testing::At;
using testing::Failed;
using testing::World;

const TimePoint kT = At("2024-01-01T00:00:00Z");

TEST_CASE("A Conference session is registered once, with sound dates", "[reference]") {
  World w;
  REQUIRE(w.Do(RegisterConferenceSession{"cop-12", "Twelfth", "2025-10-13", "2025-10-17"},
               w.Secretariat(kT)));
  const auto& s = w.sessions["cop-12"];
  CHECK(s.exists());
  CHECK(s.ends_on == *ParseDate("d", "2025-10-17"));
  CHECK(Failed(w.Do(RegisterConferenceSession{"cop-12", "Again", "2025-10-13", "2025-10-17"},
                    w.Secretariat(kT)),
               RefusalCode::kAlreadyExists));
  CHECK(Failed(w.Do(RegisterConferenceSession{"cop-13", "Bad", "2027-10-17", "2027-10-13"},
                    w.Secretariat(kT)),
               RefusalCode::kInvalidArgument));
  CHECK(Failed(w.Do(RegisterConferenceSession{"cop-13", "Bad", "2027-02-29", "2027-03-01"},
                    w.Secretariat(kT)),
               RefusalCode::kInvalidArgument));
  // There is no year 0: the decider refuses it, not only the HTTP layer.
  CHECK(Failed(w.Do(RegisterConferenceSession{"cop-13", "Bad", "0000-10-13", "0000-10-17"},
                    w.Secretariat(kT)),
               RefusalCode::kInvalidArgument));
  CHECK(Failed(w.Do(RegisterConferenceSession{"COP 13", "Bad id", "2027-10-13", "2027-10-17"},
                    w.Secretariat(kT)),
               RefusalCode::kInvalidArgument));
  CHECK(Failed(
      w.Do(RegisterConferenceSession{"cop-13", "", "2027-10-13", "2027-10-17"}, w.Secretariat(kT)),
      RefusalCode::kInvalidArgument));
  CHECK(Failed(
      w.Do(RegisterConferenceSession{"cop-13", "By the President", "2027-10-13", "2027-10-17"},
           w.President(kT)),
      RefusalCode::kForbidden));
}

TEST_CASE("A Working Group has a Protocol or none", "[reference]") {
  World w;
  CHECK(w.Do(RegisterWorkingGroup{"wg-tip", "Trafficking", std::string("tip")}, w.Secretariat(kT)));
  CHECK(w.Do(RegisterWorkingGroup{"wg-gov", "Governance", std::nullopt}, w.Secretariat(kT)));
  CHECK(w.groups["wg-tip"].protocol == Instrument::kTip);
  CHECK_FALSE(w.groups["wg-gov"].protocol);
  CHECK(
      Failed(w.Do(RegisterWorkingGroup{"wg-x", "X", std::string("convention")}, w.Secretariat(kT)),
             RefusalCode::kInvalidArgument));
  CHECK(Failed(w.Do(RegisterWorkingGroup{"wg-tip", "Again", std::nullopt}, w.Secretariat(kT)),
               RefusalCode::kAlreadyExists));
}

TEST_CASE("A meeting belongs to a registered Working Group", "[reference]") {
  World w;
  w.WorkingGroup("wg-tip");
  CHECK(Failed(
      w.Do(ScheduleMeeting{"m1", "wg-none", "2026-07-13", "2026-07-17", true}, w.Secretariat(kT)),
      RefusalCode::kNotFound));
  REQUIRE(
      w.Do(ScheduleMeeting{"m1", "wg-tip", "2026-07-13", "2026-07-17", true}, w.Secretariat(kT)));
  CHECK(w.meetings["m1"].review_agenda_item);
  CHECK(w.meetings["m1"].working_group == "wg-tip");
  CHECK(Failed(
      w.Do(ScheduleMeeting{"m1", "wg-tip", "2026-07-13", "2026-07-17", true}, w.Secretariat(kT)),
      RefusalCode::kAlreadyExists));
}

}  // namespace
}  // namespace dialogue::workflows
