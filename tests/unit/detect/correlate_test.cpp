// Correlation rules on matches fed by hand: each type, sliding and whole windows, group-by,
// aliases, chains, `generate`, and the references that cannot be resolved.
#include <gtest/gtest.h>

#include "detect/correlate.h"
#include "detect/sigma/parse.h"

using namespace khien::detect;

namespace {

constexpr std::int64_t kMinute = 60'000'000;

// Detection rules r0, r1, r2 (ids) and the correlations of `yaml`.
struct Rig {
  std::vector<sigma::Rule> rules;
  std::vector<RuleProblem> problems;
  std::unique_ptr<Correlator> c;
  std::vector<CorrelationMatch> out;
  std::uint64_t next_event = 0;

  explicit Rig(const std::string& yaml) {
    for (int i = 0; i < 3; ++i) {
      sigma::Rule r;
      r.id = "r" + std::to_string(i);
      r.name = "rule_" + std::to_string(i);
      r.title = "Rule " + std::to_string(i);
      rules.push_back(r);
    }
    auto parsed = sigma::parse_rules(yaml, "c.yml");
    EXPECT_TRUE(parsed) << parsed.error().detail();
    auto correlations = sigma::take_correlations(*parsed);
    c = Correlator::compile(std::move(correlations), rules, problems);
  }

  // A match of rule `rule` at `minute`, its fields given by name (the others empty).
  void feed(std::uint32_t rule, double minute, std::map<std::string, std::string> fields) {
    Correlator::Input in;
    in.rule = rule;
    in.time_us = static_cast<std::int64_t>(minute * static_cast<double>(kMinute));
    in.event = next_event++;
    for (const auto& f : c->fields_of(rule)) in.values.push_back(fields.count(f) ? fields[f] : "");
    c->feed(in, out);
  }
};

std::string groups(const std::vector<CorrelationMatch>& out) {
  std::string s;
  for (const auto& m : out) {
    if (!s.empty()) s += ' ';
    for (const auto& [n, v] : m.group) s += v;
    s += '=' + std::to_string(static_cast<long long>(m.value));
  }
  return s;
}

}  // namespace

TEST(Correlate, EventCountSlidesAndStartsAgainAfterAMatch) {
  Rig s("title: Many\ncorrelation:\n  type: event_count\n  rules: r0\n  group-by: User\n  timespan: 5m\n  condition: {gte: 3}\n");
  ASSERT_TRUE(s.problems.empty());
  EXPECT_EQ(s.c->fields_of(0), std::vector<std::string>{"User"});
  EXPECT_FALSE(s.c->shows(0));  // read by a correlation without generate
  EXPECT_TRUE(s.c->shows(1));
  s.feed(0, 0, {{"User", "an"}});
  s.feed(0, 1, {{"User", "binh"}});
  s.feed(0, 1, {{"User", "an"}});
  s.feed(0, 2, {{"User", "an"}});  // the third for an, within 5 minutes
  ASSERT_EQ(s.out.size(), 1u);
  EXPECT_EQ(groups(s.out), "an=3");
  EXPECT_EQ(s.out[0].first_us, 0);
  EXPECT_EQ(s.out[0].last_us, 2 * kMinute);
  EXPECT_EQ(s.out[0].events, (std::vector<std::uint64_t>{0, 2, 3}));
  EXPECT_EQ(s.out[0].event_count, 3u);
  // The group starts again: two more are not enough, a third is.
  s.feed(0, 3, {{"User", "an"}});
  s.feed(0, 4, {{"User", "an"}});
  EXPECT_EQ(s.out.size(), 1u);
  s.feed(0, 5, {{"User", "an"}});
  EXPECT_EQ(s.out.size(), 2u);
  // Spread out, they never make three within five minutes; without the field they do not count.
  for (int m = 10; m < 40; m += 6) s.feed(0, m, {{"User", "cuong"}});
  for (int m = 40; m < 43; ++m) s.feed(0, m, {});
  s.c->finish(s.out);
  EXPECT_EQ(groups(s.out), "an=3 an=3");
}

TEST(Correlate, ValueCountCountsDistinctValues) {
  Rig s("title: Spray\ncorrelation:\n  type: value_count\n  rules: r0\n  group-by: IpAddress\n  timespan: 10m\n"
          "  condition: {field: TargetUserName, gt: 2}\n");
  ASSERT_TRUE(s.problems.empty());
  EXPECT_EQ(s.c->fields_of(0), (std::vector<std::string>{"IpAddress", "TargetUserName"}));
  for (const char* user : {"an", "an", "an", "binh", "binh"}) s.feed(0, 1, {{"IpAddress", "10.0.0.9"}, {"TargetUserName", user}});
  EXPECT_TRUE(s.out.empty());
  s.feed(0, 2, {{"IpAddress", "10.0.0.9"}, {"TargetUserName", "cuong"}});
  EXPECT_EQ(groups(s.out), "10.0.0.9=3");
  EXPECT_EQ(s.out[0].event_count, 6u);
}

