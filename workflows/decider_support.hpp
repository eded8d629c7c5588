// Internal to workflows/: the checks every decider shares (roles, acting-for, occurred_at) and the
// text helpers of refusal messages. Not for other layers. Pure functions; thread-safe.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "workflows/context.hpp"
#include "workflows/events.hpp"
#include "workflows/refusal.hpp"

namespace dialogue::workflows::detail {

using Events = std::vector<Event>;

// kForbidden unless context.role is one of `roles`. `action` completes "... may not <action>".
[[nodiscard]] Check RequireRole(const Context& context, std::initializer_list<Role> roles,
                                std::string_view action);

// The act of stakeholder `stakeholder`: roles state and stakeholder acting for it, or the
// secretariat recording it. kForbidden otherwise.
[[nodiscard]] Check RequireActingFor(const Context& context, std::string_view stakeholder,
                                     std::string_view action);

// "sec-ana (secretariat)".
std::string Who(const Context& context);

// "\"a\", \"b\"" — for lists in messages.
std::string Quoted(const std::vector<std::string>& items);

// kInvalidArgument when the list has the same id twice or an invalid id.
[[nodiscard]] Check CheckIdList(std::string_view field, const std::vector<std::string>& ids);

// Screening for 59(b) and 61.
std::vector<CountryMention> Screen(std::string_view text);

// "Viet Nam (VN) at 12, Turkey (TR) at 40".
std::string DescribeMentions(const std::vector<CountryMention>& mentions);

}  // namespace dialogue::workflows::detail
