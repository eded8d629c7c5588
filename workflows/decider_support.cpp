#include "workflows/decider_support.hpp"

#include <algorithm>
#include <set>

namespace dialogue::workflows::detail {

Check RequireRole(const Context& context, std::initializer_list<Role> roles,
                  std::string_view action) {
  if (std::find(roles.begin(), roles.end(), context.role) != roles.end()) return {};
  return Refuse(Refusal::Forbidden(Who(context) + " may not " + std::string(action)));
}

Check RequireActingFor(const Context& context, std::string_view stakeholder,
                       std::string_view action) {
  if (context.role == Role::kSecretariat) return {};
  if ((context.role == Role::kState || context.role == Role::kStakeholder) &&
      context.stakeholder == stakeholder) {
    return {};
  }
  return Refuse(Refusal::Forbidden(Who(context) + " may not " + std::string(action) + " for " +
                                   std::string(stakeholder) +
                                   ": only that stakeholder or the Secretariat may"));
}

std::string Who(const Context& context) {
  std::string who = context.actor.empty() ? std::string("someone") : context.actor;
  who += " (";
  who += Name(context.role);
  if (!context.stakeholder.empty() &&
      (context.role == Role::kState || context.role == Role::kStakeholder)) {
    who += " for " + context.stakeholder;
  }
  if (!context.working_group.empty() && context.role == Role::kWorkingGroup) {
    who += " for " + context.working_group;
  }
  who += ")";
  return who;
}

std::string Quoted(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

Check CheckIdList(std::string_view field, const std::vector<std::string>& ids) {
  std::set<std::string_view> seen;
  for (const auto& id : ids) {
    RETURN_IF_ERROR(CheckId(field, id));
    if (!seen.insert(id).second) {
      return Refuse(Refusal::InvalidArgument(std::string(field) + " names " + id + " twice"));
    }
  }
  return {};
}

std::vector<CountryMention> Screen(std::string_view text) { return ScreenForCountries(text); }

std::string DescribeMentions(const std::vector<CountryMention>& mentions) {
  std::string out;
  for (const auto& m : mentions) {
    if (!out.empty()) out += ", ";
    out += "\"" + m.name + "\" (" + m.country + ")";
  }
  return out;
}

}  // namespace dialogue::workflows::detail