TEST(Correlate, UpperBoundsAreDecidedOverWholeWindows) {
  Rig s("title: Rare\ncorrelation:\n  type: event_count\n  rules: r0\n  group-by: Service\n  timespan: 1h\n  condition: {lt: 3}\n");
  ASSERT_TRUE(s.problems.empty());
  s.feed(0, 0, {{"Service", "rare"}});
  s.feed(0, 1, {{"Service", "common"}});
  s.feed(0, 2, {{"Service", "common"}});
  s.feed(0, 3, {{"Service", "common"}});
  s.feed(0, 10, {{"Service", "rare"}});
  EXPECT_TRUE(s.out.empty());  // nothing is decided before the window closes
  s.feed(0, 61, {{"Service", "other"}});  // rare's window (0-60) has passed: it closes
  EXPECT_EQ(groups(s.out), "rare=2");
  s.c->finish(s.out);  // other (1) closes at the end; common (1-61) had 3
  EXPECT_EQ(groups(s.out), "rare=2 other=1");
}

TEST(Correlate, ValueSumAverageAndPercentile) {
  Rig sum("title: S\ncorrelation:\n  type: value_sum\n  rules: r0\n  group-by: Host\n  timespan: 1h\n"
            "  condition: {field: Bytes, gte: 1000}\n");
  sum.feed(0, 0, {{"Host", "h"}, {"Bytes", "600"}});
  sum.feed(0, 1, {{"Host", "h"}, {"Bytes", "not a number"}});
  sum.feed(0, 2, {{"Host", "h"}, {"Bytes", "0x190"}});  // 400
  EXPECT_EQ(groups(sum.out), "h=1000");

  Rig avg("title: A\ncorrelation:\n  type: value_avg\n  rules: r0\n  group-by: Host\n  timespan: 1h\n"
            "  condition: {field: Bytes, gt: 100}\n");
  for (const char* b : {"50", "100", "300"}) avg.feed(0, 1, {{"Host", "h"}, {"Bytes", b}});
  for (const char* b : {"50", "100"}) avg.feed(0, 1, {{"Host", "k"}, {"Bytes", b}});
  avg.c->finish(avg.out);
  EXPECT_EQ(groups(avg.out), "h=150");

  Rig pct("title: P\ncorrelation:\n  type: value_percentile\n  rules: r0\n  group-by: Host\n  timespan: 1h\n"
            "  condition: {field: Ms, percentile: 90, gte: 900}\n---\n"
            "title: M\ncorrelation:\n  type: value_median\n  rules: r1\n  group-by: Host\n  timespan: 1h\n"
            "  condition: {field: Ms, eq: 30}\n");
  ASSERT_TRUE(pct.problems.empty());
  for (int v = 100; v <= 1000; v += 100) pct.feed(0, 1, {{"Host", "h"}, {"Ms", std::to_string(v)}});  // p90 = 910
  for (const char* v : {"10", "20", "40", "50"}) pct.feed(1, 1, {{"Host", "k"}, {"Ms", v}});        // median 30
  pct.c->finish(pct.out);
  EXPECT_EQ(groups(pct.out), "h=910 k=30");
}

TEST(Correlate, TemporalWantsEveryRuleWithinTheTimespan) {
  Rig s("title: Recon\ncorrelation:\n  type: temporal\n  rules: [r0, r1, r2]\n  group-by: [Computer]\n  timespan: 5m\n");
  ASSERT_TRUE(s.problems.empty());
  s.feed(2, 0, {{"Computer", "a"}});
  s.feed(0, 1, {{"Computer", "a"}});
  s.feed(1, 1, {{"Computer", "b"}});  // another computer
  EXPECT_TRUE(s.out.empty());
  s.feed(1, 4, {{"Computer", "a"}});  // any order
  EXPECT_EQ(groups(s.out), "a=3");
  EXPECT_EQ(s.out[0].events, (std::vector<std::uint64_t>{0, 1, 3}));
  s.feed(2, 10, {{"Computer", "b"}});
  s.feed(0, 20, {{"Computer", "b"}});  // r1 at 1 and r2 at 10 are too long ago
  EXPECT_EQ(s.out.size(), 1u);
}

TEST(Correlate, TemporalOrderedWantsTheOrderGiven) {
  Rig s("title: Then\ncorrelation:\n  type: temporal_ordered\n  rules: [r0, r1]\n  group-by: User\n  timespan: 10m\n");
  s.feed(1, 0, {{"User", "an"}});
  s.feed(0, 1, {{"User", "an"}});
  EXPECT_TRUE(s.out.empty());  // r1 came before r0
  s.feed(0, 2, {{"User", "an"}});
  s.feed(1, 3, {{"User", "an"}});
  EXPECT_EQ(groups(s.out), "an=2");
  EXPECT_EQ(s.out[0].first_us, 2 * kMinute);  // the latest r0 before r1 starts the chain
  EXPECT_EQ(s.out[0].events, (std::vector<std::uint64_t>{2, 3}));
  s.feed(0, 10, {{"User", "binh"}});
  s.feed(1, 25, {{"User", "binh"}});  // too late
  EXPECT_EQ(s.out.size(), 1u);
}

