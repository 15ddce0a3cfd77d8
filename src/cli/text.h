#pragma once
// What the command line says, in the language the environment asks for (i18n::from_environment;
// the catalogues' "cli." keys), with numbers written as that language writes them.
#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/i18n.h"

namespace khien::cli {

// Read from the environment once.
inline i18n::Locale language() {
  static const i18n::Locale locale = i18n::from_environment();
  return locale;
}

// The text of `key` with its {} filled by `args` in order (numbers given as count()/decimal()).
template <class... Args>
std::string say(std::string_view key, Args&&... args) {
  return fmt::format(fmt::runtime(i18n::translate(language(), key)), std::forward<Args>(args)...);
}

// A header's column names, kept in the catalogue as one text "A|B|C".
inline std::vector<std::string> columns(std::string_view key) {
  std::vector<std::string> out(1);
  for (const char c : i18n::translate(language(), key)) {
    if (c == '|') out.emplace_back();
    else out.back().push_back(c);
  }
  return out;
}

inline std::string count(std::uint64_t n) { return i18n::count(language(), n); }
inline std::string decimal(double v, int decimals) { return i18n::decimal(language(), v, decimals); }

}  // namespace khien::cli
