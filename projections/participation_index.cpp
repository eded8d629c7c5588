#include "projections/participation_index.hpp"

#include <variant>

namespace dialogue::projections::detail {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// A missing declaration would turn the participants' bookkeeping off without a word (FoldEntity
// asks with `requires`): the aggregates that have participants say so here.
static_assert(requires(const wf::BriefingState& b, const wf::ObserverInvitationState& i,
                       const wf::ContributionRequestState& c, const wf::StakeholderReportState& r,
                       const wf::StateParticipationState& p) {
  wf::StatusIn(b, "");
  wf::StatusIn(i, "");
  wf::StatusIn(c, "");
  wf::StatusIn(r, "");
  wf::StatusIn(p, "");
});

}  // namespace

std::span<const std::string> NewParticipantsOf(const wf::Event& event) {
  return std::visit(
      Overloaded{
          [](const wf::StakeholderInvited& e) {
            return std::span<const std::string>(&e.stakeholder, 1);
          },
          [](const wf::BriefingHeld& e) { return std::span<const std::string>(e.states); },
          [](const wf::ObserverInvited& e) {
            return std::span<const std::string>(&e.stakeholder, 1);
          },
          [](const wf::ContributionsRequested& e) {
            return std::span<const std::string>(e.stakeholders);
          },
          [](const wf::StakeholderReportSubmitted& e) {
            return std::span<const std::string>(e.authors);
          },
          [](const wf::StateParticipationRequested& e) {
            return std::span<const std::string>(&e.state, 1);
          },
          [](const auto&) { return std::span<const std::string>(); },
      },
      event);
}

void ParticipationIndex::Add(std::string_view stakeholder, Kind kind, std::string_view id) {
  auto it = lists.find(stakeholder);
  if (it == lists.end()) it = lists.try_emplace(std::string(stakeholder)).first;
  it->second.refs.push_back(ParticipationRef{kind, std::string(id)});
  if (!it->second.dirty) {
    it->second.dirty = true;
    dirty.push_back(&*it);
  }
}

void ParticipationIndex::MarkSaved() {
  for (auto* node : dirty) node->second.dirty = false;
  dirty.clear();
}

}  // namespace dialogue::projections::detail