TEST(Correlate, TemporalExpressions) {
  Rig s("title: A without B\ncorrelation:\n  type: temporal\n  rules: [r0, r1]\n  group-by: Host\n  timespan: 5m\n"
          "  condition: r0 and not r1\n");
  ASSERT_TRUE(s.problems.empty());
  s.feed(0, 0, {{"Host", "a"}});
  s.feed(0, 0, {{"Host", "b"}});
  s.feed(1, 2, {{"Host", "b"}});
  s.c->finish(s.out);
  EXPECT_EQ(groups(s.out), "a=1");
}

TEST(Correlate, AliasesNameTheFieldPerRule) {
  Rig s("title: Both ways\ncorrelation:\n  type: temporal\n  rules: [rule_0, r1]\n  group-by: [ip]\n  timespan: 1m\n"
          "  aliases:\n    ip:\n      rule_0: SourceIp\n      r1: DestinationIp\n");
  ASSERT_TRUE(s.problems.empty()) << s.problems[0].reason;
  EXPECT_EQ(s.c->fields_of(0), std::vector<std::string>{"SourceIp"});
  EXPECT_EQ(s.c->fields_of(1), std::vector<std::string>{"DestinationIp"});
  s.feed(0, 0, {{"SourceIp", "10.1.1.1"}, {"DestinationIp", "8.8.8.8"}});
  s.feed(1, 0.5, {{"SourceIp", "8.8.8.8"}, {"DestinationIp", "10.1.1.1"}});
  EXPECT_EQ(groups(s.out), "10.1.1.1=2");
  EXPECT_EQ(s.out[0].group[0].first, "ip");
}

TEST(Correlate, ChainsAndGenerate) {
  // The specification's example: many failed logins, then a success, for one user.
  Rig s(R"(title: Failed then success
correlation:
  type: temporal_ordered
  rules: [many_failed, r1]
  group-by: [User]
  timespan: 10m
---
title: Many failed
name: many_failed
correlation:
  type: event_count
  rules: [r0]
  group-by: [User]
  timespan: 10m
  condition: {gte: 3}
---
title: Successes seen
correlation:
  type: event_count
  rules: [r1]
  group-by: [User]
  timespan: 10m
  generate: true
  condition: {gte: 100}
)");
  ASSERT_TRUE(s.problems.empty()) << s.problems[0].reason;
  ASSERT_EQ(s.c->rules().size(), 3u);
  EXPECT_FALSE(s.c->shows(0));
  EXPECT_TRUE(s.c->shows(1));  // one of the correlations reading it says generate
  EXPECT_TRUE(s.c->shows_correlation(0));
  EXPECT_FALSE(s.c->shows_correlation(1));  // only read by the outer one
  for (int m = 0; m < 4; ++m) s.feed(0, m, {{"User", "an"}});
  EXPECT_TRUE(s.out.empty());
  s.feed(1, 5, {{"User", "an"}});
  ASSERT_EQ(s.out.size(), 1u);
  EXPECT_EQ(s.out[0].correlation, 0u);
  EXPECT_EQ(s.out[0].first_us, 0);
  EXPECT_EQ(s.out[0].events, (std::vector<std::uint64_t>{0, 1, 2, 4}));  // the inner one's three, then the success
}

TEST(Correlate, WhatCannotBeUsedIsNamedWithWhy) {
  Rig s(R"(title: Unknown
id: k-1
correlation: {type: event_count, rules: [nothing], group-by: [U], timespan: 1m, condition: {gte: 2}}
---
title: Loop A
name: loop_a
correlation: {type: event_count, rules: [loop_b], group-by: [U], timespan: 1m, condition: {gte: 2}}
---
title: Loop B
name: loop_b
correlation: {type: event_count, rules: [loop_a], group-by: [U], timespan: 1m, condition: {gte: 2}}
---
title: Inner
name: inner
correlation: {type: event_count, rules: [r0], group-by: [Host], timespan: 1m, condition: {gte: 2}}
---
title: Outer
correlation: {type: temporal, rules: [inner, r1], group-by: [User], timespan: 1m}
---
title: Alias
correlation: {type: temporal, rules: [r0, r1], group-by: [ip], timespan: 1m, aliases: {ip: {r0: SourceIp}}}
---
title: Uses unknown
correlation: {type: temporal, rules: [k-1, r1], group-by: [U], timespan: 1m}
)");
  std::map<std::string, std::string> why;
  for (const auto& p : s.problems) why[p.rule] = p.reason;
  EXPECT_EQ(why["k-1"], "it refers to 'nothing', which is no loaded rule (by id or name)");
  EXPECT_EQ(why["Loop A"], "it refers to itself through other correlations");
  EXPECT_EQ(why["Outer"], "it reads the correlation 'Inner', which does not group by 'User'");
  EXPECT_EQ(why["Alias"], "the alias 'ip' names no field for the rule 'r1'");
  EXPECT_EQ(why["Uses unknown"], "it refers to the correlation 'Unknown', which cannot be used");
  ASSERT_EQ(s.c->rules().size(), 1u);
  EXPECT_EQ(s.c->rules()[0].title, "Inner");
  EXPECT_FALSE(s.c->reads(1));
}
