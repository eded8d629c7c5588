// Country screening (rules 59(b) and 61): what is found, where, and what is not.
#include "workflows/country_screener.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "workflows/country_aliases.hpp"

namespace dialogue::workflows {
namespace {

// Screens `prefix + name + suffix` and expects exactly `name`, as written, at its offset.
void ExpectSoleMention(std::string_view name, std::string_view country,
                       std::string_view prefix = "We heard ", std::string_view suffix = " today.") {
  const std::string text = std::string(prefix) + std::string(name) + std::string(suffix);
  INFO("text: " << text);
  const std::vector<CountryMention> mentions = ScreenForCountries(text);
  REQUIRE(mentions.size() == 1);
  CHECK(mentions[0].name == name);
  CHECK(mentions[0].country == country);
  CHECK(mentions[0].offset == prefix.size());
}

void ExpectNoMention(std::string_view text) {
  INFO("text: " << text);
  const std::vector<CountryMention> mentions = ScreenForCountries(text);
  for (const CountryMention& m : mentions) {
    UNSCOPED_INFO("unexpected: " << m.name << " (" << m.country << ") at " << m.offset);
  }
  CHECK(mentions.empty());
}

// Every mention's name is the text's own bytes at its offset; offsets strictly increase.
void ExpectConsistent(std::string_view text, const std::vector<CountryMention>& mentions) {
  size_t previous_end = 0;
  for (const CountryMention& m : mentions) {
    REQUIRE(m.offset >= previous_end);
    REQUIRE(m.offset + m.name.size() <= text.size());
    CHECK(text.substr(m.offset, m.name.size()) == m.name);
    CHECK(m.country.size() == 2);
    previous_end = m.offset + m.name.size();
  }
}

TEST_CASE("Clean text has no mention", "[screening]") {
  ExpectNoMention("");
  ExpectNoMention("the Secretariat thanked all delegations");
  ExpectNoMention(
      "The Working Group took note of the briefing. Participants discussed prevention, the "
      "assistance to and protection of victims, and the review process; many of us attended "
      "a reunion of experts, and the Chair thanked the interpreters. Indian Ocean, Nigerian, "
      "Omani and Jordanian experts, Chadwick and Romanians were not named as States.");
}

TEST_CASE("ISO short names are found", "[screening]") {
  ExpectSoleMention("Austria", "AT");
  ExpectSoleMention("Brazil", "BR");
  ExpectSoleMention("Viet Nam", "VN");
  ExpectSoleMention("Russian Federation", "RU");
  ExpectSoleMention("Czechia", "CZ");
  ExpectSoleMention("United Kingdom", "GB");
  ExpectSoleMention("United States", "US");
  ExpectSoleMention("Netherlands", "NL", "We heard the ");
  ExpectSoleMention("Cabo Verde", "CV");
  ExpectSoleMention("Eswatini", "SZ");
  ExpectSoleMention("North Macedonia", "MK");
  ExpectSoleMention("Myanmar", "MM");
  ExpectSoleMention("Côte d'Ivoire", "CI");
  ExpectSoleMention("Türkiye", "TR");
  ExpectSoleMention("Lao People's Democratic Republic", "LA");
  ExpectSoleMention("Syrian Arab Republic", "SY");
  ExpectSoleMention("Hong Kong", "HK");
}

TEST_CASE("ISO official names win over the short names inside them", "[screening]") {
  ExpectSoleMention("Federal Republic of Germany", "DE", "We heard the ");
  ExpectSoleMention("United States of America", "US");
  ExpectSoleMention("United Kingdom of Great Britain and Northern Ireland", "GB");
  ExpectSoleMention("Plurinational State of Bolivia", "BO");
  ExpectSoleMention("Republic of the Niger", "NE");
  ExpectSoleMention("State of Palestine", "PS", "We heard the ");
  ExpectSoleMention("Hong Kong Special Administrative Region of China", "HK");
  ExpectSoleMention("Democratic People's Republic of Korea", "KP");
  ExpectSoleMention("Republic of Korea", "KR", "We heard the ");
}

TEST_CASE("ISO names written inverted are found whole", "[screening]") {
  ExpectSoleMention("Korea, Republic of", "KR");
  ExpectSoleMention("Iran, Islamic Republic of", "IR");
  ExpectSoleMention("Congo, The Democratic Republic of the", "CD");
}

TEST_CASE("Common names are found", "[screening]") {
  ExpectSoleMention("Bolivia", "BO");
  ExpectSoleMention("Iran", "IR");
  ExpectSoleMention("Syria", "SY");
  ExpectSoleMention("Laos", "LA");
  ExpectSoleMention("Moldova", "MD");
  ExpectSoleMention("Tanzania", "TZ");
  ExpectSoleMention("Venezuela", "VE");
  ExpectSoleMention("Taiwan", "TW");
  ExpectSoleMention("South Korea", "KR");
  ExpectSoleMention("North Korea", "KP");
  ExpectSoleMention("Vietnam", "VN");
}

TEST_CASE("Aliases are found", "[screening]") {
  ExpectSoleMention("Turkey", "TR");
  ExpectSoleMention("Ivory Coast", "CI", "We heard the ");
  ExpectSoleMention("Russia", "RU");
  ExpectSoleMention("Czech Republic", "CZ", "We heard the ");
  ExpectSoleMention("UK", "GB", "We heard the ");
  ExpectSoleMention("U.K.", "GB", "We heard the ");
  ExpectSoleMention("Great Britain", "GB");
  ExpectSoleMention("USA", "US", "We heard the ");
  ExpectSoleMention("U.S.", "US", "We heard the ");
  ExpectSoleMention("Holland", "NL");
  ExpectSoleMention("Cape Verde", "CV");
  ExpectSoleMention("Swaziland", "SZ");
  ExpectSoleMention("Burma", "MM");
  ExpectSoleMention("DPRK", "KP", "We heard the ");
  ExpectSoleMention("Democratic Republic of the Congo", "CD", "We heard the ");
  ExpectSoleMention("Palestine", "PS");
  ExpectSoleMention("Kosovo", "XK");
  ExpectSoleMention("Bolivia (Plurinational State of)", "BO");
  ExpectSoleMention("Venezuela (Bolivarian Republic of)", "VE");
  ExpectSoleMention("Northern Ireland", "GB");
  ExpectSoleMention("South Georgia", "GS");
}

TEST_CASE("Case does not matter, except where an alias says so", "[screening]") {
  ExpectSoleMention("TÜRKIYE", "TR");
  ExpectSoleMention("türkiye", "TR");
  ExpectSoleMention("NIGERIA", "NG");
  ExpectSoleMention("nigeria", "NG");
  ExpectSoleMention("CÔTE D'IVOIRE", "CI");
  ExpectSoleMention("cÔtE d'iVOIRE", "CI");
  ExpectSoleMention("VIỆT NAM", "VN");

  // "US" is an abbreviation only in capitals; "us" is a pronoun.
  ExpectSoleMention("US", "US", "Tell us about the ", " position.");
  ExpectNoMention("Us and them; let us go.");
}

TEST_CASE("Apostrophes, hyphens and white space vary freely", "[screening]") {
  ExpectSoleMention("Côte d’Ivoire", "CI");  // U+2019
  ExpectSoleMention("Côte dʼIvoire", "CI");  // U+02BC
  ExpectSoleMention("Côte d‘Ivoire", "CI");  // U+2018
  ExpectSoleMention("Democratic People’s Republic of Korea", "KP");
  ExpectSoleMention("Guinea Bissau", "GW");
  ExpectSoleMention("Guinea–Bissau", "GW");  // en dash
  ExpectSoleMention("Guinea – Bissau", "GW");
  ExpectSoleMention("Timor Leste", "TL");
  ExpectSoleMention("Timor-Leste", "TL");
  ExpectSoleMention("Congo-Kinshasa", "CD");
  ExpectSoleMention("Viet\n  Nam", "VN");
  ExpectSoleMention("Sierra\u00A0Leone", "SL");  // no-break space
  ExpectSoleMention("Trinidad & Tobago", "TT");
  ExpectSoleMention("Saint Lucia", "LC");
  ExpectSoleMention("St. Lucia", "LC");
  ExpectSoleMention("St Kitts & Nevis", "KN");
  ExpectSoleMention("St. Vincent and the Grenadines", "VC");
}

TEST_CASE("Punctuation around a name ends the word", "[screening]") {
  ExpectSoleMention("Nigeria", "NG", "(", ")");
  ExpectSoleMention("Nigeria", "NG", "", "'s delegation");
  ExpectSoleMention("Nigeria", "NG", "“", "”");
  ExpectSoleMention("Nigeria", "NG", "", ".");
  ExpectSoleMention("Nigeria", "NG", "\t", ",");
  ExpectSoleMention("Iran", "IR", "l'", "");
  ExpectSoleMention("Chad", "TD", "🙂", "🙂");
}

TEST_CASE("Latin diacritics fold to their base letters", "[screening]") {
  ExpectSoleMention("Turkiye", "TR");
  ExpectSoleMention("Cote d'Ivoire", "CI");
  ExpectSoleMention("São Tomé and Príncipe", "ST");
  ExpectSoleMention("Sao Tome and Principe", "ST");
  ExpectSoleMention("Curaçao", "CW");
  ExpectSoleMention("Curacao", "CW");
  ExpectSoleMention("Åland Islands", "AX");
  ExpectSoleMention("Aland Islands", "AX");
  ExpectSoleMention("Việt Nam", "VN");
  ExpectSoleMention("Saint Barthélemy", "BL");
  // Decomposed: "o" followed by U+0302 COMBINING CIRCUMFLEX; the mark belongs to the name.
  ExpectSoleMention("Co\u0302te d'Ivoire", "CI");
  ExpectSoleMention("Turkiye\u0308", "TR", "We heard ", " today.");
}

TEST_CASE("Réunion needs its accent, because reunion is a word", "[screening]") {
  ExpectSoleMention("Réunion", "RE");
  ExpectSoleMention("RÉUNION", "RE");
  ExpectNoMention("The Working Group held a reunion. REUNION.");
}

TEST_CASE("Phrases that name no country hide the name inside them", "[screening]") {
  ExpectNoMention("Delegates from New Jersey and New Mexico flew over New South Wales.");
  ExpectNoMention("Guinea pigs, a guinea pig and a guinea fowl on fine china.");
  ExpectSoleMention("Wales", "GB", "We heard ", ", not New South Wales.");
}

TEST_CASE("Whole words only, and the longest name wins", "[screening]") {
  SECTION("Niger and Nigeria") {
    ExpectSoleMention("Nigeria", "NG");
    ExpectSoleMention("Niger", "NE");
    ExpectNoMention("Nigerian and Nigerien experts");
    ExpectNoMention("SierraLeone and SouthSudan");
  }
  SECTION("Guinea and the names that contain it") {
    ExpectSoleMention("Guinea", "GN");
    ExpectSoleMention("Guinea-Bissau", "GW");
    ExpectSoleMention("Equatorial Guinea", "GQ");
    ExpectSoleMention("Papua New Guinea", "PG");
  }
  SECTION("Dominica and the Dominican Republic") {
    ExpectSoleMention("Dominica", "DM");
    ExpectSoleMention("Dominican Republic", "DO", "We heard the ");
  }
  SECTION("Sudan and South Sudan") {
    ExpectSoleMention("Sudan", "SD", "We heard the ");
    ExpectSoleMention("South Sudan", "SS");
    ExpectSoleMention("Republic of South Sudan", "SS");
  }
  SECTION("Korea") {
    ExpectSoleMention("Democratic People's Republic of Korea", "KP", "We heard the ");
    ExpectSoleMention("Republic of Korea", "KR", "We heard the ");
  }
  SECTION("Other names inside longer ones") {
    ExpectSoleMention("Ireland", "IE");
    ExpectSoleMention("American Samoa", "AS");
    ExpectSoleMention("Samoa", "WS");
    ExpectSoleMention("Romania", "RO");  // not Oman
    ExpectSoleMention("Somalia", "SO");  // not Mali
    ExpectSoleMention("Republic of the Congo", "CG", "We heard the ");
  }
  SECTION("Letters of other scripts are part of the word") {
    ExpectNoMention("Chadλ and λChad and ЧChad");
  }
  SECTION("Digits are part of the word") { ExpectNoMention("Chad2 and 2Chad"); }
}

TEST_CASE("Offsets are byte offsets into the original UTF-8", "[screening]") {
  // "日本 " is 7 bytes; "é" is 2.
  std::vector<CountryMention> mentions = ScreenForCountries("日本 Chad, café Türkiye");
  REQUIRE(mentions.size() == 2);
  CHECK(mentions[0] == CountryMention{"Chad", "TD", 7});
  CHECK(mentions[1] == CountryMention{"Türkiye", "TR", 19});

  // Collapsed white space, removed soft hyphens and combining marks do not shift offsets.
  const std::string text = "A  \u00A0 line\u00ADbreak and Viet\r\n\tNam, then Côte d\u2019Ivoire.";
  mentions = ScreenForCountries(text);
  REQUIRE(mentions.size() == 2);
  CHECK(mentions[0].name == "Viet\r\n\tNam");
  CHECK(mentions[0].offset == text.find("Viet"));
  CHECK(mentions[1].name == "Côte d\u2019Ivoire");
  CHECK(mentions[1].offset == text.find("Côte"));

  // A soft hyphen inside a name stays inside it.
  mentions = ScreenForCountries("Ni\u00ADgeria");
  REQUIRE(mentions.size() == 1);
  CHECK(mentions[0] == CountryMention{"Ni\u00ADgeria", "NG", 0});
}

TEST_CASE("Several mentions come back in order of offset", "[screening]") {
  const std::string text =
      "The representatives of Viet Nam, Türkiye and the Republic of Korea spoke; Viet Nam "
      "spoke again, then Guinea-Bissau, Guinea and Papua New Guinea.";
  const std::vector<CountryMention> mentions = ScreenForCountries(text);
  ExpectConsistent(text, mentions);
  std::vector<std::string> countries;
  for (const CountryMention& m : mentions) countries.push_back(m.country);
  CHECK(countries == std::vector<std::string>{"VN", "TR", "KR", "VN", "GW", "GN", "PG"});
  CHECK(mentions[3].offset == text.rfind("Viet Nam"));
}

TEST_CASE("Invalid UTF-8 does not crash and is treated as punctuation", "[screening]") {
  for (std::string_view bad : {"\xff", "\xc3", "\xe2\x80", "\xf0\x9f\x99", "\xc0\xaf",
                               "\xed\xa0\x80", "\xf4\x90\x80\x80", "\x80\x80"}) {
    const std::string text = std::string(bad) + "Chad" + std::string(bad);
    INFO("bytes around: " << text.size());
    const std::vector<CountryMention> mentions = ScreenForCountries(text);
    REQUIRE(mentions.size() == 1);
    CHECK(mentions[0] == CountryMention{"Chad", "TD", bad.size()});
  }
  CHECK(ScreenForCountries(std::string_view("Chad\0Niger", 10)).size() == 2);

  // Pseudo-random bytes (fixed seed, many country letters): nothing crashes, and whatever is
  // reported is the text's own bytes at the reported offset.
  uint32_t state = 12345;
  const std::string_view alphabet = "NigeraChdGuinBsu -'\xc3\xa9\xe2\x80\x99\xff\x80";
  for (int round = 0; round < 200; ++round) {
    std::string text;
    for (int k = 0; k < 200; ++k) {
      state = state * 1664525u + 1013904223u;
      text.push_back(alphabet[(state >> 16) % alphabet.size()]);
    }
    text += " Nigeria";
    const std::vector<CountryMention> mentions = ScreenForCountries(text);
    ExpectConsistent(text, mentions);
    REQUIRE_FALSE(mentions.empty());
    CHECK(mentions.back().country == "NG");
  }
}

TEST_CASE("A long text is screened whole", "[screening]") {
  const std::string paragraph =
      "The Secretariat thanked all delegations for their written comments on prevention and on "
      "the protection of victims of trafficking, including those received from Côte d’Ivoire and "
      "from Viet Nam, and noted the summary would be issued as a conference room paper.\n";
  std::string text;
  size_t paragraphs = 0;
  while (text.size() < 200 * 1024) {
    text += paragraph;
    ++paragraphs;
  }
  const std::vector<CountryMention> mentions = ScreenForCountries(text);
  REQUIRE(mentions.size() == 2 * paragraphs);
  ExpectConsistent(text, mentions);
  CHECK(mentions.back().country == "VN");
  CHECK(mentions.back().offset == text.rfind("Viet Nam"));
}

TEST_CASE("Screening from several threads at once agrees", "[screening]") {
  const std::string text = "Nigeria, Niger, Türkiye, the Netherlands and Holland.";
  std::vector<std::vector<CountryMention>> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results) {
    threads.emplace_back([&result, &text] {
      for (int k = 0; k < 50; ++k) result = ScreenForCountries(text);
    });
  }
  for (std::thread& t : threads) t.join();
  REQUIRE(results[0].size() == 5);
  for (const auto& result : results) CHECK(result == results[0]);
}

TEST_CASE("Every ISO 3166-1 name, official name and common name is found as itself",
          "[screening]") {
  const auto iso = detail::IsoCountryNames();
  REQUIRE(iso.size() >= 249);
  for (const detail::IsoCountryName& entry : iso) {
    for (std::string_view name : {entry.name, entry.official_name, entry.common_name}) {
      if (name.empty()) continue;
      INFO(entry.alpha_2 << ": " << name);
      const std::vector<CountryMention> mentions = ScreenForCountries(name);
      REQUIRE(mentions.size() == 1);
      CHECK(mentions[0].country == entry.alpha_2);
      // A leading "the" ("the State of Eritrea") is not part of the name.
      CHECK(name.ends_with(mentions[0].name));
    }
  }
}

TEST_CASE("Every alias is found as itself", "[screening]") {
  for (const detail::CountryAlias& alias : detail::CountryAliases()) {
    INFO(alias.name);
    const std::vector<CountryMention> mentions = ScreenForCountries(alias.name);
    if (alias.kind == detail::AliasKind::kNotACountry) {
      CHECK(mentions.empty());
      continue;
    }
    REQUIRE(mentions.size() == 1);
    CHECK(mentions[0] == CountryMention{std::string(alias.name), std::string(alias.country), 0});
  }
}

}  // namespace
}  // namespace dialogue::workflows
