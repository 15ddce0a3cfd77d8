#pragma once
// The password policy (NIST SP 800-63B style: length and a list of known-bad passwords rather
// than composition rules).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace khien::domain {

struct PasswordPolicy {
  std::size_t min_length = 12;  // in characters (UTF-8 code points)
  std::size_t max_length = 256;
};

// nullopt when acceptable; otherwise the reason, one of: too_short, too_long, contains_username,
// too_simple (fewer than 5 distinct characters), common (on the list of known-bad passwords).
std::optional<std::string> check_password(const PasswordPolicy& policy, std::string_view password,
                                          std::string_view username);

std::size_t utf8_length(std::string_view s);

}  // namespace khien::domain
