#include "workflows/events.hpp"

#include <array>
#include <cmath>
#include <utility>

#include <nlohmann/json.hpp>

namespace dialogue::workflows {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 31> kTypeNames{
    "ConferenceSessionRegistered",
    "WorkingGroupRegistered",
    "MeetingScheduled",
    "StakeholderRegistered",
    "EcosocStatusChanged",
    "ObserverEntitlementRecorded",
    "BriefingRequested",
    "BriefingConvened",
    "StakeholderInvited",
    "BriefingRescheduled",
    "InvitationDeclined",
    "AttendanceConfirmed",
    "ObjectionRaised",
    "ReferredToWorkingGroup",
    "ReferralDecided",
    "ObjectionWithdrawn",
    "BriefingHeld",
    "SummaryPrepared",
    "SummarySubmitted",
    "BriefingCancelled",
    "ConfirmationWindowClosed",
    "ObserverInvited",
    "ObserverInvitationAnswered",
    "ObserverInvitationRevoked",
    "ContributionsRequested",
    "ContributionSubmitted",
    "ContributionReviewed",
    "StakeholderReportSubmitted",
    "StateParticipationRequested",
    "StateParticipationFunded",
    "StateParticipationWithdrawn",
};
static_assert(kTypeNames.size() == std::variant_size_v<Event>);

// --- Field lists: one function per event type, shared by the writer and the reader. ---

template <class V>
void Fields(V& v, ConferenceSessionRegistered& e) {
  v("conference_session", e.conference_session);
  v("title", e.title);
  v("starts_on", e.starts_on);
  v("ends_on", e.ends_on);
}
template <class V>
void Fields(V& v, WorkingGroupRegistered& e) {
  v("working_group", e.working_group);
  v("name", e.name);
  v("protocol", e.protocol);
}
template <class V>
void Fields(V& v, MeetingScheduled& e) {
  v("meeting", e.meeting);
  v("working_group", e.working_group);
  v("starts_on", e.starts_on);
  v("ends_on", e.ends_on);
  v("review_agenda_item", e.review_agenda_item);
}
template <class V>
void Fields(V& v, StakeholderRegistered& e) {
  v("stakeholder", e.stakeholder);
  v("name", e.name);
  v("category", e.category);
  v("ecosoc_status", e.ecosoc_status);
  v("instruments", e.instruments);
}
template <class V>
void Fields(V& v, EcosocStatusChanged& e) {
  v("stakeholder", e.stakeholder);
  v("status", e.status);
  v("effective_at", e.effective_at);
}
template <class V>
void Fields(V& v, ObserverEntitlementRecorded& e) {
  v("stakeholder", e.stakeholder);
  v("conference_session", e.conference_session);
  v("rule", e.rule);
}
template <class V>
void Fields(V& v, BriefingRequested& e) {
  v("briefing", e.briefing);
  v("title", e.title);
  v("requested_by", e.requested_by);
}
template <class V>
void Fields(V& v, BriefingConvened& e) {
  v("briefing", e.briefing);
  v("meeting", e.meeting);
  v("working_group", e.working_group);
  v("meeting_starts_on", e.meeting_starts_on);
  v("meeting_ends_on", e.meeting_ends_on);
  v("date", e.date);
  v("timezone", e.timezone);
  v("confirmation_deadline", e.confirmation_deadline);
  v("bureau_member", e.bureau_member);
}
template <class V>
void Fields(V& v, StakeholderInvited& e) {
  v("briefing", e.briefing);
  v("stakeholder", e.stakeholder);
  v("category", e.category);
  v("conference_session", e.conference_session);
}
template <class V>
void Fields(V& v, BriefingRescheduled& e) {
  v("briefing", e.briefing);
  v("date", e.date);
  v("previous_date", e.previous_date);
  v("confirmation_deadline", e.confirmation_deadline);
}
template <class V>
void Fields(V& v, InvitationDeclined& e) {
  v("briefing", e.briefing);
  v("stakeholder", e.stakeholder);
}
template <class V>
void Fields(V& v, AttendanceConfirmed& e) {
  v("briefing", e.briefing);
  v("stakeholder", e.stakeholder);
  v("written_comments", e.written_comments);
  v("country_mentions", e.country_mentions);
  v("confirmed_at", e.confirmed_at);
}
template <class V>
void Fields(V& v, ObjectionRaised& e) {
  v("briefing", e.briefing);
  v("stakeholder", e.stakeholder);
  v("objecting_state", e.objecting_state);
  v("grounds", e.grounds);
  v("referral", e.referral);
  v("working_group", e.working_group);
  v("raised_at", e.raised_at);
}
template <class V>
void Fields(V& v, ReferredToWorkingGroup& e) {
  v("referral", e.referral);
  v("briefing", e.briefing);
  v("stakeholder", e.stakeholder);
  v("objecting_state", e.objecting_state);
  v("working_group", e.working_group);
  v("grounds", e.grounds);
  v("raised_at", e.raised_at);
}
template <class V>
void Fields(V& v, ReferralDecided& e) {
  v("referral", e.referral);
  v("briefing", e.briefing);
  v("stakeholder", e.stakeholder);
  v("working_group", e.working_group);
  v("outcome", e.outcome);
  v("reasons", e.reasons);
  v("decided_at", e.decided_at);
}
template <class V>
void Fields(V& v, ObjectionWithdrawn& e) {
  v("referral", e.referral);
  v("briefing", e.briefing);
  v("stakeholder", e.stakeholder);
  v("objecting_state", e.objecting_state);
  v("reasons", e.reasons);
  v("withdrawn_at", e.withdrawn_at);
}
template <class V>
void Fields(V& v, BriefingHeld& e) {
  v("briefing", e.briefing);
  v("stakeholders", e.stakeholders);
  v("states", e.states);
  v("held_at", e.held_at);
}
template <class V>
void Fields(V& v, SummaryPrepared& e) {
  v("briefing", e.briefing);
  v("text", e.text);
  v("country_mentions", e.country_mentions);
}
template <class V>
void Fields(V& v, SummarySubmitted& e) {
  v("briefing", e.briefing);
  v("crp_symbol", e.crp_symbol);
  v("override_justification", e.override_justification);
}
template <class V>
void Fields(V& v, BriefingCancelled& e) {
  v("briefing", e.briefing);
  v("reason", e.reason);
}
template <class V>
void Fields(V& v, ConfirmationWindowClosed& e) {
  v("briefing", e.briefing);
  v("deadline", e.deadline);
  v("lapsed", e.lapsed);
}
template <class V>
void Fields(V& v, ObserverInvited& e) {
  v("observer_invitation", e.observer_invitation);
  v("meeting", e.meeting);
  v("working_group", e.working_group);
  v("stakeholder", e.stakeholder);
  v("topic", e.topic);
  v("meeting_starts_on", e.meeting_starts_on);
  v("meeting_ends_on", e.meeting_ends_on);
}
template <class V>
void Fields(V& v, ObserverInvitationAnswered& e) {
  v("observer_invitation", e.observer_invitation);
  v("stakeholder", e.stakeholder);
  v("accepted", e.accepted);
}
template <class V>
void Fields(V& v, ObserverInvitationRevoked& e) {
  v("observer_invitation", e.observer_invitation);
  v("stakeholder", e.stakeholder);
  v("reason", e.reason);
}
template <class V>
void Fields(V& v, ContributionsRequested& e) {
  v("contribution_request", e.contribution_request);
  v("working_group", e.working_group);
  v("stakeholders", e.stakeholders);
  v("due_on", e.due_on);
}
template <class V>
void Fields(V& v, ContributionSubmitted& e) {
  v("contribution_request", e.contribution_request);
  v("stakeholder", e.stakeholder);
  v("text", e.text);
  v("country_mentions", e.country_mentions);
  v("status", e.status);
  v("submitted_at", e.submitted_at);
}
template <class V>
void Fields(V& v, ContributionReviewed& e) {
  v("contribution_request", e.contribution_request);
  v("stakeholder", e.stakeholder);
  v("outcome", e.outcome);
  v("reasons", e.reasons);
}
template <class V>
void Fields(V& v, StakeholderReportSubmitted& e) {
  v("report", e.report);
  v("authors", e.authors);
  v("addressed_to", e.addressed_to);
  v("title", e.title);
  v("text", e.text);
  v("submitted_by", e.submitted_by);
  v("submitted_at", e.submitted_at);
}
template <class V>
void Fields(V& v, StateParticipationRequested& e) {
  v("state_participation", e.state_participation);
  v("state", e.state);
  v("review_cycle", e.review_cycle);
  v("instrument", e.instrument);
}
template <class V>
void Fields(V& v, StateParticipationFunded& e) {
  v("state_participation", e.state_participation);
  v("source", e.source);
  v("amount_usd", e.amount_usd);
  v("donor", e.donor);
}
template <class V>
void Fields(V& v, StateParticipationWithdrawn& e) {
  v("state_participation", e.state_participation);
  v("state", e.state);
  v("reasons", e.reasons);
}

// --- Value conversions ---

json ToJson(const std::string& s) { return s; }
json ToJson(bool b) { return b; }
json ToJson(double d) { return d; }
json ToJson(Date d) { return FormatDate(d); }
json ToJson(TimePoint t) { return FormatInstant(t); }
json ToJson(StakeholderCategory c) { return std::string(Name(c)); }
json ToJson(EcosocStatus s) { return std::string(Name(s)); }
json ToJson(Instrument i) { return std::string(Name(i)); }
json ToJson(ReferralOutcome o) { return std::string(Name(o)); }
json ToJson(ContributionStatus s) { return std::string(Name(s)); }
json ToJson(const CountryMention& m) {
  return json{{"name", m.name}, {"country", m.country}, {"offset", m.offset}};
}
json ToJson(const std::map<Instrument, InstrumentStatus>& instruments) {
  json j = json::object();
  for (const auto& [instrument, status] : instruments) {
    j[std::string(Name(instrument))] = std::string(Name(status));
  }
  return j;
}
template <class T>
json ToJson(const std::vector<T>& list) {
  json j = json::array();
  for (const auto& item : list) j.push_back(ToJson(item));
  return j;
}
template <class T>
json ToJson(const std::optional<T>& value) {
  return value ? ToJson(*value) : json(nullptr);
}

struct Writer {
  json out = json::object();
  template <class T>
  void operator()(const char* name, const T& value) {
    out[name] = ToJson(value);
  }
};

// Reading: each conversion returns false (and the reader records why) when the JSON value is
// not of the expected form. No exceptions.
bool FromJson(const json& j, std::string& out) {
  if (!j.is_string()) return false;
  out = j.get<std::string>();
  return true;
}
bool FromJson(const json& j, bool& out) {
  if (!j.is_boolean()) return false;
  out = j.get<bool>();
  return true;
}
bool FromJson(const json& j, double& out) {
  if (!j.is_number()) return false;
  out = j.get<double>();
  return std::isfinite(out);
}
bool FromJson(const json& j, size_t& out) {
  if (!j.is_number_unsigned()) return false;
  out = j.get<size_t>();
  return true;
}
bool FromJson(const json& j, Date& out) {
  if (!j.is_string()) return false;
  auto parsed = ParseDate("date", j.get_ref<const std::string&>());
  if (!parsed) return false;
  out = *parsed;
  return true;
}
bool FromJson(const json& j, TimePoint& out) {
  if (!j.is_string()) return false;
  auto parsed = ParseInstant(j.get_ref<const std::string&>());
  if (!parsed) return false;
  out = *parsed;
  return true;
}
template <class E, class Parse>
bool EnumFromJson(const json& j, E& out, Parse parse) {
  if (!j.is_string()) return false;
  auto parsed = parse(j.get_ref<const std::string&>());
  if (!parsed) return false;
  out = *parsed;
  return true;
}
bool FromJson(const json& j, StakeholderCategory& out) {
  return EnumFromJson(j, out, ParseStakeholderCategory);
}
bool FromJson(const json& j, EcosocStatus& out) { return EnumFromJson(j, out, ParseEcosocStatus); }
bool FromJson(const json& j, Instrument& out) { return EnumFromJson(j, out, ParseInstrument); }
bool FromJson(const json& j, ReferralOutcome& out) {
  return EnumFromJson(j, out, ParseReferralOutcome);
}
bool FromJson(const json& j, ContributionStatus& out) {
  return EnumFromJson(j, out, ParseContributionStatus);
}
bool FromJson(const json& j, CountryMention& out) {
  if (!j.is_object() || !j.contains("name") || !j.contains("country") || !j.contains("offset")) {
    return false;
  }
  return FromJson(j["name"], out.name) && FromJson(j["country"], out.country) &&
         FromJson(j["offset"], out.offset);
}
bool FromJson(const json& j, std::map<Instrument, InstrumentStatus>& out) {
  if (!j.is_object()) return false;
  out.clear();
  for (const auto& [key, value] : j.items()) {
    auto instrument = ParseInstrument(key);
    if (!instrument || !value.is_string()) return false;
    auto status = ParseInstrumentStatus(value.get_ref<const std::string&>());
    if (!status) return false;
    out[*instrument] = *status;
  }
  return true;
}
template <class T>
bool FromJson(const json& j, std::vector<T>& out) {
  if (!j.is_array()) return false;
  out.clear();
  for (const auto& item : j) {
    T value{};
    if (!FromJson(item, value)) return false;
    out.push_back(std::move(value));
  }
  return true;
}
template <class T>
bool FromJson(const json& j, std::optional<T>& out) {
  if (j.is_null()) {
    out.reset();
    return true;
  }
  T value{};
  if (!FromJson(j, value)) return false;
  out = std::move(value);
  return true;
}

struct Reader {
  const json& in;
  std::string problem;  // empty while all is well
  template <class T>
  void operator()(const char* name, T& value) {
    if (!problem.empty()) return;
    auto it = in.find(name);
    if (it == in.end()) {
      if constexpr (requires { value.reset(); }) {  // optional fields may be absent
        value.reset();
        return;
      }
      problem = std::string("field \"") + name + "\" is missing";
      return;
    }
    if (!FromJson(*it, value)) problem = std::string("field \"") + name + "\" has a bad value";
  }
};

template <class T>
engine::Result<Event> DecodeAs(const json& data, std::string_view type) {
  T event{};
  Reader reader{data, {}};
  Fields(reader, event);
  if (!reader.problem.empty()) {
    return engine::Fail(engine::Error::Corruption(
        std::string(type) + " event data does not decode: " + reader.problem));
  }
  return Event{std::move(event)};
}

template <size_t... I>
engine::Result<Event> DecodeIndex(size_t index, const json& data, std::string_view type,
                                  std::index_sequence<I...>) {
  using Decoder = engine::Result<Event> (*)(const json&, std::string_view);
  static constexpr std::array<Decoder, sizeof...(I)> kDecoders{
      &DecodeAs<std::variant_alternative_t<I, Event>>...};
  return kDecoders[index](data, type);
}

// --- The direct decoder: the stored JSON text straight into the typed event ---
//
// Replaying the log decodes every stored event, and building an nlohmann document first (a node
// and a string per value) was most of the replay's cost (docs/performance.md). This decoder reads
// the text once into the event's own fields. It is deliberately narrow: it accepts the compact
// form DataOf writes (and any insignificant whitespace), and gives up (nullopt) on anything else:
// an escape in a string, an unknown or repeated key, a number other than a plain unsigned integer
// where an integer is expected, any double, malformed input. DecodeEvent then decodes through the
// document as before, so which data decodes, to what, and with which error stays exactly the
// same; the tests check the two agree on every sample and on thousands of mutated ones.

class Cursor {
 public:
  explicit Cursor(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  void SkipSpace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool AtEnd() const { return p_ == end_; }
  // Skips whitespace, then consumes `c` if it is next.
  bool Eat(char c) {
    SkipSpace();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  bool EatLiteral(std::string_view word) {
    SkipSpace();
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return true;
  }
  // A string without escapes, as a view into the text. False for anything else, including
  // control characters and bytes that are not well-formed UTF-8 (which the document parser
  // refuses too).
  bool String(std::string_view& out) {
    if (!Eat('"')) return false;
    const char* start = p_;
    while (p_ != end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out = std::string_view(start, static_cast<size_t>(p_ - start));
        ++p_;
        return true;
      }
      if (c == '\\' || c < 0x20) return false;
      if (c < 0x80) {
        ++p_;
      } else if (!Utf8Sequence()) {
        return false;
      }
    }
    return false;
  }
  // A plain unsigned integer: digits, no leading zero, no sign, fraction or exponent, fitting
  // 64 bits.
  bool Unsigned(uint64_t& out) {
    SkipSpace();
    const char* start = p_;
    uint64_t value = 0;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
      const auto digit = static_cast<uint64_t>(*p_ - '0');
      if (value > (UINT64_MAX - digit) / 10) return false;
      value = value * 10 + digit;
      ++p_;
    }
    if (p_ == start || (*start == '0' && p_ - start > 1)) return false;
    if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
    out = value;
    return true;
  }
  bool PeekNull() {
    SkipSpace();
    return end_ - p_ >= 4 && std::string_view(p_, 4) == "null";
  }

