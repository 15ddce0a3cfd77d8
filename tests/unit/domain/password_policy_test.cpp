#include <gtest/gtest.h>

#include "domain/password_policy.h"

using namespace khien::domain;

TEST(PasswordPolicy, AcceptsALongPassphrase) {
  EXPECT_EQ(check_password({}, "Correct-Horse-Battery-9", "lan"), std::nullopt);
  EXPECT_EQ(check_password({}, "mật khẩu dài đủ rồi", "lan"), std::nullopt);
}

TEST(PasswordPolicy, CountsCharactersNotBytes) {
  // 11 Vietnamese letters are 22+ bytes but still too short.
  EXPECT_EQ(check_password({}, "ệệệệệaaaaab", "x"), "too_short");
}

TEST(PasswordPolicy, RefusesEachWeakness) {
  EXPECT_EQ(check_password({}, "short", "u"), "too_short");
  EXPECT_EQ(check_password({}, std::string(257, 'a') + "bcdef", "u"), "too_long");
  EXPECT_EQ(check_password({}, "xx-Nguyen.Lan-2026", "nguyen.lan"), "contains_username");
  EXPECT_EQ(check_password({}, "abababababab", "u"), "too_simple");
  EXPECT_EQ(check_password({}, "Password1234", "lan"), "common");
  EXPECT_EQ(check_password({}, "matkhau12345", "lan"), "common");
}

TEST(PasswordPolicy, MinimumLengthIsConfigurable) {
  EXPECT_EQ(check_password({.min_length = 20, .max_length = 256}, "Correct-Horse-9", "u"), "too_short");
}
