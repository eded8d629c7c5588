// What the read models' queries take and give back (projections/read_models.hpp); each read model
// answers its own (projections/*_board.hpp, *_queue.hpp, *_register.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "workflows/briefing.hpp"
#include "workflows/reference_data.hpp"
#include "workflows/stakeholder.hpp"
#include "workflows/values.hpp"

namespace dialogue::projections {

// A state and the version of its own stream (the ETag of its GET).
template <class State>
struct Versioned {
  State state;
  uint64_t version = 0;
};

struct ReferralFilter {
  std::optional<workflows::ReferralStatus> status;  // none: every status
  std::string working_group;                        // empty: every group
};

// 59(c): who may be invited to a briefing held on a date.
struct EligibleList {
  std::optional<workflows::ConferenceSessionState> conference_session;  // the previous session
  std::vector<workflows::StakeholderState> stakeholders;                // in id order
};

}  // namespace dialogue::projections