 private:
  // One well-formed multi-byte UTF-8 sequence at p_ (Unicode Table 3-7); advances past it.
  bool Utf8Sequence() {
    const auto byte = [this](ptrdiff_t i) { return static_cast<unsigned char>(p_[i]); };
    const ptrdiff_t left = end_ - p_;
    const unsigned char b0 = byte(0);
    auto in = [](unsigned char b, unsigned char lo, unsigned char hi) {
      return b >= lo && b <= hi;
    };
    int length = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
    if (in(b0, 0xC2, 0xDF)) {
      length = 2;
    } else if (in(b0, 0xE0, 0xEF)) {
      length = 3;
      if (b0 == 0xE0) lo = 0xA0;
      if (b0 == 0xED) hi = 0x9F;
    } else if (in(b0, 0xF0, 0xF4)) {
      length = 4;
      if (b0 == 0xF0) lo = 0x90;
      if (b0 == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (left < length || !in(byte(1), lo, hi)) return false;
    for (int i = 2; i < length; ++i) {
      if (!in(byte(i), 0x80, 0xBF)) return false;
    }
    p_ += length;
    return true;
  }

  const char* p_;
  const char* end_;
};

bool Direct(Cursor& c, std::string& out) {
  std::string_view text;
  if (!c.String(text)) return false;
  out.assign(text);
  return true;
}
bool Direct(Cursor& c, bool& out) {
  if (c.EatLiteral("true")) {
    out = true;
    return true;
  }
  if (c.EatLiteral("false")) {
    out = false;
    return true;
  }
  return false;
}
bool Direct(Cursor&, double&) { return false; }  // numbers with fractions: the document decodes
bool Direct(Cursor& c, size_t& out) {
  uint64_t value = 0;
  if (!c.Unsigned(value)) return false;
  out = static_cast<size_t>(value);
  return true;
}
bool Direct(Cursor& c, Date& out) {
  std::string_view text;
  if (!c.String(text)) return false;
  auto parsed = ParseDate("date", text);
  if (!parsed) return false;
  out = *parsed;
  return true;
}
bool Direct(Cursor& c, TimePoint& out) {
  std::string_view text;
  if (!c.String(text)) return false;
  auto parsed = ParseInstant(text);
  if (!parsed) return false;
  out = *parsed;
  return true;
}
template <class E, class Parse>
bool DirectEnum(Cursor& c, E& out, Parse parse) {
  std::string_view text;
  if (!c.String(text)) return false;
  auto parsed = parse(text);
  if (!parsed) return false;
  out = *parsed;
  return true;
}
bool Direct(Cursor& c, StakeholderCategory& out) {
  return DirectEnum(c, out, ParseStakeholderCategory);
}
bool Direct(Cursor& c, EcosocStatus& out) { return DirectEnum(c, out, ParseEcosocStatus); }
bool Direct(Cursor& c, Instrument& out) { return DirectEnum(c, out, ParseInstrument); }
bool Direct(Cursor& c, ReferralOutcome& out) { return DirectEnum(c, out, ParseReferralOutcome); }
bool Direct(Cursor& c, ContributionStatus& out) {
  return DirectEnum(c, out, ParseContributionStatus);
}

// The members of an object: calls member(key) with the cursor before each value, which must read
// it (true) or give up (false). Stops at the closing brace.
template <class Member>
bool DirectObject(Cursor& c, Member&& member) {
  if (!c.Eat('{')) return false;
  if (c.Eat('}')) return true;
  do {
    std::string_view key;
    if (!c.String(key) || !c.Eat(':') || !member(key)) return false;
  } while (c.Eat(','));
  return c.Eat('}');
}

bool Direct(Cursor& c, CountryMention& out) {
  unsigned seen = 0;
  const bool read = DirectObject(c, [&](std::string_view key) {
    unsigned bit = 0;
    bool ok = false;
    if (key == "name") {
      bit = 1;
      ok = Direct(c, out.name);
    } else if (key == "country") {
      bit = 2;
      ok = Direct(c, out.country);
    } else if (key == "offset") {
      bit = 4;
      ok = Direct(c, out.offset);
    }
    if (!ok || (seen & bit) != 0) return false;
    seen |= bit;
    return true;
  });
  return read && seen == 7;
}
bool Direct(Cursor& c, std::map<Instrument, InstrumentStatus>& out) {
  out.clear();
  return DirectObject(c, [&](std::string_view key) {
    auto instrument = ParseInstrument(key);
    std::string_view text;
    if (!instrument || !c.String(text)) return false;
    auto status = ParseInstrumentStatus(text);
    return status && out.emplace(*instrument, *status).second;  // a repeated key: give up
  });
}
template <class T>
bool Direct(Cursor& c, std::vector<T>& out) {
  out.clear();
  if (!c.Eat('[')) return false;
  if (c.Eat(']')) return true;
  do {
    if (!Direct(c, out.emplace_back())) return false;
  } while (c.Eat(','));
  return c.Eat(']');
}
template <class T>
bool Direct(Cursor& c, std::optional<T>& out) {
  if (c.PeekNull()) {
    c.EatLiteral("null");
    out.reset();
    return true;
  }
  if (!Direct(c, out.emplace())) return false;
  return true;
}

// Finds the field named `key` among the event's and reads its value.
struct DirectField {
  Cursor& c;
  std::string_view key;
  uint32_t seen;  // the fields read so far, by position in Fields
  int index = 0;  // the position of the field being visited
  bool matched = false;
  bool ok = false;
  template <class T>
  void operator()(const char* name, T& value) {
    const int position = index++;
    if (matched || key != name) return;
    matched = true;
    const uint32_t bit = 1u << position;
    ok = (seen & bit) == 0 && Direct(c, value);  // a repeated key: give up
    seen |= bit;
  }
};

// Whether every field that is not optional was read.
struct DirectComplete {
  uint32_t seen;
  int index = 0;
  bool complete = true;
  template <class T>
  void operator()(const char*, T& value) {
    const bool read = (seen & (1u << index++)) != 0;
    if constexpr (!requires { value.reset(); }) complete = complete && read;
  }
};

template <class T>
std::optional<Event> DirectAs(std::string_view data) {
  T event{};
  Cursor c(data);
  uint32_t seen = 0;
  const bool read = DirectObject(c, [&](std::string_view key) {
    DirectField field{c, key, seen};
    Fields(field, event);
    seen = field.seen;
    return field.matched && field.ok;
  });
  c.SkipSpace();
  if (!read || !c.AtEnd()) return std::nullopt;
  DirectComplete complete{seen};
  Fields(complete, event);
  if (!complete.complete) return std::nullopt;
  return Event{std::move(event)};
}

template <size_t... I>
std::optional<Event> DirectIndex(size_t index, std::string_view data, std::index_sequence<I...>) {
  using Decoder = std::optional<Event> (*)(std::string_view);
  static constexpr std::array<Decoder, sizeof...(I)> kDecoders{
      &DirectAs<std::variant_alternative_t<I, Event>>...};
  return kDecoders[index](data);
}

// The position of `type` in kTypeNames; kTypeNames.size() when unknown.
size_t TypeIndex(std::string_view type) {
  size_t index = 0;
  while (index < kTypeNames.size() && kTypeNames[index] != type) ++index;
  return index;
}

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

std::string ConferenceSessionStream(std::string_view id) {
  return "conference-session-" + std::string(id);
}
std::string WorkingGroupStream(std::string_view id) { return "working-group-" + std::string(id); }
std::string MeetingStream(std::string_view id) { return "meeting-" + std::string(id); }
std::string StakeholderStream(std::string_view id) { return "stakeholder-" + std::string(id); }
std::string BriefingStream(std::string_view id) { return "briefing-" + std::string(id); }
std::string ReferralStream(std::string_view referral_id) {
  return "referral-" + std::string(referral_id);
}
std::string ObserverInvitationStream(std::string_view id) {
  return "observer-invitation-" + std::string(id);
}
std::string ContributionRequestStream(std::string_view id) {
  return "contribution-request-" + std::string(id);
}
std::string ReportStream(std::string_view id) { return "report-" + std::string(id); }
std::string StateParticipationStream(std::string_view id) {
  return "state-participation-" + std::string(id);
}

std::string_view StreamKind(std::string_view stream) {
  for (std::string_view kind : kStreamKinds) {
    if (stream.size() > kind.size() + 1 && stream.starts_with(kind) && stream[kind.size()] == '-') {
      return kind;
    }
  }
  return {};
}

std::string ReferralId(std::string_view briefing, std::string_view stakeholder) {
  return std::string(briefing) + "." + std::string(stakeholder);
}

std::string StreamOf(const Event& event) {
  return std::visit(
      Overloaded{
          [](const ConferenceSessionRegistered& e) {
            return ConferenceSessionStream(e.conference_session);
          },
          [](const WorkingGroupRegistered& e) { return WorkingGroupStream(e.working_group); },
          [](const MeetingScheduled& e) { return MeetingStream(e.meeting); },
          [](const StakeholderRegistered& e) { return StakeholderStream(e.stakeholder); },
          [](const EcosocStatusChanged& e) { return StakeholderStream(e.stakeholder); },
          [](const ObserverEntitlementRecorded& e) { return StakeholderStream(e.stakeholder); },
          [](const ReferredToWorkingGroup& e) { return ReferralStream(e.referral); },
          [](const ReferralDecided& e) { return ReferralStream(e.referral); },
          [](const ObjectionWithdrawn& e) { return ReferralStream(e.referral); },
          [](const ObserverInvited& e) { return ObserverInvitationStream(e.observer_invitation); },
          [](const ObserverInvitationAnswered& e) {
            return ObserverInvitationStream(e.observer_invitation);
          },
          [](const ObserverInvitationRevoked& e) {
            return ObserverInvitationStream(e.observer_invitation);
          },
          [](const ContributionsRequested& e) {
            return ContributionRequestStream(e.contribution_request);
          },
          [](const ContributionSubmitted& e) {
            return ContributionRequestStream(e.contribution_request);
          },
          [](const ContributionReviewed& e) {
            return ContributionRequestStream(e.contribution_request);
          },
          [](const StakeholderReportSubmitted& e) { return ReportStream(e.report); },
          [](const StateParticipationRequested& e) {
            return StateParticipationStream(e.state_participation);
          },
          [](const StateParticipationFunded& e) {
            return StateParticipationStream(e.state_participation);
          },
          [](const StateParticipationWithdrawn& e) {
            return StateParticipationStream(e.state_participation);
          },
          // Every other event belongs to its briefing.
          [](const auto& e) { return BriefingStream(e.briefing); },
      },
      event);
}

std::string_view TypeOf(const Event& event) { return kTypeNames[event.index()]; }

const std::vector<std::string_view>& AllEventTypes() {
  static const std::vector<std::string_view> kAll(kTypeNames.begin(), kTypeNames.end());
  return kAll;
}

std::string DataOf(const Event& event) {
  return std::visit(
      [](const auto& e) {
        Writer writer;
        Fields(writer, const_cast<std::decay_t<decltype(e)>&>(e));
        return writer.out.dump();
      },
      event);
}

engine::ProposedEvent ToProposedEvent(const Event& event, engine::EventMetadata metadata) {
  // DataOf writes an object's dump(): the engine's canonical form.
  return engine::ProposedEvent{std::string(TypeOf(event)), DataOf(event), std::move(metadata),
                               /*canonical=*/true};
}

std::optional<Event> DecodeEventDirect(std::string_view type, std::string_view data) {
  const size_t index = TypeIndex(type);
  if (index == kTypeNames.size()) return std::nullopt;
  return DirectIndex(index, data, std::make_index_sequence<kTypeNames.size()>{});
}

engine::Result<Event> DecodeEventViaDocument(std::string_view type, std::string_view data) {
  const size_t index = TypeIndex(type);
  if (index == kTypeNames.size()) {
    return engine::Fail(
        engine::Error::InvalidArgument("unknown event type \"" + std::string(type) + "\""));
  }
  json parsed = json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return engine::Fail(
        engine::Error::Corruption(std::string(type) + " event data is not a JSON object"));
  }
  return DecodeIndex(index, parsed, type, std::make_index_sequence<kTypeNames.size()>{});
}

engine::Result<Event> DecodeEvent(std::string_view type, std::string_view data) {
  if (auto event = DecodeEventDirect(type, data)) return std::move(*event);
  return DecodeEventViaDocument(type, data);
}

engine::Result<Event> DecodeEvent(const engine::RecordedEvent& recorded) {
  return DecodeEvent(recorded.type, recorded.data);
}

std::string_view Name(ReferralOutcome outcome) {
  return outcome == ReferralOutcome::kAdmitted ? "admitted" : "not_admitted";
}

std::optional<ReferralOutcome> ParseReferralOutcome(std::string_view text) {
  if (text == "admitted") return ReferralOutcome::kAdmitted;
  if (text == "not_admitted") return ReferralOutcome::kNotAdmitted;
  return std::nullopt;
}

std::string_view Name(ContributionStatus status) {
  switch (status) {
    case ContributionStatus::kAccepted:
      return "accepted";
    case ContributionStatus::kUnderReview:
      return "under_review";
    case ContributionStatus::kReturned:
      return "returned";
  }
  return "unknown";
}

std::optional<ContributionStatus> ParseContributionStatus(std::string_view text) {
  if (text == "accepted") return ContributionStatus::kAccepted;
  if (text == "under_review") return ContributionStatus::kUnderReview;
  if (text == "returned") return ContributionStatus::kReturned;
  return std::nullopt;
}

}  // namespace dialogue::workflows
