#include "domain/totp.h"

#include <fmt/format.h>

#include <array>
#include <cctype>

#include "base/crypto.h"

namespace khien::domain {

std::int64_t totp_step(Timestamp t) {
  return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count() / kTotpPeriodSeconds;
}

std::string hotp(std::span<const std::uint8_t> secret, std::int64_t counter, int digits) {
  std::array<std::uint8_t, 8> msg{};
  for (int i = 7; i >= 0; --i) {
    msg[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(counter & 0xff);
    counter >>= 8;
  }
  const auto mac = crypto::hmac_sha1(secret, msg);
  const std::size_t offset = mac[19] & 0x0f;
  const std::uint32_t bin = ((mac[offset] & 0x7fu) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) |
                            mac[offset + 3];
  std::uint32_t mod = 1;
  for (int i = 0; i < digits; ++i) mod *= 10;
  return fmt::format("{:0{}}", bin % mod, digits);
}

std::optional<std::int64_t> verify_totp(std::span<const std::uint8_t> secret, std::string_view code, Timestamp now,
                                        std::optional<std::int64_t> last_used_step) {
  if (code.size() != static_cast<std::size_t>(kTotpDigits)) return std::nullopt;
  const auto step = totp_step(now);
  for (std::int64_t s : {step - 1, step, step + 1}) {
    if (last_used_step && s <= *last_used_step) continue;
    if (crypto::constant_time_equal(hotp(secret, s), code)) return s;
  }
  return std::nullopt;
}

namespace {
std::string percent_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}
}  // namespace

std::string totp_uri(std::string_view issuer, std::string_view account, std::string_view base32_secret) {
  return fmt::format("otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={}&period={}",
                     percent_encode(issuer), percent_encode(account), base32_secret, percent_encode(issuer),
                     kTotpDigits, kTotpPeriodSeconds);
}

}  // namespace khien::domain
