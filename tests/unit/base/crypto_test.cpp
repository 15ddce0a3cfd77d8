#include <gtest/gtest.h>

#include "base/crypto.h"

using namespace khien;

class Crypto : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { crypto::init(); }
};

TEST_F(Crypto, Sha256MatchesKnownDigest) {
  EXPECT_EQ(crypto::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(Crypto, Base32RoundTripsAndMatchesRfc4648) {
  const std::string text = "foobar";
  const std::vector<std::uint8_t> bytes(text.begin(), text.end());
  EXPECT_EQ(crypto::base32_encode(bytes), "MZXW6YTBOI");
  EXPECT_EQ(crypto::base32_decode("MZXW6YTBOI"), bytes);
  EXPECT_EQ(crypto::base32_decode("mzxw6ytboi"), bytes);
  EXPECT_FALSE(crypto::base32_decode("MZ1W"));
}

TEST_F(Crypto, PasswordHashIsArgon2idAndVerifies) {
  const auto h = crypto::hash_password("Correct-Horse-9");
  EXPECT_EQ(h.rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(crypto::verify_password(h, "Correct-Horse-9"));
  EXPECT_FALSE(crypto::verify_password(h, "correct-horse-9"));
  EXPECT_FALSE(crypto::verify_password("not a hash", "x"));
}

TEST_F(Crypto, RandomTokenHas256BitsAsUrlSafeText) {
  const auto a = crypto::random_token(32);
  EXPECT_EQ(a.size(), 43u);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
  EXPECT_NE(a, crypto::random_token(32));
}
