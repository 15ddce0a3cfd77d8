#pragma once
// Server-side message catalogues (data/i18n/server.vi.json, server.en.json), compiled in.
#include <string>
#include <string_view>

namespace khien::i18n {

enum class Locale { kVi, kEn };

// "vi" and "en" (and their regional forms) map to a locale; anything else is Vietnamese.
Locale parse_locale(std::string_view tag);
// Picks the best supported language from an Accept-Language header; Vietnamese by default.
Locale from_accept_language(std::string_view header);
std::string_view locale_tag(Locale locale);

// The text of `key` in `locale`; falls back to Vietnamese, then to the key itself.
std::string translate(Locale locale, std::string_view key);

}  // namespace khien::i18n
