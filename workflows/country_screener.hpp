// Country screening for rules 59(b) and 61: "no specific country situation" is to be mentioned.
//
// ScreenForCountries finds the names of States (and other ISO 3166-1 territories) in a text and
// returns them as mentions. It flags; a person decides: a mention may be harmless ("Jordan" the
// name, "turkey" the bird), and a country may be referred to in a way screening cannot see
// (adjectives, capitals, misspellings). See docs/screening.md for what is and is not matched.
//
// The names come from Debian's iso-codes (embedded at build time) plus the alias list in
// workflows/country_aliases.cpp. Screening is pure: no I/O, no clock, no locale.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace dialogue::workflows {

// One country name found in a screened text.
struct CountryMention {
  std::string name;     // the name exactly as written: the original bytes of the text
  std::string country;  // ISO 3166-1 alpha-2 code, e.g. "VN" ("XK" for Kosovo, user-assigned)
  size_t offset;        // byte offset of `name` in the screened UTF-8 text

  friend bool operator==(const CountryMention&, const CountryMention&) = default;
};

// Its field list (field_codec.hpp): how events and snapshots store a mention.
template <class V>
void Fields(V& v, CountryMention& m) {
  v("name", m.name);
  v("country", m.country);
  v("offset", m.offset);
}

// Returns the country names in `text`, in order of offset, without overlaps.
//
// Matching is whole-word and insensitive to case, diacritics (Latin), apostrophe style (' and ’),
// hyphens versus spaces, and runs of white space; when names overlap the longest wins
// ("Democratic People's Republic of Korea" is KP only, "Guinea-Bissau" is GW only).
// `text` should be UTF-8; invalid bytes are treated as punctuation, never as an error.
// Thread-safe; the matcher is built once, on first use.
std::vector<CountryMention> ScreenForCountries(std::string_view text);

}  // namespace dialogue::workflows
