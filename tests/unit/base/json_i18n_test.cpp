#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

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

TEST(I18n, TheCommandLineFollowsLcAllThenLcMessagesThenLang) {
  struct Saved {
    std::string name;
    std::optional<std::string> value;
  };
  std::vector<Saved> saved;
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* v = std::getenv(name);
    saved.push_back({name, v ? std::optional<std::string>(v) : std::nullopt});
    ::unsetenv(name);
  }
  EXPECT_EQ(i18n::from_environment(), i18n::Locale::kEn);  // nothing set: the C locale
  ::setenv("LANG", "vi_VN.UTF-8", 1);
  EXPECT_EQ(i18n::from_environment(), i18n::Locale::kVi);
  ::setenv("LC_MESSAGES", "en_US.UTF-8", 1);
  EXPECT_EQ(i18n::from_environment(), i18n::Locale::kEn);
  ::setenv("LC_ALL", "vi", 1);
  EXPECT_EQ(i18n::from_environment(), i18n::Locale::kVi);
  ::setenv("LC_ALL", "", 1);  // empty: as if unset
  EXPECT_EQ(i18n::from_environment(), i18n::Locale::kEn);
  ::setenv("LC_ALL", "C", 1);
  EXPECT_EQ(i18n::from_environment(), i18n::Locale::kEn);
  for (const auto& s : saved) {
    if (s.value) ::setenv(s.name.c_str(), s.value->c_str(), 1);
    else ::unsetenv(s.name.c_str());
  }
}

TEST(I18n, NumbersAreWrittenAsEachLanguageWritesThem) {
  EXPECT_EQ(i18n::count(i18n::Locale::kVi, 0), "0");
  EXPECT_EQ(i18n::count(i18n::Locale::kVi, 999), "999");
  EXPECT_EQ(i18n::count(i18n::Locale::kVi, 82550), "82.550");
  EXPECT_EQ(i18n::count(i18n::Locale::kEn, 1234567), "1,234,567");
  EXPECT_EQ(i18n::decimal(i18n::Locale::kVi, 1.26, 1), "1,3");
  EXPECT_EQ(i18n::decimal(i18n::Locale::kEn, 370.26, 1), "370.3");
  EXPECT_EQ(i18n::decimal(i18n::Locale::kVi, 0.5, 2), "0,50");
}

// Every message of the command line is in both catalogues, with the same number of values to fill
// (a mismatch would throw when the message is written).
TEST(I18n, EveryCommandLineMessageIsInBothLanguagesWithTheSameValues) {
  auto load = [](const char* file) {
    std::ifstream in(std::string(KHIEN_TEST_DATA) + "/../../data/i18n/" + file);
    std::stringstream ss;
    ss << in.rdbuf();
    return boost::json::parse(ss.str()).as_object();
  };
  const auto vi = load("server.vi.json"), en = load("server.en.json");
  auto holes = [](std::string_view s) {
    std::size_t n = 0;
    for (std::size_t at = s.find("{}"); at != std::string_view::npos; at = s.find("{}", at + 2)) ++n;
    return n;
  };
  std::size_t cli = 0;
  for (const auto& [key, value] : en) {
    ASSERT_TRUE(vi.contains(key)) << key;
    EXPECT_EQ(holes(vi.at(key).as_string()), holes(value.as_string())) << key;
    const std::string_view v = vi.at(key).as_string(), e = value.as_string();
    EXPECT_EQ(std::count(v.begin(), v.end(), '|'), std::count(e.begin(), e.end(), '|')) << key;  // columns
    if (key.starts_with("cli.")) ++cli;
  }
  for (const auto& [key, value] : vi) EXPECT_TRUE(en.contains(key)) << key;
  EXPECT_GE(cli, 30u);
}
