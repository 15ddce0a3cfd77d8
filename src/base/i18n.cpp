#include "base/i18n.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <unordered_map>

namespace khien::embedded {
std::string_view server_vi();
std::string_view server_en();
}  // namespace khien::embedded

namespace khien::i18n {

namespace {
using Catalogue = std::unordered_map<std::string, std::string>;

Catalogue load(std::string_view text) {
  Catalogue c;
  const auto v = boost::json::parse(text);
  for (const auto& kv : v.as_object()) c.emplace(std::string(kv.key()), std::string(kv.value().as_string()));
  return c;
}

const Catalogue& catalogue(Locale l) {
  static const Catalogue vi = load(embedded::server_vi());
  static const Catalogue en = load(embedded::server_en());
  return l == Locale::kEn ? en : vi;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

Locale parse_locale(std::string_view tag) {
  const auto t = lower(tag);
  return t.rfind("en", 0) == 0 ? Locale::kEn : Locale::kVi;
}

Locale from_accept_language(std::string_view header) {
  // Take the first listed language we support; quality values are rarely other than ordered.
  std::size_t pos = 0;
  while (pos < header.size()) {
    auto end = header.find(',', pos);
    if (end == std::string_view::npos) end = header.size();
    auto item = header.substr(pos, end - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    const auto tag = lower(item.substr(0, item.find(';')));
    if (tag.rfind("vi", 0) == 0) return Locale::kVi;
    if (tag.rfind("en", 0) == 0) return Locale::kEn;
    pos = end + 1;
  }
  return Locale::kVi;
}

std::string_view locale_tag(Locale locale) { return locale == Locale::kEn ? "en" : "vi"; }

Locale from_environment() {
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') continue;
    return lower(value).rfind("vi", 0) == 0 ? Locale::kVi : Locale::kEn;
  }
  return Locale::kEn;
}

std::string count(Locale locale, std::uint64_t n) {
  const auto digits = std::to_string(n);
  const char separator = locale == Locale::kVi ? '.' : ',';
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(separator);
    out.push_back(digits[i]);
  }
  return out;
}

std::string decimal(Locale locale, double v, int decimals) {
  char buffer[64];
  const int n = std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
  std::string out(buffer, n > 0 ? static_cast<std::size_t>(std::min(n, 63)) : 0);
  if (locale == Locale::kVi)
    for (auto& c : out)
      if (c == '.') c = ',';
  return out;
}

std::string translate(Locale locale, std::string_view key) {
  const std::string k(key);
  const auto& c = catalogue(locale);
  if (auto it = c.find(k); it != c.end()) return it->second;
  const auto& vi = catalogue(Locale::kVi);
  if (auto it = vi.find(k); it != vi.end()) return it->second;
  return k;
}

std::string field_message(Locale locale, std::string_view code, std::string_view detail) {
  if (code == "password_policy") return translate(locale, "password." + std::string(detail));
  std::string text = translate(locale, "field." + std::string(code));
  if (const auto at = text.find("{}"); at != std::string::npos) text.replace(at, 2, detail);
  return text;
}

}  // namespace khien::i18n
