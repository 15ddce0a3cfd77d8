#include "domain/password_policy.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

namespace khien::domain {

namespace {
// The most common passwords long enough to pass the length rule, and patterns Vietnamese
// users are known to pick. Compared case-insensitively.
constexpr std::array<std::string_view, 32> kCommon = {
    "password1234", "password12345", "123456789012", "1234567890123", "qwertyuiop12", "qwerty123456",
    "iloveyou1234", "admin1234567", "administrator", "welcome12345", "letmein12345", "abc123456789",
    "passw0rd1234", "p@ssw0rd1234", "p@ssword1234", "matkhau12345", "matkhau123456", "anhyeuem1234",
    "123456789abc", "1q2w3e4r5t6y", "qazwsxedcrfv", "zaq12wsxcde3", "changeme1234", "trustno11234",
    "football1234", "baseball1234", "superman1234", "khienkhien12", "vietnam12345", "hanoi1234567",
    "saigon123456", "aaaaaa123456"};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}
}  // namespace

std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::optional<std::string> check_password(const PasswordPolicy& policy, std::string_view password,
                                          std::string_view username) {
  const auto length = utf8_length(password);
  if (length < policy.min_length) return "too_short";
  if (length > policy.max_length) return "too_long";
  const auto lowered = lower(password);
  if (!username.empty() && lowered.find(lower(username)) != std::string::npos) return "contains_username";
  if (std::set<char>(password.begin(), password.end()).size() < 5) return "too_simple";
  if (std::find(kCommon.begin(), kCommon.end(), lowered) != kCommon.end()) return "common";
  return std::nullopt;
}

}  // namespace khien::domain
