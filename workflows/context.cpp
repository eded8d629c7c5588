#include "workflows/context.hpp"

namespace dialogue::workflows {
namespace {

template <class T>
const T* FindIn(const std::vector<T>& list, std::string_view id) {
  for (const auto& item : list) {
    if (item.exists() && item.id == id) return &item;
  }
  return nullptr;
}

}  // namespace

const ConferenceSessionState* Facts::FindConferenceSession(std::string_view id) const {
  return FindIn(conference_sessions, id);
}
const WorkingGroupState* Facts::FindWorkingGroup(std::string_view id) const {
  return FindIn(working_groups, id);
}
const MeetingState* Facts::FindMeeting(std::string_view id) const { return FindIn(meetings, id); }
const StakeholderState* Facts::FindStakeholder(std::string_view id) const {
  return FindIn(stakeholders, id);
}

Check CheckOccurredAt(const Context& context) {
  if (context.occurred_at <= context.now) return {};
  return Refuse(Refusal::InvalidArgument("occurred_at " + FormatInstant(context.occurred_at) +
                                         " is in the future (now is " + FormatInstant(context.now) +
                                         "); acts may be recorded late, never ahead"));
}

engine::EventMetadata MetadataFor(const Context& context) {
  engine::EventMetadata metadata;
  metadata.occurred_at = FormatInstant(context.occurred_at);
  metadata.actor = context.actor;
  metadata.role = std::string(Name(context.role));
  metadata.on_behalf_of = context.on_behalf_of;
  metadata.note = context.note;
  return metadata;
}

}  // namespace dialogue::workflows
