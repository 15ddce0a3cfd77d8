#include <gtest/gtest.h>

#include "service/statistics.h"
#include "support/builtin_catalog.h"

using namespace khien;
using namespace khien::service;

namespace {
Timestamp at(const char* s) { return *parse_rfc3339(s); }

IncidentFacts incident(const char* detected, std::optional<const char*> occurred, std::optional<const char*> contained,
                       std::optional<const char*> recovered) {
  IncidentFacts f;
  f.organization = OrgId(4);
  f.detected_at = at(detected);
  if (occurred) f.occurred_at = at(*occurred);
  if (contained) f.contained_at = at(*contained);
  if (recovered) f.response_ended_at = at(*recovered);
  f.scenario = "malware";
  f.phase = recovered ? domain::Phase::kClosed : domain::Phase::kContainment;
  return f;
}
}  // namespace

TEST(Statistics, MeanAndMedianOfTheResponseTimes) {
  const auto& catalog = khien::test_support::builtin();
  std::vector<IncidentFacts> facts = {
      incident("2026-11-01T10:00:00Z", "2026-11-01T09:00:00Z", "2026-11-01T10:30:00Z", "2026-11-02T10:00:00Z"),
      incident("2026-11-02T10:00:00Z", "2026-11-02T09:50:00Z", "2026-11-02T12:00:00Z", std::nullopt),
      incident("2026-11-03T10:00:00Z", std::nullopt, "2026-11-03T10:10:00Z", "2026-11-03T22:00:00Z"),
      incident("2026-11-04T10:00:00Z", "2026-11-04T08:00:00Z", std::nullopt, std::nullopt),
  };
  facts[1].loop_count = 2;
  facts[3].serious = true;
  facts[3].scenario.reset();
  const auto s = summarize(facts, *catalog.profile("2017"));
  EXPECT_EQ(s.total, 4);
  EXPECT_EQ(s.serious, 1);
  EXPECT_EQ(s.open, 2);
  EXPECT_EQ(s.loop_backs, 2);
  EXPECT_EQ(s.by_scenario.at("malware"), 3);
  EXPECT_EQ(s.by_scenario.at(""), 1);
  // detect: 60, 10, 120 minutes → mean 63.33, median 60
  EXPECT_EQ(s.time_to_detect.count, 3);
  EXPECT_NEAR(*s.time_to_detect.mean, 190.0 / 3, 1e-9);
  EXPECT_DOUBLE_EQ(*s.time_to_detect.median, 60);
  // contain: 30, 120, 10 → median 30
  EXPECT_DOUBLE_EQ(*s.time_to_contain.median, 30);
  // recover: 1440, 720 → median of an even count is the middle pair's mean
  EXPECT_DOUBLE_EQ(*s.time_to_recover.median, 1080);
  EXPECT_DOUBLE_EQ(*s.time_to_recover.mean, 1080);
}

TEST(Statistics, MonthsAreCountedInTheProfileTimeZone) {
  const auto& catalog = khien::test_support::builtin();
  // 30/11 20:00 UTC is already 1 December in Hà Nội.
  const auto s = summarize({incident("2026-11-30T20:00:00Z", std::nullopt, std::nullopt, std::nullopt),
                            incident("2026-11-30T10:00:00Z", std::nullopt, std::nullopt, std::nullopt)},
                           *catalog.profile("2017"));
  EXPECT_EQ(s.by_month.at("2026-12"), 1);
  EXPECT_EQ(s.by_month.at("2026-11"), 1);
  EXPECT_EQ(s.time_to_detect.count, 0);
  EXPECT_FALSE(s.time_to_detect.median);
}
