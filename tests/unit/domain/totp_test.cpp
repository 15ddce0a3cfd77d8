#include <gtest/gtest.h>

#include "base/crypto.h"
#include "domain/totp.h"

using namespace khien;
using namespace khien::domain;

namespace {
const std::string kRfcSecret = "12345678901234567890";  // RFC 6238 appendix B, SHA-1
std::span<const std::uint8_t> secret() {
  return {reinterpret_cast<const std::uint8_t*>(kRfcSecret.data()), kRfcSecret.size()};
}
}  // namespace

TEST(Totp, MatchesRfc6238TestVectors) {
  // RFC 6238 gives 8 digits; the last 6 are the 6-digit code of the same step.
  struct Case {
    std::int64_t unix_seconds;
    const char* code8;
  };
  for (auto c : {Case{59, "94287082"}, Case{1111111109, "07081804"}, Case{1111111111, "14050471"},
                 Case{1234567890, "89005924"}, Case{2000000000, "69279037"}, Case{20000000000, "65353130"}}) {
    const auto step = totp_step(from_unix_ms(c.unix_seconds * 1000));
    EXPECT_EQ(hotp(secret(), step, 8), c.code8) << c.unix_seconds;
    EXPECT_EQ(hotp(secret(), step, 6), std::string(c.code8).substr(2)) << c.unix_seconds;
  }
}

TEST(Totp, AcceptsOneStepOfDriftAndRefusesReplay) {
  const auto now = from_unix_ms(1234567890000);
  const auto step = totp_step(now);
  const auto previous = hotp(secret(), step - 1);
  EXPECT_EQ(verify_totp(secret(), previous, now, std::nullopt), step - 1);
  EXPECT_EQ(verify_totp(secret(), previous, now, step - 1), std::nullopt);
  EXPECT_EQ(verify_totp(secret(), hotp(secret(), step - 2), now, std::nullopt), std::nullopt);
  EXPECT_EQ(verify_totp(secret(), "12345", now, std::nullopt), std::nullopt);
}

TEST(Totp, UriFollowsTheKeyUriFormat) {
  EXPECT_EQ(totp_uri("Khiên", "lan", "ABC"),
            "otpauth://totp/Khi%C3%AAn:lan?secret=ABC&issuer=Khi%C3%AAn&algorithm=SHA1&digits=6&period=30");
}
