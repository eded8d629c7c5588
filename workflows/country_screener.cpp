// Country screening: an Aho-Corasick automaton over folded text (docs/screening.md).
//
// The text is decoded from UTF-8 and folded one code point at a time into a byte string over a
// small alphabet: ASCII letters lower-cased, Latin letters with diacritics reduced to their base
// letters ("Türkiye" -> "turkiye", "ß" -> "ss"), apostrophes unified to ', hyphens and runs of
// white space to one space. Every folded byte remembers the byte range of the code point it came
// from, so a match in folded text maps back to the exact original bytes. The names are folded
// the same way and compiled, once, into a deterministic automaton; one pass over the folded
// text finds every name ending at every position. Whole-word checks, the per-alias conditions
// and "longest wins" are applied to that candidate list.
#include "workflows/country_screener.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "workflows/country_aliases.hpp"

namespace dialogue::workflows {
namespace {

using detail::AliasKind;

// Folded bytes that no name contains. Both end a word match only as stated.
constexpr char kOtherLetter = '\x01';  // a letter or digit outside the folded alphabet: a word
constexpr char kOtherMark = '\x02';    // punctuation or a symbol outside ASCII: not a word

constexpr char32_t kInvalid = 0xFFFD;

// ---------------------------------------------------------------------------------------------
// UTF-8 decoding

struct Decoded {
  char32_t code_point;
  size_t length;  // bytes consumed; at least 1
};

bool IsContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Decodes the code point at text[i]. Invalid or truncated sequences, overlong forms and
// surrogates decode as U+FFFD consuming one byte, so decoding always advances.
Decoded DecodeUtf8(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char b0 = byte(0);
  const size_t left = text.size() - i;
  if (b0 < 0x80) return {b0, 1};
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (left >= 2 && IsContinuation(byte(1))) {
      return {static_cast<char32_t>(((b0 & 0x1F) << 6) | (byte(1) & 0x3F)), 2};
    }
    return {kInvalid, 1};
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (left < 3) return {kInvalid, 1};
    const unsigned char b1 = byte(1);
    const unsigned char low = b0 == 0xE0 ? 0xA0 : 0x80;   // no overlong forms
    const unsigned char high = b0 == 0xED ? 0x9F : 0xBF;  // no surrogates
    if (b1 < low || b1 > high || !IsContinuation(byte(2))) return {kInvalid, 1};
    return {static_cast<char32_t>(((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (byte(2) & 0x3F)), 3};
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (left < 4) return {kInvalid, 1};
    const unsigned char b1 = byte(1);
    const unsigned char low = b0 == 0xF0 ? 0x90 : 0x80;   // no overlong forms
    const unsigned char high = b0 == 0xF4 ? 0x8F : 0xBF;  // nothing above U+10FFFF
    if (b1 < low || b1 > high || !IsContinuation(byte(2)) || !IsContinuation(byte(3))) {
      return {kInvalid, 1};
    }
    return {static_cast<char32_t>(((b0 & 0x07) << 18) | ((b1 & 0x3F) << 12) |
                                  ((byte(2) & 0x3F) << 6) | (byte(3) & 0x3F)),
            4};
  }
  return {kInvalid, 1};
}

// ---------------------------------------------------------------------------------------------
// Folding one code point

enum class FoldKind : uint8_t {
  kChars,      // append `chars`
  kSpace,      // white space or a hyphen: one space, runs collapse
  kCombining,  // a combining mark: belongs to the previous character, adds nothing
  kIgnore,     // invisible (zero-width, soft hyphen, bidi controls): adds nothing
};

struct Folded {
  FoldKind kind;
  std::array<char, 2> chars = {0, 0};
  uint8_t size = 0;
};

constexpr Folded Chars(char c) { return {FoldKind::kChars, {c, 0}, 1}; }
constexpr Folded Chars(char c1, char c2) { return {FoldKind::kChars, {c1, c2}, 2}; }
constexpr Folded kSpaceFold{FoldKind::kSpace};
constexpr Folded kCombiningFold{FoldKind::kCombining};
constexpr Folded kIgnoreFold{FoldKind::kIgnore};

// Base letters of U+00C0..U+00FF; '*' marks the two-letter ones, '/' the two signs (× ÷).
constexpr std::string_view kLatin1Letters =
    "aaaaaa*ceeeeiiiidnooooo/ouuuuy**"
    "aaaaaa*ceeeeiiiidnooooo/ouuuuy*y";
// Base letters of U+0100..U+017F (Latin Extended-A); '*' marks ĳ and œ.
constexpr std::string_view kLatinExtendedALetters =
    "aaaaaaccccccccdd"
    "ddeeeeeeeeeegggg"
    "gggghhhhiiiiiiii"
    "ii**jjkkklllllll"
    "lllnnnnnnnnnoooo"
    "oo**rrrrrrssssss"
    "ssttttttuuuuuuuu"
    "uuuuwwyyyzzzzzzs";

constexpr Folded FoldAscii(char32_t cp) {
  const char c = static_cast<char>(cp);
  if (c >= 'A' && c <= 'Z') return Chars(static_cast<char>(c - 'A' + 'a'));
  if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return Chars(c);
  switch (c) {
    case ' ':
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case '-':
      return kSpaceFold;
    case '\'':
    case '`':
      return Chars('\'');
    default:
      break;
  }
  if (cp < 0x20 || cp == 0x7F) return Chars(kOtherMark);
  return Chars(c);  // other ASCII punctuation stands for itself: names use , . ( ) &
}

Folded FoldLatin(char32_t cp) {
  if (cp <= 0xFF) {
    const char base = kLatin1Letters[cp - 0xC0];
    if (base == '/') return Chars(kOtherMark);
    if (base != '*') return Chars(base);
    if (cp == 0xC6 || cp == 0xE6) return Chars('a', 'e');  // Æ æ
    if (cp == 0xDE || cp == 0xFE) return Chars('t', 'h');  // Þ þ
    return Chars('s', 's');                                // ß
  }
  const char base = kLatinExtendedALetters[cp - 0x100];
  if (base != '*') return Chars(base);
  if (cp == 0x132 || cp == 0x133) return Chars('i', 'j');  // Ĳ ĳ
  return Chars('o', 'e');                                  // Œ œ
}

// Latin Extended-B (U+0180..U+024F): the letters of Romanian, Vietnamese and pinyin only.
Folded FoldLatinExtendedB(char32_t cp) {
  if (cp == 0x1A0 || cp == 0x1A1) return Chars('o');  // Ơ ơ
  if (cp == 0x1AF || cp == 0x1B0) return Chars('u');  // Ư ư
  if (cp == 0x1CD || cp == 0x1CE) return Chars('a');  // Ǎ ǎ
  if (cp == 0x1CF || cp == 0x1D0) return Chars('i');  // Ǐ ǐ
  if (cp == 0x1D1 || cp == 0x1D2) return Chars('o');  // Ǒ ǒ
  if (cp >= 0x1D3 && cp <= 0x1DC) return Chars('u');  // Ǔ..ǜ
  if (cp == 0x218 || cp == 0x219) return Chars('s');  // Ș ș
  if (cp == 0x21A || cp == 0x21B) return Chars('t');  // Ț ț
  return Chars(kOtherLetter);
}

// Vietnamese letters with two diacritics (U+1EA0..U+1EF9), in alphabetical blocks.
Folded FoldVietnamese(char32_t cp) {
  if (cp < 0x1EB8) return Chars('a');
  if (cp < 0x1EC8) return Chars('e');
  if (cp < 0x1ECC) return Chars('i');
  if (cp < 0x1EE4) return Chars('o');
  if (cp < 0x1EF2) return Chars('u');
  return Chars('y');
}

// General Punctuation (U+2000..U+206F).
Folded FoldGeneralPunctuation(char32_t cp) {
  if (cp <= 0x200A || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F) {
    return kSpaceFold;
  }
  if (cp <= 0x200F || (cp >= 0x202A && cp <= 0x202E) || cp >= 0x2060) return kIgnoreFold;
  if (cp <= 0x2015) return kSpaceFold;  // hyphens and dashes
  if (cp == 0x2018 || cp == 0x2019 || cp == 0x201B || cp == 0x2032) return Chars('\'');
  return Chars(kOtherMark);
}

// Folds one code point. Letters of scripts without country names here (Greek, Cyrillic, CJK,
// ...) become kOtherLetter: they form words, so "Chad" glued to one is not a match.
Folded FoldCodePoint(char32_t cp) {
  if (cp < 0x80) return FoldAscii(cp);
  if (cp < 0xA0) return cp == 0x85 ? kSpaceFold : Chars(kOtherMark);  // C1 controls, NEL
  if (cp < 0xC0) {
    if (cp == 0xA0) return kSpaceFold;   // no-break space
    if (cp == 0xAD) return kIgnoreFold;  // soft hyphen
    if (cp == 0xB4) return Chars('\'');  // acute accent used as an apostrophe
    return Chars(kOtherMark);
  }
  if (cp < 0x180) return FoldLatin(cp);
  if (cp < 0x250) return FoldLatinExtendedB(cp);
  if (cp >= 0x2BB && cp <= 0x2BD) return Chars('\'');  // modifier letter apostrophes
  if (cp >= 0x300 && cp <= 0x36F) return kCombiningFold;
  if (cp == 0x1680) return kSpaceFold;
  if ((cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF)) return kCombiningFold;
  if (cp >= 0x1EA0 && cp <= 0x1EF9) return FoldVietnamese(cp);
  if (cp >= 0x2000 && cp <= 0x206F) return FoldGeneralPunctuation(cp);
  if (cp >= 0x20D0 && cp <= 0x20FF) return kCombiningFold;
  if (cp == 0x2212) return kSpaceFold;                         // minus sign, used as a hyphen
  if (cp >= 0x2070 && cp <= 0x2BFF) return Chars(kOtherMark);  // symbols, arrows, math, boxes
  if (cp >= 0x2E00 && cp <= 0x2E7F) return Chars(kOtherMark);  // supplemental punctuation
  if (cp == 0x3000) return kSpaceFold;
  if (cp >= 0x3001 && cp <= 0x303F) return Chars(kOtherMark);  // CJK punctuation
  if (cp >= 0xE000 && cp <= 0xF8FF) return Chars(kOtherMark);  // private use
  if (cp >= 0xFE00 && cp <= 0xFE0F) return kIgnoreFold;        // variation selectors
  if (cp >= 0xFE20 && cp <= 0xFE2F) return kCombiningFold;
  if (cp >= 0xFE10 && cp <= 0xFE6F) return Chars(kOtherMark);  // vertical and small forms
  if (cp == 0xFEFF) return kIgnoreFold;                        // byte order mark
  if (cp == 0xFF07) return Chars('\'');
  if (cp == 0xFF0D) return kSpaceFold;
  if ((cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
      (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65)) {
    return Chars(kOtherMark);  // fullwidth punctuation
  }
  if (cp >= 0xFFF0 && cp <= 0xFFFF) return Chars(kOtherMark);    // specials, U+FFFD
  if (cp >= 0x1F000 && cp <= 0x1FBFF) return Chars(kOtherMark);  // emoji, flags, symbols
  if (cp >= 0xE0000 && cp <= 0xE0FFF) return kIgnoreFold;        // tags, variation selectors
  return Chars(kOtherLetter);
}

// FoldAscii for every ASCII byte, with white space and hyphens as ' '.
constexpr std::array<char, 128> kAsciiFolds = [] {
  std::array<char, 128> folds{};
  for (char32_t cp = 0; cp < 128; ++cp) {
    const Folded folded = FoldAscii(cp);
    folds[cp] = folded.kind == FoldKind::kSpace ? ' ' : folded.chars[0];
  }
  return folds;
}();

bool IsWordByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == kOtherLetter;
}

// ---------------------------------------------------------------------------------------------
// Folded text with its map back to the original bytes

struct FoldedText {
  std::string chars;
  std::vector<size_t> begin;  // begin[j]: first original byte of the code point chars[j] is from
};

// One past the last original byte of the code point starting at `begin`, together with the
// combining marks that follow it (they belong to it: "Co\u0302te").
size_t EndOfCharacter(std::string_view text, size_t begin) {
  size_t end = begin + DecodeUtf8(text, begin).length;
  while (end < text.size()) {
    const Decoded next = DecodeUtf8(text, end);
    if (FoldCodePoint(next.code_point).kind != FoldKind::kCombining) break;
    end += next.length;
  }
  return end;
}

FoldedText Fold(std::string_view text) {
  FoldedText out;
  out.chars.reserve(text.size());
  out.begin.reserve(text.size());
  const auto emit = [&out](char c, size_t at) {
    if (c == ' ' && !out.chars.empty() && out.chars.back() == ' ') return;  // runs collapse
    out.chars.push_back(c);
    out.begin.push_back(at);
  };
  for (size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {  // the common case, by table
      emit(kAsciiFolds[byte], i);
      ++i;
      continue;
    }
    const Decoded decoded = DecodeUtf8(text, i);
    const Folded folded = FoldCodePoint(decoded.code_point);
    if (folded.kind == FoldKind::kChars) {
      for (uint8_t k = 0; k < folded.size; ++k) emit(folded.chars[k], i);
    } else if (folded.kind == FoldKind::kSpace) {
      emit(' ', i);
    }  // combining marks and invisible characters add nothing
    i += decoded.length;
  }
  return out;
}

// Folds a name from the tables: trimmed, and without a leading "the" ("the State of Eritrea").
std::string FoldName(std::string_view name) {
  std::string folded = Fold(name).chars;
  const size_t first = folded.find_first_not_of(' ');
  const size_t last = folded.find_last_not_of(' ');
  folded = first == std::string::npos ? "" : folded.substr(first, last - first + 1);
  if (folded.starts_with("the ")) folded.erase(0, 4);
  return folded;
}

void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

// The spellings of one folded name: "saint kitts and nevis" also as "st kitts & nevis", ...
std::vector<std::string> Spellings(const std::string& folded) {
  std::vector<std::string> spellings = {folded};
  if (folded.find(" and ") != std::string::npos) {
    std::string ampersand = folded;
    ReplaceAll(ampersand, " and ", " & ");
    spellings.push_back(std::move(ampersand));
  }
  const size_t with_saint = spellings.size();
  for (size_t k = 0; k < with_saint; ++k) {
    if (spellings[k].starts_with("saint ")) {
      const std::string rest = spellings[k].substr(6);
      spellings.push_back("st " + rest);
      spellings.push_back("st. " + rest);
    }
  }
  return spellings;
}

// ---------------------------------------------------------------------------------------------
// The automaton

struct Name {
  std::string country;  // alpha-2; empty for kNotACountry
  AliasKind kind;
  std::string written;  // for kExactCase: the only accepted spelling
  size_t folded_length;
};

struct Candidate {
  size_t start;  // in folded text
  size_t end;
  int32_t name;
};

class CountryMatcher {
 public:
  CountryMatcher() {
    // Aliases first: where an alias and an ISO name fold alike, the alias's conditions hold.
    for (const detail::CountryAlias& alias : detail::CountryAliases()) {
      Add(alias.name, alias.country, alias.kind);
    }
    for (const detail::IsoCountryName& iso : detail::IsoCountryNames()) {
      for (std::string_view name : {iso.name, iso.official_name, iso.common_name}) {
        if (!name.empty()) Add(name, iso.alpha_2, AliasKind::kName);
      }
    }
    Compile();
  }

  std::vector<CountryMention> Screen(std::string_view text) const {
    const FoldedText folded = Fold(text);
    std::vector<Candidate> candidates = FindCandidates(text, folded);
    std::vector<Candidate> chosen =
        LongestWithoutOverlap(std::move(candidates), folded.chars.size());
    std::vector<CountryMention> mentions;
    mentions.reserve(chosen.size());
    for (const Candidate& c : chosen) {
      const Name& name = names_[c.name];
      if (name.kind == AliasKind::kNotACountry) continue;
      const size_t begin = folded.begin[c.start];
      const size_t end = EndOfCharacter(text, folded.begin[c.end - 1]);
      mentions.push_back({std::string(text.substr(begin, end - begin)), name.country, begin});
    }
    return mentions;
  }

 private:
  static constexpr int32_t kNone = -1;
  static constexpr int32_t kRoot = 0;

  void Add(std::string_view written, std::string_view country, AliasKind kind) {
    const std::string folded = FoldName(written);
    assert(!folded.empty());
    assert(folded.find_first_of(std::string{kOtherLetter, kOtherMark}) == std::string::npos &&
           "a country name must fold to ASCII");
    for (const std::string& spelling : Spellings(folded)) {
      if (seen_.contains(spelling)) continue;  // the first source of a spelling wins
      seen_.emplace(spelling, static_cast<int32_t>(names_.size()));
      names_.push_back({std::string(country), kind, std::string(written), spelling.size()});
      spellings_.push_back(spelling);
    }
  }

  // Builds the goto function as a dense table over the bytes the names use, then the failure
  // function breadth-first, folding it into the table (a DFA: one step per text byte).
  void Compile() {
    byte_class_.fill(0);  // class 0: a byte no name contains
    int32_t classes = 1;
    for (const std::string& spelling : spellings_) {
      for (char c : spelling) {
        uint8_t& cls = byte_class_[static_cast<unsigned char>(c)];
        if (cls == 0) cls = static_cast<uint8_t>(classes++);
      }
    }
    classes_ = classes;
    NewNode();
    for (size_t n = 0; n < spellings_.size(); ++n) {
      int32_t node = kRoot;
      for (char c : spellings_[n]) {
        const size_t slot = Slot(node, ClassOf(c));
        if (next_[slot] == kNone) {
          const int32_t child = NewNode();
          next_[slot] = child;
        }
        node = next_[slot];
      }
      name_at_[node] = static_cast<int32_t>(n);
    }
    // Breadth-first: every node's failure target is shallower, hence finished before it.
    std::vector<int32_t> failure(name_at_.size(), kRoot);
    std::deque<int32_t> queue;
    for (int32_t cls = 0; cls < classes_; ++cls) {
      int32_t& child = next_[Slot(kRoot, cls)];
      if (child == kNone) {
        child = kRoot;
      } else {
        queue.push_back(child);
      }
    }
    while (!queue.empty()) {
      const int32_t node = queue.front();
      queue.pop_front();
      const int32_t fail = failure[node];
      output_link_[node] = name_at_[fail] != kNone ? fail : output_link_[fail];
      for (int32_t cls = 0; cls < classes_; ++cls) {
        int32_t& child = next_[Slot(node, cls)];
        const int32_t via_failure = next_[Slot(fail, cls)];
        if (child == kNone) {
          child = via_failure;
        } else {
          failure[child] = via_failure;
          queue.push_back(child);
        }
      }
    }
    seen_.clear();
  }

  int32_t NewNode() {
    next_.resize(next_.size() + static_cast<size_t>(classes_), kNone);
    name_at_.push_back(kNone);
    output_link_.push_back(kNone);
    return static_cast<int32_t>(name_at_.size() - 1);
  }

  size_t Slot(int32_t node, int32_t cls) const {
    return static_cast<size_t>(node) * static_cast<size_t>(classes_) + static_cast<size_t>(cls);
  }
  int32_t ClassOf(char c) const { return byte_class_[static_cast<unsigned char>(c)]; }

  // Every name occurrence that stands as whole words and meets its alias's condition.
  std::vector<Candidate> FindCandidates(std::string_view text, const FoldedText& folded) const {
    std::vector<Candidate> candidates;
    const std::string& chars = folded.chars;
    int32_t node = kRoot;
    for (size_t j = 0; j < chars.size(); ++j) {
      node = next_[Slot(node, ClassOf(chars[j]))];
      const size_t end = j + 1;
      for (int32_t hit = name_at_[node] != kNone ? node : output_link_[node]; hit != kNone;
           hit = output_link_[hit]) {
        const int32_t n = name_at_[hit];
        const size_t start = end - names_[n].folded_length;
        if (start > 0 && IsWordByte(chars[start - 1]) && IsWordByte(chars[start])) continue;
        if (end < chars.size() && IsWordByte(chars[end]) && IsWordByte(chars[end - 1])) continue;
        if (names_[n].kind != AliasKind::kName) {
          const size_t begin = folded.begin[start];
          const size_t written_end = EndOfCharacter(text, folded.begin[end - 1]);
          if (!MeetsCondition(names_[n], text.substr(begin, written_end - begin))) continue;
        }
        candidates.push_back({start, end, n});
      }
    }
    return candidates;
  }

  static bool MeetsCondition(const Name& name, std::string_view written) {
    switch (name.kind) {
      case AliasKind::kExactCase:
        return written == name.written;
      case AliasKind::kDiacriticRequired:
        return std::any_of(written.begin(), written.end(),
                           [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
      case AliasKind::kName:
      case AliasKind::kNotACountry:
        return true;
    }
    return true;
  }

  // Longest first (then leftmost); a candidate overlapping one already taken is dropped.
  // Returns the taken ones in text order.
  static std::vector<Candidate> LongestWithoutOverlap(std::vector<Candidate> candidates,
                                                      size_t folded_size) {
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
      const size_t la = a.end - a.start;
      const size_t lb = b.end - b.start;
      return la != lb ? la > lb : a.start < b.start;
    });
    std::vector<bool> taken(candidates.empty() ? 0 : folded_size, false);
    std::vector<Candidate> chosen;
    for (const Candidate& c : candidates) {
      if (std::any_of(taken.begin() + static_cast<std::ptrdiff_t>(c.start),
                      taken.begin() + static_cast<std::ptrdiff_t>(c.end),
                      [](bool t) { return t; })) {
        continue;
      }
      std::fill(taken.begin() + static_cast<std::ptrdiff_t>(c.start),
                taken.begin() + static_cast<std::ptrdiff_t>(c.end), true);
      chosen.push_back(c);
    }
    std::sort(chosen.begin(), chosen.end(),
              [](const Candidate& a, const Candidate& b) { return a.start < b.start; });
    return chosen;
  }

  std::vector<Name> names_;
  std::vector<std::string> spellings_;             // spellings_[n] is names_[n] folded
  std::unordered_map<std::string, int32_t> seen_;  // only while building
  std::array<uint8_t, 256> byte_class_{};
  int32_t classes_ = 0;
  std::vector<int32_t> next_;         // [node * classes_ + class] -> node (complete DFA)
  std::vector<int32_t> name_at_;      // node -> the name spelled by the path to it, or kNone
  std::vector<int32_t> output_link_;  // node -> nearest proper suffix node with a name, or kNone
};

}  // namespace

std::vector<CountryMention> ScreenForCountries(std::string_view text) {
  static const CountryMatcher kMatcher;  // built once; thread-safe initialization (C++11)
  return kMatcher.Screen(text);
}

}  // namespace dialogue::workflows
