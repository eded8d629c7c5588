// The hand-kept part of the country names: what ISO 3166-1 (iso-codes) does not spell.
//
// Write names as people write them; the matcher folds case, Latin diacritics, apostrophes and
// hyphens itself, and derives "St"/"St." from "Saint" and "&" from "and". So do not add
// "cote d'ivoire" when "Côte d'Ivoire" is there. Before adding a short or common word, read
// "Known limits" in docs/screening.md: every alias is also a way to flag innocent text.
#include "workflows/country_aliases.hpp"

namespace dialogue::workflows::detail {
namespace {

using enum AliasKind;

constexpr CountryAlias kCountryAliases[] = {
    // Names whose ISO spelling must not be folded to a common word.
    {"Réunion", "RE", kDiacriticRequired},  // "reunion" is an English word
    {"La Réunion", "RE", kDiacriticRequired},

    // Short and common forms.
    {"Vietnam", "VN"},
    {"Turkey", "TR"},
    {"Republic of Turkey", "TR"},
    {"Ivory Coast", "CI"},
    {"Republic of Korea", "KR"},
    {"Korea", "KR"},  // alone, usually the Republic of Korea; the longer forms win over it
    {"DPRK", "KP"},
    {"Russia", "RU"},
    {"Czech Republic", "CZ"},
    {"UK", "GB"},
    {"U.K.", "GB"},
    {"Great Britain", "GB"},
    {"Britain", "GB"},
    {"England", "GB"},
    {"Scotland", "GB"},
    {"Wales", "GB"},
    {"Northern Ireland", "GB"},  // not Ireland (IE): the longer name wins
    {"USA", "US"},
    {"U.S.A.", "US"},
    {"U.S.", "US"},
    {"US", "US", kExactCase},  // "us" is a pronoun
    {"Holland", "NL"},         // colloquial for the Netherlands; also a surname (docs)
    {"Cape Verde", "CV"},
    {"Swaziland", "SZ"},
    {"Macedonia", "MK"},
    {"former Yugoslav Republic of Macedonia", "MK"},
    {"Burma", "MM"},
    {"Palestine", "PS"},
    {"Occupied Palestinian Territory", "PS"},
    {"Occupied Palestinian Territories", "PS"},
    {"East Timor", "TL"},
    {"Brunei", "BN"},
    {"Lao PDR", "LA"},
    {"Micronesia", "FM"},
    {"Vatican", "VA"},
    {"Vatican City", "VA"},
    {"Vatican City State", "VA"},
    {"Holy See", "VA"},
    {"Democratic Republic of the Congo", "CD"},  // ISO has only "Congo, The Democratic ..."
    {"DR Congo", "CD"},
    {"DRC", "CD"},
    {"Congo-Kinshasa", "CD"},
    {"Congo-Brazzaville", "CG"},
    {"UAE", "AE"},
    {"PRC", "CN"},
    {"Bosnia", "BA"},
    {"Trinidad", "TT"},
    {"Antigua", "AG"},
    {"Saint Kitts", "KN"},
    {"Saint Martin", "MF"},
    {"Sint Maarten", "SX"},
    {"Saint Helena", "SH"},
    {"Svalbard", "SJ"},
    {"Bonaire", "BQ"},
    {"Falkland Islands", "FK"},
    {"Falklands", "FK"},
    {"Malvinas", "FK"},
    {"Cocos Islands", "CC"},
    {"South Georgia", "GS"},  // not Georgia (GE)
    {"United States Virgin Islands", "VI"},
    {"U.S. Virgin Islands", "VI"},
    {"Macau", "MO"},
    {"New Guinea", "PG"},   // the island; not Guinea (GN)
    {"Niger Delta", "NG"},  // in Nigeria, not Niger (NE)
    {"Kosovo", "XK"},       // not in ISO 3166-1; XK is the user-assigned code in common use

    // United Nations styles (the names on UN documents and nameplates).
    {"Bolivia (Plurinational State of)", "BO"},
    {"Iran (Islamic Republic of)", "IR"},
    {"Venezuela (Bolivarian Republic of)", "VE"},
    {"Micronesia (Federated States of)", "FM"},
    {"Netherlands (Kingdom of the)", "NL"},
    {"Republic of Moldova", "MD"},
    {"United Republic of Tanzania", "TZ"},

    // Phrases that contain a country name but do not name a country. Each hides the shorter
    // name inside it; none is reported.
    {"New Jersey", "", kNotACountry},
    {"New Mexico", "", kNotACountry},
    {"New South Wales", "", kNotACountry},
    {"Guinea pig", "", kNotACountry},
    {"Guinea pigs", "", kNotACountry},
    {"Guinea fowl", "", kNotACountry},
    {"bone china", "", kNotACountry},
    {"fine china", "", kNotACountry},
};

}  // namespace

std::span<const CountryAlias> CountryAliases() { return kCountryAliases; }

}  // namespace dialogue::workflows::detail
