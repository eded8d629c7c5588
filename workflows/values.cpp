#include "workflows/values.hpp"

#include <array>
#include <utility>

#include "engine/time.hpp"

namespace dialogue::workflows {
namespace {

template <class E, size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

constexpr NameTable<Role, 9> kRoleNames{{
    {Role::kSecretariat, "secretariat"},
    {Role::kPresident, "president"},
    {Role::kBureau, "bureau"},
    {Role::kWorkingGroup, "working_group"},
    {Role::kState, "state"},
    {Role::kStakeholder, "stakeholder"},
    {Role::kAuditor, "auditor"},
    {Role::kIntegration, "integration"},
    {Role::kSystem, "system"},
}};

constexpr NameTable<StakeholderCategory, 6> kCategoryNames{{
    {StakeholderCategory::kNgo, "ngo"},
    {StakeholderCategory::kIgo, "igo"},
    {StakeholderCategory::kUnEntity, "un_entity"},
    {StakeholderCategory::kNonSignatoryState, "non_signatory_state"},
    {StakeholderCategory::kSignatoryState, "signatory_state"},
    {StakeholderCategory::kStateParty, "state_party"},
}};

constexpr NameTable<EcosocStatus, 4> kEcosocNames{{
    {EcosocStatus::kNone, "none"},
    {EcosocStatus::kGeneral, "general"},
    {EcosocStatus::kSpecial, "special"},
    {EcosocStatus::kRoster, "roster"},
}};

constexpr NameTable<Instrument, 4> kInstrumentNames{{
    {Instrument::kConvention, "convention"},
    {Instrument::kTip, "tip"},
    {Instrument::kSom, "som"},
    {Instrument::kFirearms, "firearms"},
}};

constexpr NameTable<InstrumentStatus, 3> kInstrumentStatusNames{{
    {InstrumentStatus::kNone, "none"},
    {InstrumentStatus::kSignatory, "signatory"},
    {InstrumentStatus::kParty, "party"},
}};

template <class E, size_t N>
std::string_view Lookup(const NameTable<E, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "unknown";
}

template <class E, size_t N>
std::optional<E> Reverse(const NameTable<E, N>& table, std::string_view text) {
  for (const auto& [v, name] : table) {
    if (name == text) return v;
  }
  return std::nullopt;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string_view Name(Role role) { return Lookup(kRoleNames, role); }
std::string_view Name(StakeholderCategory category) { return Lookup(kCategoryNames, category); }
std::string_view Name(EcosocStatus status) { return Lookup(kEcosocNames, status); }
std::string_view Name(Instrument instrument) { return Lookup(kInstrumentNames, instrument); }
std::string_view Name(InstrumentStatus status) { return Lookup(kInstrumentStatusNames, status); }

std::optional<Role> ParseRole(std::string_view text) { return Reverse(kRoleNames, text); }
std::optional<StakeholderCategory> ParseStakeholderCategory(std::string_view text) {
  return Reverse(kCategoryNames, text);
}
std::optional<EcosocStatus> ParseEcosocStatus(std::string_view text) {
  return Reverse(kEcosocNames, text);
}
std::optional<Instrument> ParseInstrument(std::string_view text) {
  return Reverse(kInstrumentNames, text);
}
std::optional<InstrumentStatus> ParseInstrumentStatus(std::string_view text) {
  return Reverse(kInstrumentStatusNames, text);
}

bool IsState(StakeholderCategory category) {
  return category == StakeholderCategory::kNonSignatoryState ||
         category == StakeholderCategory::kSignatoryState ||
         category == StakeholderCategory::kStateParty;
}

std::string_view Described(StakeholderCategory category) {
  switch (category) {
    case StakeholderCategory::kNgo:
      return "an NGO";
    case StakeholderCategory::kIgo:
      return "an intergovernmental organization";
    case StakeholderCategory::kUnEntity:
      return "a United Nations entity";
    case StakeholderCategory::kNonSignatoryState:
      return "a non-signatory State";
    case StakeholderCategory::kSignatoryState:
      return "a signatory State";
    case StakeholderCategory::kStateParty:
      return "a State Party";
  }
  return "a stakeholder";
}

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || IsDigit(c); };
  if (!lower_or_digit(id.front())) return false;
  for (char c : id) {
    if (!lower_or_digit(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

Check CheckId(std::string_view field, std::string_view id) {
  if (IsValidId(id)) return {};
  return Refuse(Refusal::InvalidArgument(
      std::string(field) + " \"" + std::string(id) +
      "\" is not a valid id (1 to 64 characters: lower-case letters, digits, '.', '_', '-', "
      "starting with a letter or digit)"));
}

Check CheckNotBlank(std::string_view field, std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return {};
  }
  return Refuse(Refusal::InvalidArgument(std::string(field) + " must not be empty"));
}

Verdict<Date> ParseDate(std::string_view field, std::string_view text) {
  auto bad = [&] {
    return Refuse(Refusal::InvalidArgument(std::string(field) + " \"" + std::string(text) +
                                           "\" is not a date (YYYY-MM-DD)"));
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!IsDigit(text[i])) return bad();
  }
  auto number = [&](size_t from, size_t len) {
    int n = 0;
    for (size_t i = from; i < from + len; ++i) n = n * 10 + (text[i] - '0');
    return n;
  };
  date::year_month_day ymd{date::year{number(0, 4)},
                           date::month{static_cast<unsigned>(number(5, 2))},
                           date::day{static_cast<unsigned>(number(8, 2))}};
  // There is no year 0 (1 BC is followed by AD 1): 0000-01-01 is refused like 2026-02-30.
  if (!ymd.ok() || number(0, 4) == 0) return bad();
  return Date{ymd};
}

std::string FormatDate(Date date) { return date::format("%F", date); }

std::string FormatInstant(TimePoint instant) { return engine::FormatRfc3339(instant); }

engine::Result<TimePoint> ParseInstant(std::string_view text) { return engine::ParseRfc3339(text); }

}  // namespace dialogue::workflows
