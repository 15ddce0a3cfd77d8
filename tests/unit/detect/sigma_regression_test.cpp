// SigmaHQ's regression samples (regression_data/**/info.yml): each sample's rule matches its
// EVTX file as often as the sample says, with every rule of the repository compiled together.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "cli/rules.h"

namespace fs = std::filesystem;

TEST(SigmaRegression, EverySampleMatchesItsRule) {
  const fs::path root = fs::path(KHIEN_SHARED_DATA) / "sigma";
  if (!fs::exists(root / "regression_data"))
    GTEST_SKIP() << "needs SigmaHQ's regression data in " << root << " (../shared/data is absent)";
  auto results = khien::cli::run_regression(root);
  ASSERT_TRUE(results.ok()) << results.error().detail();
  // Two samples whose info.yml undercounts: every one of these events satisfies the rule's
  // only selection (read from the EVTX and checked by hand), so the count below is right and
  // SigmaHQ's `match_count: 1` is not.
  const std::map<std::string, std::uint64_t> kUpstreamUndercount = {
      // procdump64.exe, procdump64a.exe and procdump.exe: all three in `TargetFilename|endswith`.
      {"8fbf3271-1ef6-4e94-8210-03c2317947f6", 3},
      // AutoShareServer and AutoShareWks, both set to DWORD 0: both in `TargetObject|endswith`.
      {"c7dcacd0-cc59-4004-b0a4-1d6cdebe6f3e", 2},
  };
  std::size_t passed = 0;
  for (const auto& r : *results) {
    EXPECT_EQ(r.problem, "") << r.rule_id << " " << r.sample;
    if (const auto it = kUpstreamUndercount.find(r.rule_id); it != kUpstreamUndercount.end()) {
      EXPECT_EQ(r.matched, it->second) << r.title;
      continue;
    }
    EXPECT_TRUE(r.passed()) << r.title << " (" << r.rule_id << "): expected "
                            << (r.expected ? std::to_string(*r.expected) : std::string("a match")) << ", got " << r.matched
                            << " in " << r.sample;
    passed += r.passed() ? 1 : 0;
  }
  EXPECT_GE(results->size(), 100u);
  EXPECT_EQ(passed + kUpstreamUndercount.size(), results->size());
}
