#pragma once
// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP, HMAC-SHA1, 30 s, 6 digits).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/time.h"

namespace khien::domain {

inline constexpr int kTotpPeriodSeconds = 30;
inline constexpr int kTotpDigits = 6;

std::int64_t totp_step(Timestamp t);
std::string hotp(std::span<const std::uint8_t> secret, std::int64_t counter, int digits = kTotpDigits);

// Checks `code` against the steps around `now` (one step either side for clock drift). Returns
// the step that matched, or nullopt. A step at or before `last_used_step` is refused, so a code
// cannot be replayed.
std::optional<std::int64_t> verify_totp(std::span<const std::uint8_t> secret, std::string_view code, Timestamp now,
                                        std::optional<std::int64_t> last_used_step);

// otpauth://totp/Khiên:<account>?secret=...&issuer=Khiên (Key URI format of authenticator apps)
std::string totp_uri(std::string_view issuer, std::string_view account, std::string_view base32_secret);

}  // namespace khien::domain
