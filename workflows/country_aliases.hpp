// The name tables behind ScreenForCountries (workflows/country_screener.hpp). Internal to
// workflows: other layers use ScreenForCountries, never these tables.
//
// Two sources:
//  - IsoCountryNames(): every entry of ISO 3166-1 as shipped by Debian's iso-codes
//    (/usr/share/iso-codes/json/iso_3166-1.json), turned into C++ at configure time by
//    workflows/country_aliases.cmake. Nothing is read at run time.
//  - CountryAliases(): the names iso-codes lacks (short forms, former names, UN styles,
//    abbreviations), plus the few phrases that must not count as a country. Kept by hand in
//    workflows/country_aliases.cpp; see docs/screening.md before adding to it.
#pragma once

#include <span>
#include <string_view>

namespace dialogue::workflows::detail {

// One ISO 3166-1 entry; absent fields are empty.
struct IsoCountryName {
  std::string_view alpha_2;        // "VN"
  std::string_view name;           // "Viet Nam"; sometimes inverted: "Korea, Republic of"
  std::string_view official_name;  // "Socialist Republic of Viet Nam"
  std::string_view common_name;    // "Vietnam"
};

enum class AliasKind {
  kName,               // a name of `country`, matched like the ISO names
  kExactCase,          // matched only when written exactly so ("US", not "us")
  kDiacriticRequired,  // matched only when written with a non-ASCII letter ("Réunion", not
                       // "reunion")
  kNotACountry,        // a phrase that contains a country name but names none ("New Jersey");
                       // it hides the shorter name inside it and yields no mention
};

struct CountryAlias {
  std::string_view name;
  std::string_view country;  // ISO 3166-1 alpha-2; empty for kNotACountry
  AliasKind kind = AliasKind::kName;
};

// Generated from iso-codes at configure time (the build fails if the file is missing).
std::span<const IsoCountryName> IsoCountryNames();

// Hand-kept. An alias whose normalized form equals an ISO name replaces it (that is how
// "Réunion" gets kDiacriticRequired).
std::span<const CountryAlias> CountryAliases();

// The version of iso-codes the table was generated from, e.g. "4.15.0" (empty if unknown).
std::string_view IsoCodesVersion();

}  // namespace dialogue::workflows::detail
