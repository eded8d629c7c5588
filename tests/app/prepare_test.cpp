// app::Prepare: what each command is decided on and who may reach its target, without HTTP. The
// routes' own tests (tests/api/refusal_disclosure_test.cpp, command_*_test.cpp) check the same
// gates through the server; these check that they are the application's, whoever sends the
// command.
#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "app/execute.hpp"
#include "app/prepare.hpp"
#include "engine/event_store.hpp"
#include "projections/read_models.hpp"
#include "tests/support/manual_clock.hpp"
#include "workflows/briefing.hpp"

namespace dialogue::app {
namespace {

namespace wf = workflows;

class PrepareFixture {
 public:
  PrepareFixture() { REQUIRE(models_.Open()); }

  // `command` by `role`, acting for `stakeholder` (a state or stakeholder principal's own id).
  template <class Command>
  Executed Send(Command command, wf::Role role, std::string stakeholder = "") {
    CommandRun run;
    run.name = "Test";
    run.context.role = role;
    run.context.actor = "someone";
    run.context.stakeholder = std::move(stakeholder);
    run.context.now = clock_.Now();
    run.context.occurred_at = clock_.Now();
    run.prepare = Prepare(models_, std::move(command));
    return executor_.Execute(std::move(run));
  }

  engine::ManualClock clock_{wf::ParseInstant("2026-06-01T09:00:00Z").value()};
  std::unique_ptr<engine::EventStore> store_ = engine::NewInMemoryEventStore(&clock_);
  projections::ReadModels models_{*store_};
  Executor executor_{*store_, models_};
};

std::optional<wf::RefusalCode> RefusalOf(const Executed& executed) {
  const auto* refusal = std::get_if<wf::Refusal>(&executed.error);
  return refusal ? std::optional(refusal->code) : std::nullopt;
}

TEST_CASE("A state or stakeholder reaches only the briefings that name it, as its reads do",
          "[prepare]") {
  PrepareFixture f;
  REQUIRE(
      f.Send(wf::RequestBriefing{"b1", "Victims and the review"}, wf::Role::kPresident).outcome ==
      Outcome::kCreated);

  // Not invited: refused as its GET would be, before any rule; the same for a briefing that does
  // not exist.
  for (const char* briefing : {"b1", "b9"}) {
    const Executed confirmed =
        f.Send(wf::ConfirmAttendance{briefing, "ngo-a", ""}, wf::Role::kStakeholder, "ngo-a");
    CHECK(confirmed.outcome == Outcome::kRefused);
    CHECK(RefusalOf(confirmed) == wf::RefusalCode::kForbidden);
    CHECK(MessageOf(confirmed.error) ==
          std::string("this token may not read briefing ") + briefing);
    CHECK_FALSE(confirmed.redact);
  }

  // 59(d): any State objects; the objection is decided (here refused: ngo-a is no participant),
  // and the refusal is marked to name nothing of the briefing.
  const Executed objected =
      f.Send(wf::RaiseObjection{"b1", "ngo-a", "Outside the review"}, wf::Role::kState, "at");
  CHECK(objected.outcome == Outcome::kRefused);
  CHECK(RefusalOf(objected) != wf::RefusalCode::kForbidden);
  CHECK(objected.redact == std::optional<std::string>("briefing b1"));

  // A referral is reached by a State only as the one that objected.
  const Executed withdrawn = f.Send(wf::WithdrawObjection{"b1.ngo-a", ""}, wf::Role::kState, "at");
  CHECK(RefusalOf(withdrawn) == wf::RefusalCode::kForbidden);
  CHECK(MessageOf(withdrawn.error) == "this token may not read referral b1.ngo-a");

  // The secretariat reads everything: the rules answer (no such participant).
  const Executed recorded =
      f.Send(wf::ConfirmAttendance{"b1", "ngo-a", ""}, wf::Role::kSecretariat, "ngo-a");
  CHECK(recorded.outcome == Outcome::kRefused);
  CHECK(RefusalOf(recorded) != wf::RefusalCode::kForbidden);
  CHECK(f.store_->HeadPosition() == 1);
}

}  // namespace
}  // namespace dialogue::app
