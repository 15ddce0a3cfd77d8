#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "base/i18n.h"
#include "base/json.h"

using namespace khien;

TEST(CanonicalJson, SortsKeysAtEveryDepthWithoutSpaces) {
  const auto v = boost::json::parse(R"({"b": 1, "a": {"z": [3, {"y": 1, "x": 2}], "c": "ệ"}})");
  EXPECT_EQ(json::canonical(v), R"({"a":{"c":"ệ","z":[3,{"x":2,"y":1}]},"b":1})");
}

TEST(I18n, PicksLanguageFromAcceptLanguageWithVietnameseDefault) {
  EXPECT_EQ(i18n::from_accept_language(""), i18n::Locale::kVi);
  EXPECT_EQ(i18n::from_accept_language("en-US,en;q=0.9"), i18n::Locale::kEn);
  EXPECT_EQ(i18n::from_accept_language("fr, vi;q=0.8, en;q=0.5"), i18n::Locale::kVi);
  EXPECT_EQ(i18n::from_accept_language("de"), i18n::Locale::kVi);
}

TEST(I18n, TranslatesErrorTitlesInBothLanguages) {
  EXPECT_EQ(i18n::translate(i18n::Locale::kVi, "error.not_found"), "Không tìm thấy");
  EXPECT_EQ(i18n::translate(i18n::Locale::kEn, "error.not_found"), "Not found");
  EXPECT_EQ(i18n::translate(i18n::Locale::kEn, "no.such.key"), "no.such.key");
}
