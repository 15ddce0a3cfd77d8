#pragma once
// A text the user reads, in both languages of Khiên: Vietnamese first, English second.
#include <string>
#include <string_view>

namespace khien::domain {

struct LocalizedText {
  std::string vi;
  std::string en;
  // The text in `locale` ("vi" or "en"); Vietnamese for anything else.
  const std::string& in(std::string_view locale) const { return locale == "en" ? en : vi; }
};

}  // namespace khien::domain
