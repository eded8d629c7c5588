#include "workflows/rules_config.hpp"

#include <algorithm>

namespace dialogue::workflows {
namespace {

template <class T>
bool Contains(const std::vector<T>& list, T value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

bool RulesConfig::IsRelevant(StakeholderCategory category) const {
  return Contains(relevant_categories, category);
}

bool RulesConfig::MayObject(StakeholderCategory category) const {
  return Contains(may_object, category);
}

bool RulesConfig::IsObjectionTarget(StakeholderCategory category) const {
  return Contains(objection_targets, category);
}

bool RulesConfig::AllowsObserver(EcosocStatus status) const {
  return Contains(observer_ecosoc_statuses, status);
}

}  // namespace dialogue::workflows
