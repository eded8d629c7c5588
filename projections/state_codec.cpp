#include "projections/state_codec.hpp"

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/event_json.hpp"

namespace dialogue::projections {
namespace {

using nlohmann::json;
using namespace workflows;  // NOLINT: the codec names every state type of workflows/

// --- Completeness: the number of fields of an aggregate, counted at compile time. ---

struct AnyField {
  template <class T>
  operator T() const;  // never defined: only used in unevaluated brace-initialization
};

template <class T, class... Fields>
constexpr size_t FieldCount() {
  if constexpr (requires { T{Fields{}..., AnyField{}}; }) {
    return FieldCount<T, Fields..., AnyField>();
  } else {
    return sizeof...(Fields);
  }
}

// When one of these fails, a state gained (or lost) a field in workflows/: add it to the field
// list below (and think about kSnapshotFormatVersion in read_models.cpp), then update the count.
static_assert(FieldCount<ConferenceSessionState>() == 5);
static_assert(FieldCount<WorkingGroupState>() == 4);
static_assert(FieldCount<MeetingState>() == 6);
static_assert(FieldCount<StakeholderState>() == 8);
static_assert(FieldCount<EcosocChange>() == 2);
static_assert(FieldCount<ObserverEntitlement>() == 2);
static_assert(FieldCount<BriefingState>() == 18);
static_assert(FieldCount<Participant>() == 8);
static_assert(FieldCount<ReferralSummary>() == 4);
static_assert(FieldCount<Summary>() == 4);
static_assert(FieldCount<CountryMention>() == 3);
static_assert(FieldCount<ReferralState>() == 12);
static_assert(FieldCount<ObserverInvitationState>() == 9);
static_assert(FieldCount<ContributionRequestState>() == 6);
static_assert(FieldCount<Contribution>() == 7);
static_assert(FieldCount<StakeholderReportState>() == 8);
static_assert(FieldCount<StateParticipationState>() == 7);
static_assert(FieldCount<Funding>() == 3);

// --- Field lists: one per struct, shared by the writer and the reader. ---

template <class V>
void Fields(V& v, ConferenceSessionState& s) {
  v("exists", s.created);
  v("id", s.id);
  v("title", s.title);
  v("starts_on", s.starts_on);
  v("ends_on", s.ends_on);
}

template <class V>
void Fields(V& v, WorkingGroupState& s) {
  v("exists", s.created);
  v("id", s.id);
  v("name", s.name);
  v("protocol", s.protocol);
}

template <class V>
void Fields(V& v, MeetingState& s) {
  v("exists", s.created);
  v("id", s.id);
  v("working_group", s.working_group);
  v("starts_on", s.starts_on);
  v("ends_on", s.ends_on);
  v("review_agenda_item", s.review_agenda_item);
}

template <class V>
void Fields(V& v, EcosocChange& s) {
  v("effective_at", s.effective_at);
  v("status", s.status);
}

template <class V>
void Fields(V& v, ObserverEntitlement& s) {
  v("conference_session", s.conference_session);
  v("rule", s.rule);
}

template <class V>
void Fields(V& v, StakeholderState& s) {
  v("exists", s.created);
  v("id", s.id);
  v("name", s.name);
  v("category", s.category);
  v("registered_ecosoc_status", s.registered_ecosoc_status);
  v("ecosoc_changes", s.ecosoc_changes);
  v("instruments", s.instruments);
  v("observer_entitlements", s.observer_entitlements);
}

template <class V>
void Fields(V& v, CountryMention& s) {
  v("name", s.name);
  v("country", s.country);
  v("offset", s.offset);
}

template <class V>
void Fields(V& v, Participant& s) {
  v("stakeholder", s.stakeholder);
  v("category", s.category);
  v("conference_session", s.conference_session);
  v("status", s.status);
  v("status_before_referral", s.status_before_referral);
  v("confirmed_at", s.confirmed_at);
  v("written_comments", s.written_comments);
  v("country_mentions", s.country_mentions);
}

template <class V>
void Fields(V& v, ReferralSummary& s) {
  v("id", s.id);
  v("objecting_state", s.objecting_state);
  v("status", s.status);
  v("outcome", s.outcome);
}

template <class V>
void Fields(V& v, Summary& s) {
  v("text", s.text);
  v("country_mentions", s.country_mentions);
  v("crp_symbol", s.crp_symbol);
  v("override_justification", s.override_justification);
}

template <class V>
void Fields(V& v, BriefingState& s) {
  v("id", s.id);
  v("status", s.status);
  v("title", s.title);
  v("requested_by", s.requested_by);
  v("meeting", s.meeting);
  v("working_group", s.working_group);
  v("meeting_starts_on", s.meeting_starts_on);
  v("meeting_ends_on", s.meeting_ends_on);
  v("date", s.date);
  v("timezone", s.timezone);
  v("confirmation_deadline", s.confirmation_deadline);
  v("bureau_member", s.bureau_member);
  v("participants", s.participants);
  v("referrals", s.referrals);
  v("closed_deadlines", s.closed_deadlines);
  v("attending_states", s.attending_states);
  v("summary", s.summary);
  v("cancellation_reason", s.cancellation_reason);
}

template <class V>
void Fields(V& v, ReferralState& s) {
  v("id", s.id);
  v("briefing", s.briefing);
  v("stakeholder", s.stakeholder);
  v("objecting_state", s.objecting_state);
  v("working_group", s.working_group);
  v("grounds", s.grounds);
  v("status", s.status);
  v("outcome", s.outcome);
  v("reasons", s.reasons);
  v("raised_at", s.raised_at);
  v("decided_at", s.decided_at);
  v("withdrawn_at", s.withdrawn_at);
}

template <class V>
void Fields(V& v, ObserverInvitationState& s) {
  v("id", s.id);
  v("status", s.status);
  v("meeting", s.meeting);
  v("working_group", s.working_group);
  v("stakeholder", s.stakeholder);
  v("topic", s.topic);
  v("meeting_starts_on", s.meeting_starts_on);
  v("meeting_ends_on", s.meeting_ends_on);
  v("revocation_reason", s.revocation_reason);
}

template <class V>
void Fields(V& v, Contribution& s) {
  v("stakeholder", s.stakeholder);
  v("text", s.text);
  v("country_mentions", s.country_mentions);
  v("status", s.status);
  v("submitted_at", s.submitted_at);
  v("submissions", s.submissions);
  v("review_reasons", s.review_reasons);
}

template <class V>
void Fields(V& v, ContributionRequestState& s) {
  v("exists", s.created);
  v("id", s.id);
  v("working_group", s.working_group);
  v("stakeholders", s.stakeholders);
  v("due_on", s.due_on);
  v("contributions", s.contributions);
}

template <class V>
void Fields(V& v, StakeholderReportState& s) {
  v("exists", s.created);
  v("id", s.id);
  v("authors", s.authors);
  v("addressed_to", s.addressed_to);
  v("title", s.title);
  v("text", s.text);
  v("submitted_by", s.submitted_by);
  v("submitted_at", s.submitted_at);
}

template <class V>
void Fields(V& v, Funding& s) {
  v("source", s.source);
  v("amount_usd", s.amount_usd);
  v("donor", s.donor);
}

template <class V>
void Fields(V& v, StateParticipationState& s) {
  v("id", s.id);
  v("status", s.status);
  v("state", s.state);
  v("review_cycle", s.review_cycle);
  v("instrument", s.instrument);
  v("fundings", s.fundings);
  v("withdrawal_reasons", s.withdrawal_reasons);
}

// --- Enums: written by their workflows Name(), read back by trying every value. ---

template <class E>
struct EnumCount;
template <>
struct EnumCount<BriefingStatus> : std::integral_constant<int, 7> {};
template <>
struct EnumCount<ParticipantStatus> : std::integral_constant<int, 8> {};
template <>
struct EnumCount<ReferralStatus> : std::integral_constant<int, 4> {};
template <>
struct EnumCount<ReferralOutcome> : std::integral_constant<int, 2> {};
template <>
struct EnumCount<ContributionStatus> : std::integral_constant<int, 3> {};
template <>
struct EnumCount<StakeholderCategory> : std::integral_constant<int, 6> {};
template <>
struct EnumCount<EcosocStatus> : std::integral_constant<int, 4> {};
template <>
struct EnumCount<Instrument> : std::integral_constant<int, 4> {};
template <>
struct EnumCount<InstrumentStatus> : std::integral_constant<int, 3> {};
template <>
struct EnumCount<ObserverInvitationStatus> : std::integral_constant<int, 5> {};
template <>
struct EnumCount<StateParticipationStatus> : std::integral_constant<int, 4> {};

template <class E>
std::optional<E> ParseEnum(std::string_view text) {
  for (int i = 0; i < EnumCount<E>::value; ++i) {
    if (Name(static_cast<E>(i)) == text) return static_cast<E>(i);
  }
  return std::nullopt;
}

// --- Writing and reading one value. ---

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <class T>
struct IsVector : std::false_type {};
template <class T>
struct IsVector<std::vector<T>> : std::true_type {};
template <class T>
struct IsMap : std::false_type {};
template <class K, class V>
struct IsMap<std::map<K, V>> : std::true_type {};

template <class K>
std::string KeyText(const K& key) {
  if constexpr (std::is_enum_v<K>) {
    return std::string(Name(key));
  } else {
    return key;
  }
}

template <class K>
bool KeyFromText(const std::string& text, K& key) {
  if constexpr (std::is_enum_v<K>) {
    auto parsed = ParseEnum<K>(text);
    if (!parsed) return false;
    key = *parsed;
    return true;
  } else {
    key = text;
    return true;
  }
}

// Writing goes straight to text, without building a JSON document: a full snapshot writes every
// state at once. Strings are escaped as the engine's event JSON escapes them
// (engine::AppendJsonString: quote, backslash, control characters) and otherwise copied byte for
// byte (the states' texts come from events, which are valid UTF-8).
void AppendString(std::string& out, std::string_view text) { engine::AppendJsonString(out, text); }

template <class T>
void AppendNumber(std::string& out, T value) {
  char buffer[32];
  // Shortest form that reads back to the same value (doubles included).
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, ec == std::errc() ? end : buffer);
}

template <class T>
void Encode(std::string& out, const T& value);

struct Writer {
  std::string& out;
  bool first = true;
  template <class T>
  void operator()(const char* name, const T& value) {
    out.push_back(first ? '{' : ',');
    first = false;
    AppendString(out, name);
    out.push_back(':');
    Encode(out, value);
  }
};

template <class T>
void Encode(std::string& out, const T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    AppendString(out, value);
  } else if constexpr (std::is_same_v<T, bool>) {
    out.append(value ? "true" : "false");
  } else if constexpr (std::is_floating_point_v<T>) {
    // JSON has no NaN or infinity; a state never holds them (events are checked when decoded).
    if (std::isfinite(value)) {
      AppendNumber(out, value);
    } else {
      out.append("null");
    }
  } else if constexpr (std::is_arithmetic_v<T>) {
    AppendNumber(out, value);
  } else if constexpr (std::is_same_v<T, Date>) {
    AppendString(out, FormatDate(value));
  } else if constexpr (std::is_same_v<T, TimePoint>) {
    AppendString(out, FormatInstant(value));
  } else if constexpr (std::is_enum_v<T>) {
    AppendString(out, Name(value));
  } else if constexpr (IsOptional<T>::value) {
    if (value) {
      Encode(out, *value);
    } else {
      out.append("null");
    }
  } else if constexpr (IsVector<T>::value) {
    out.push_back('[');
    for (size_t i = 0; i < value.size(); ++i) {
      if (i > 0) out.push_back(',');
      Encode(out, value[i]);
    }
    out.push_back(']');
  } else if constexpr (IsMap<T>::value) {
    out.push_back('{');
    bool first = true;
    for (const auto& [key, item] : value) {
      if (!first) out.push_back(',');
      first = false;
      AppendString(out, KeyText(key));
      out.push_back(':');
      Encode(out, item);
    }
    out.push_back('}');
  } else {
    Writer writer{out};
    // The writer only reads: the field lists take non-const references to serve the reader too.
    Fields(writer, const_cast<T&>(value));
    if (writer.first) out.push_back('{');
    out.push_back('}');
  }
}

