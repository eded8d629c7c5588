// One field list per type, and the JSON codec every list is read and written by.
//
// Each struct that is stored as JSON (an event's data in events.cpp, a state in state_fields.hpp)
// has one function naming its members in order:
//
//   template <class V>
//   void Fields(V& v, MeetingScheduled& e) {
//     v("meeting", e.meeting);
//     v("working_group", e.working_group);
//     ...
//   }
//
// and the templates below derive every form from it: the compact JSON text (AppendText), an
// nlohmann document (ToDocument), the reading of a document (FromDocument) and the direct reading
// of text without building a document first (FromText, the replay's and the snapshot's fast
// path). A field's value is written the same way wherever it appears: a Date as "2026-07-15", an
// instant as FormatInstant writes it, an enum by its Name(), an empty optional as null, a map as
// an object keyed by the key's text. The field lists are found by argument-dependent lookup, so
// they live in namespace dialogue::workflows beside the types they describe.
//
// Reading never throws. It answers false (FromDocument also says which field) when a value is
// not of its field's form: a string for a number, an unknown enum name, a fraction or a number
// beyond the range of an integer field, a non-finite number, a missing field (unless `Absent`
// allows it). FromDocument ignores members it does not know. FromText is deliberately narrower: it
// accepts the compact form AppendText and nlohmann's dump() write (with any insignificant
// whitespace) and gives up on anything else (an escape in a string, an unknown or repeated key,
// a negative or fractional number), where the caller falls back to FromDocument. Wherever FromText
// answers true, FromDocument gives the same value; the events' and the states' codec tests and the
// event_decode fuzzer hold the two to each other. Pure; thread-safe.
#pragma once

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/event_json.hpp"
#include "workflows/values.hpp"

namespace dialogue::workflows {

enum class BriefingStatus;
enum class ParticipantStatus;
enum class ReferralStatus;
enum class ReferralOutcome;
enum class ContributionStatus;
enum class ObserverInvitationStatus;
enum class StateParticipationStatus;

namespace codec {

// --- Enums: written by their Name(), read back by trying every value. ---

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

// --- Completeness: the number of members of an aggregate, counted at compile time. ---
//
// state_fields.hpp asserts each state's count, so a member added to a struct fails the build until
// its list learns it; the codec's tests check that ListedFields<T>() (what a list names) agrees.

struct AnyField {
  template <class T>
  operator T() const;  // never defined: only used in unevaluated brace-initialization
};

template <class T, class... Seen>
constexpr size_t FieldCount() {
  if constexpr (requires { T{Seen{}..., AnyField{}}; }) {
    return FieldCount<T, Seen..., AnyField>();
  } else {
    return sizeof...(Seen);
  }
}

// The number of fields a list names.
struct Counter {
  size_t count = 0;
  template <class T>
  void operator()(const char*, T&) {
    ++count;
  }
};
template <class T>
size_t ListedFields() {
  T value{};
  Counter counter;
  Fields(counter, value);
  return counter.count;
}

// --- Kinds of value ---

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
bool KeyFromText(std::string_view text, K& key) {
  if constexpr (std::is_enum_v<K>) {
    auto parsed = ParseEnum<K>(text);
    if (!parsed) return false;
    key = *parsed;
  } else {
    key = std::string(text);
  }
  return true;
}

// What a field missing from the JSON means.
enum class Absent {
  kIsAnError,       // every field must be there (snapshots: they write every field)
  kOptionalIsNull,  // an optional field may be left out (event data: fields were added over time)
};

// --- Writing text ---
//
// Straight to text, without a document: the fields in their list's order, strings escaped as the
// engine's event JSON escapes them (engine::AppendJsonString), numbers in their shortest form
// that reads back the same.

template <class T>
void AppendText(std::string& out, const T& value);

struct TextWriter {
  std::string& out;
  bool first = true;
  template <class T>
  void operator()(const char* name, const T& value) {
    out.push_back(first ? '{' : ',');
    first = false;
    engine::AppendJsonString(out, name);
    out.push_back(':');
    AppendText(out, value);
  }
};

template <class T>
void AppendNumber(std::string& out, T value) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, ec == std::errc() ? end : buffer);
}

