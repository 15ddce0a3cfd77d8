#pragma once
// The message catalogues (data/i18n/server.vi.json, server.en.json, compiled in): the server's
// and the command line's ("cli." keys).
#include <cstdint>
#include <string>
#include <string_view>

namespace khien::i18n {

enum class Locale { kVi, kEn };

// "vi" and "en" (and their regional forms) map to a locale; anything else is Vietnamese.
Locale parse_locale(std::string_view tag);
// Picks the best supported language from an Accept-Language header; Vietnamese by default.
Locale from_accept_language(std::string_view header);
std::string_view locale_tag(Locale locale);
// The language the environment asks for, as POSIX orders it (LC_ALL, else LC_MESSAGES, else
// LANG): Vietnamese for vi*, English otherwise, also when none is set or it is C or POSIX.
// What the command line speaks; the web UI follows the browser's language instead.
Locale from_environment();

// A count with its thousands grouped as the language writes them: 82.550 (vi), 82,550 (en).
std::string count(Locale locale, std::uint64_t n);
// A number with `decimals` digits after the language's decimal mark: 1,5 (vi), 1.5 (en).
std::string decimal(Locale locale, double v, int decimals);

// The text of `key` in `locale`; falls back to Vietnamese, then to the key itself.
std::string translate(Locale locale, std::string_view key);

// What is wrong with a field, for people: the text of "field.<code>" with its {} filled by
// `detail`, or for a password refused by the policy, the text of "password.<detail>".
std::string field_message(Locale locale, std::string_view code, std::string_view detail);

}  // namespace khien::i18n