template <class T>
bool Decode(const json& j, T& out);

// Reads the fields of one struct; the first problem stops it.
struct Reader {
  const json& in;
  std::string problem;  // empty while all is well
  template <class T>
  void operator()(const char* name, T& value) {
    if (!problem.empty()) return;
    auto it = in.find(name);
    if (it == in.end()) {
      problem = std::string("field \"") + name + "\" is missing";
    } else if (!Decode(*it, value)) {
      problem = std::string("field \"") + name + "\" has a bad value";
    }
  }
};

template <class T>
bool Decode(const json& j, T& out) {
  if constexpr (std::is_same_v<T, std::string>) {
    if (!j.is_string()) return false;
    out = j.get_ref<const std::string&>();
    return true;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!j.is_boolean()) return false;
    out = j.get<bool>();
    return true;
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!j.is_number()) return false;
    out = j.get<T>();
    return true;
  } else if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T>) {
    if (!j.is_number_unsigned()) return false;
    const auto v = j.get<uint64_t>();
    if (v > std::numeric_limits<T>::max()) return false;
    out = static_cast<T>(v);
    return true;
  } else if constexpr (std::is_integral_v<T>) {
    if (!j.is_number_integer()) return false;
    if (j.is_number_unsigned()) {
      const auto v = j.get<uint64_t>();
      if (v > static_cast<uint64_t>(std::numeric_limits<T>::max())) return false;
      out = static_cast<T>(v);
      return true;
    }
    const auto v = j.get<int64_t>();
    if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) return false;
    out = static_cast<T>(v);
    return true;
  } else if constexpr (std::is_same_v<T, Date>) {
    if (!j.is_string()) return false;
    auto parsed = ParseDate("date", j.get_ref<const std::string&>());
    if (!parsed) return false;
    out = *parsed;
    return true;
  } else if constexpr (std::is_same_v<T, TimePoint>) {
    if (!j.is_string()) return false;
    auto parsed = ParseInstant(j.get_ref<const std::string&>());
    if (!parsed) return false;
    out = *parsed;
    return true;
  } else if constexpr (std::is_enum_v<T>) {
    if (!j.is_string()) return false;
    auto parsed = ParseEnum<T>(j.get_ref<const std::string&>());
    if (!parsed) return false;
    out = *parsed;
    return true;
  } else if constexpr (IsOptional<T>::value) {
    if (j.is_null()) {
      out.reset();
      return true;
    }
    typename T::value_type value{};
    if (!Decode(j, value)) return false;
    out = std::move(value);
    return true;
  } else if constexpr (IsVector<T>::value) {
    if (!j.is_array()) return false;
    out.clear();
    out.reserve(j.size());
    for (const auto& item : j) {
      typename T::value_type value{};
      if (!Decode(item, value)) return false;
      out.push_back(std::move(value));
    }
    return true;
  } else if constexpr (IsMap<T>::value) {
    if (!j.is_object()) return false;
    out.clear();
    for (auto it = j.begin(); it != j.end(); ++it) {
      typename T::key_type key{};
      typename T::mapped_type value{};
      if (!KeyFromText(it.key(), key) || !Decode(it.value(), value)) return false;
      out.emplace(std::move(key), std::move(value));
    }
    return true;
  } else {
    if (!j.is_object()) return false;
    out = T{};
    Reader reader{j, {}};
    Fields(reader, out);
    return reader.problem.empty();
  }
}