template <class T>
void AppendText(std::string& out, const T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    engine::AppendJsonString(out, value);
  } else if constexpr (std::is_same_v<T, bool>) {
    out.append(value ? "true" : "false");
  } else if constexpr (std::is_floating_point_v<T>) {
    // JSON has no NaN or infinity; no field holds them (reading refuses them).
    if (std::isfinite(value)) {
      AppendNumber(out, value);
    } else {
      out.append("null");
    }
  } else if constexpr (std::is_arithmetic_v<T>) {
    AppendNumber(out, value);
  } else if constexpr (std::is_same_v<T, Date>) {
    engine::AppendJsonString(out, FormatDate(value));
  } else if constexpr (std::is_same_v<T, TimePoint>) {
    engine::AppendJsonString(out, FormatInstant(value));
  } else if constexpr (std::is_enum_v<T>) {
    engine::AppendJsonString(out, Name(value));
  } else if constexpr (IsOptional<T>::value) {
    if (value) {
      AppendText(out, *value);
    } else {
      out.append("null");
    }
  } else if constexpr (IsVector<T>::value) {
    out.push_back('[');
    for (size_t i = 0; i < value.size(); ++i) {
      if (i > 0) out.push_back(',');
      AppendText(out, value[i]);
    }
    out.push_back(']');
  } else if constexpr (IsMap<T>::value) {
    out.push_back('{');
    bool first = true;
    for (const auto& [key, item] : value) {
      if (!first) out.push_back(',');
      first = false;
      engine::AppendJsonString(out, KeyText(key));
      out.push_back(':');
      AppendText(out, item);
    }
    out.push_back('}');
  } else {
    TextWriter writer{out};
    // The writer only reads: the field lists take non-const references to serve the readers too.
    Fields(writer, const_cast<T&>(value));
    if (writer.first) out.push_back('{');
    out.push_back('}');
  }
}

// --- Writing a document ---

template <class T>
nlohmann::json ToDocument(const T& value);

struct DocumentWriter {
  nlohmann::json out = nlohmann::json::object();
  template <class T>
  void operator()(const char* name, const T& value) {
    out[name] = ToDocument(value);
  }
};

template <class T>
nlohmann::json ToDocument(const T& value) {
  using nlohmann::json;
  if constexpr (std::is_same_v<T, std::string> || std::is_arithmetic_v<T>) {
    return value;
  } else if constexpr (std::is_same_v<T, Date>) {
    return FormatDate(value);
  } else if constexpr (std::is_same_v<T, TimePoint>) {
    return FormatInstant(value);
  } else if constexpr (std::is_enum_v<T>) {
    return std::string(Name(value));
  } else if constexpr (IsOptional<T>::value) {
    return value ? ToDocument(*value) : json(nullptr);
  } else if constexpr (IsVector<T>::value) {
    json out = json::array();
    for (const auto& item : value) out.push_back(ToDocument(item));
    return out;
  } else if constexpr (IsMap<T>::value) {
    json out = json::object();
    for (const auto& [key, item] : value) out[KeyText(key)] = ToDocument(item);
    return out;
  } else {
    DocumentWriter writer;
    Fields(writer, const_cast<T&>(value));
    return std::move(writer.out);
  }
}

// --- Reading a document ---

template <Absent kAbsent, class T>
bool FromDocument(const nlohmann::json& j, T& out, std::string* problem = nullptr);

template <Absent kAbsent>
struct DocumentReader {
  const nlohmann::json& in;
  std::string problem;  // empty while all is well
  template <class T>
  void operator()(const char* name, T& value) {
    if (!problem.empty()) return;
    auto it = in.find(name);
    if (it == in.end()) {
      if constexpr (kAbsent == Absent::kOptionalIsNull && IsOptional<T>::value) {
        value.reset();
      } else {
        problem = std::string("field \"") + name + "\" is missing";
      }
    } else if (!FromDocument<kAbsent>(*it, value)) {
      problem = std::string("field \"") + name + "\" has a bad value";
    }
  }
};

template <Absent kAbsent, class T>
bool FromDocument(const nlohmann::json& j, T& out, std::string* problem) {
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
    return std::isfinite(out);
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
    return FromDocument<kAbsent>(j, out.emplace());
  } else if constexpr (IsVector<T>::value) {
    if (!j.is_array()) return false;
    out.clear();
    out.reserve(j.size());
    for (const auto& item : j) {
      if (!FromDocument<kAbsent>(item, out.emplace_back())) return false;
    }
    return true;
  } else if constexpr (IsMap<T>::value) {
    if (!j.is_object()) return false;
    out.clear();
    for (auto it = j.begin(); it != j.end(); ++it) {
      typename T::key_type key{};
      typename T::mapped_type value{};
      if (!KeyFromText(it.key(), key) || !FromDocument<kAbsent>(it.value(), value)) return false;
      out.emplace(std::move(key), std::move(value));
    }
    return true;
  } else {
    if (!j.is_object()) {
      if (problem != nullptr) *problem = "not a JSON object";
      return false;
    }
    out = T{};
    DocumentReader<kAbsent> reader{j, {}};
    Fields(reader, out);
    if (problem != nullptr) *problem = reader.problem;
    return reader.problem.empty();
  }
}

// --- Reading text directly ---
//
// Replaying the log decodes every stored event, and opening the read models decodes every state of
// the snapshot; building an nlohmann document first (a node and a string per value) was most of
// the cost of both (docs/performance.md). The cursor reads the text once into the fields.

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

  // The members of an object: calls member(key) with the cursor before each value, which must
  // read it (true) or give up (false). Stops at the closing brace.
  template <class Member>
  bool Object(Member&& member) {
    if (!Eat('{')) return false;
    if (Eat('}')) return true;
    do {
      std::string_view key;
      if (!String(key) || !Eat(':') || !member(key)) return false;
    } while (Eat(','));
    return Eat('}');
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

template <Absent kAbsent, class T>
bool FromCursor(Cursor& c, T& out);

// Finds the field named `key` among a struct's and reads its value.
template <Absent kAbsent>
struct CursorField {
  Cursor& c;
  std::string_view key;
  uint64_t seen;  // the fields read so far, by position in the list
  int index = 0;  // the position of the field being visited
  bool matched = false;
  bool ok = false;
  template <class T>
  void operator()(const char* name, T& value) {
    const int position = index++;
    if (matched || key != name) return;
    matched = true;
    const uint64_t bit = uint64_t{1} << position;
    ok = position < 64 && (seen & bit) == 0 && FromCursor<kAbsent>(c, value);  // repeated: give up
    seen |= bit;
  }
};

// Whether every field that must be there was read.
template <Absent kAbsent>
struct CursorComplete {
  uint64_t seen;
  int index = 0;
  bool complete = true;
  template <class T>
  void operator()(const char*, T&) {
    const bool read = (seen & (uint64_t{1} << index++)) != 0;
    if constexpr (kAbsent == Absent::kOptionalIsNull && IsOptional<T>::value) return;
    complete = complete && read;
  }
};

template <Absent kAbsent, class T>
bool FromCursor(Cursor& c, T& out) {
  if constexpr (std::is_same_v<T, std::string>) {
    std::string_view text;
    if (!c.String(text)) return false;
    out.assign(text);
    return true;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (c.EatLiteral("true")) {
      out = true;
      return true;
    }
    if (c.EatLiteral("false")) {
      out = false;
      return true;
    }
    return false;
  } else if constexpr (std::is_floating_point_v<T>) {
    return false;  // numbers with fractions: the document reads them
  } else if constexpr (std::is_integral_v<T>) {
    uint64_t value = 0;  // a negative number: the document reads it
    if (!c.Unsigned(value) || value > static_cast<uint64_t>(std::numeric_limits<T>::max())) {
      return false;
    }
    out = static_cast<T>(value);
    return true;
  } else if constexpr (std::is_same_v<T, Date> || std::is_same_v<T, TimePoint> ||
                       std::is_enum_v<T>) {
    std::string_view text;
    if (!c.String(text)) return false;
    std::optional<T> parsed;
    if constexpr (std::is_same_v<T, Date>) {
      if (auto date = ParseDate("date", text)) parsed = *date;
    } else if constexpr (std::is_same_v<T, TimePoint>) {
      if (auto instant = ParseInstant(text)) parsed = *instant;
    } else {
      parsed = ParseEnum<T>(text);
    }
    if (!parsed) return false;
    out = *parsed;
    return true;
  } else if constexpr (IsOptional<T>::value) {
    if (c.EatLiteral("null")) {
      out.reset();
      return true;
    }
    return FromCursor<kAbsent>(c, out.emplace());
  } else if constexpr (IsVector<T>::value) {
    out.clear();
    if (!c.Eat('[')) return false;
    if (c.Eat(']')) return true;
    do {
      if (!FromCursor<kAbsent>(c, out.emplace_back())) return false;
    } while (c.Eat(','));
    if (!c.Eat(']')) return false;
    out.shrink_to_fit();  // no growth slack kept: a snapshot's 1M states hold many vectors
    return true;
  } else if constexpr (IsMap<T>::value) {
    out.clear();
    return c.Object([&](std::string_view text) {
      typename T::key_type key{};
      typename T::mapped_type value{};
      if (!KeyFromText(text, key) || !FromCursor<kAbsent>(c, value)) return false;
      return out.emplace(std::move(key), std::move(value)).second;  // repeated: give up
    });
  } else {
    out = T{};
    uint64_t seen = 0;
    const bool read = c.Object([&](std::string_view key) {
      CursorField<kAbsent> field{c, key, seen};
      Fields(field, out);
      seen = field.seen;
      return field.matched && field.ok;
    });
    if (!read) return false;
    CursorComplete<kAbsent> complete{seen};
    Fields(complete, out);
    return complete.complete;
  }
}

// The whole text as one value of T; false to give up (see the top of this file).
template <Absent kAbsent, class T>
bool FromText(std::string_view text, T& out) {
  Cursor c(text);
  if (!FromCursor<kAbsent>(c, out)) return false;
  c.SkipSpace();
  return c.AtEnd();
}

}  // namespace codec
}  // namespace dialogue::workflows