template <class State>
engine::Status DecodeState(const json& j, State& out, const char* what) {
  if (!j.is_object()) {
    return engine::Fail(engine::Error::Corruption(std::string(what) + " is not a JSON object"));
  }
  out = State{};
  Reader reader{j, {}};
  Fields(reader, out);
  if (!reader.problem.empty()) {
    return engine::Fail(
        engine::Error::Corruption(std::string(what) + " does not decode: " + reader.problem));
  }
  return {};
}

}  // namespace

#define DIALOGUE_STATE_TEXT(State)                                              \
  void AppendJson(std::string& out, const State& state) { Encode(out, state); } \
  json ToJson(const State& state) {                                             \
    std::string text;                                                           \
    Encode(text, state);                                                        \
    return json::parse(text);                                                   \
  }
DIALOGUE_STATE_TEXT(ConferenceSessionState)
DIALOGUE_STATE_TEXT(WorkingGroupState)
DIALOGUE_STATE_TEXT(MeetingState)
DIALOGUE_STATE_TEXT(StakeholderState)
DIALOGUE_STATE_TEXT(BriefingState)
DIALOGUE_STATE_TEXT(ReferralState)
DIALOGUE_STATE_TEXT(ObserverInvitationState)
DIALOGUE_STATE_TEXT(ContributionRequestState)
DIALOGUE_STATE_TEXT(StakeholderReportState)
DIALOGUE_STATE_TEXT(StateParticipationState)
#undef DIALOGUE_STATE_TEXT

engine::Status FromJson(const json& j, ConferenceSessionState& out) {
  return DecodeState(j, out, "a Conference session state");
}
engine::Status FromJson(const json& j, WorkingGroupState& out) {
  return DecodeState(j, out, "a Working Group state");
}
engine::Status FromJson(const json& j, MeetingState& out) {
  return DecodeState(j, out, "a meeting state");
}
engine::Status FromJson(const json& j, StakeholderState& out) {
  return DecodeState(j, out, "a stakeholder state");
}
engine::Status FromJson(const json& j, BriefingState& out) {
  return DecodeState(j, out, "a briefing state");
}
engine::Status FromJson(const json& j, ReferralState& out) {
  return DecodeState(j, out, "a referral state");
}
engine::Status FromJson(const json& j, ObserverInvitationState& out) {
  return DecodeState(j, out, "an observer invitation state");
}
engine::Status FromJson(const json& j, ContributionRequestState& out) {
  return DecodeState(j, out, "a contribution request state");
}
engine::Status FromJson(const json& j, StakeholderReportState& out) {
  return DecodeState(j, out, "a report state");
}
engine::Status FromJson(const json& j, StateParticipationState& out) {
  return DecodeState(j, out, "a State participation state");
}

}  // namespace dialogue::projections
