#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "detect/sigma/condition.h"
#include "detect/sigma/parse.h"
#include "detect/sigma/value.h"

using namespace khien::detect::sigma;
using khien::detect::sigma::Correlation;

namespace {

// The condition as text, with every `x of` resolved, for comparing.
std::string show(const Condition& c) {
  switch (c.op) {
    case Condition::Op::kSearch: return c.search;
    case Condition::Op::kNot: return "not " + show(c.args.at(0));
    case Condition::Op::kAnd:
    case Condition::Op::kOr: {
      std::string out = "(";
      for (std::size_t k = 0; k < c.args.size(); ++k)
        out += (k ? (c.op == Condition::Op::kAnd ? " and " : " or ") : "") + show(c.args[k]);
      return out + ")";
    }
  }
  return "?";
}

std::string parsed(std::string_view text, const std::vector<std::string>& names) {
  auto c = parse_condition(text, names);
  return c ? show(*c) : "error: " + c.error().detail();
}

const std::vector<std::string> kNames = {"selection", "selection_img", "selection_cli", "filter_main_a", "filter_optional_b",
                                         "_hidden", "keywords"};

}  // namespace

TEST(SigmaCondition, PrecedenceIsNotThenAndThenOr) {
  EXPECT_EQ(parsed("selection or keywords and not _hidden", kNames), "(selection or (keywords and not _hidden))");
  EXPECT_EQ(parsed("(selection or keywords) and not _hidden", kNames), "((selection or keywords) and not _hidden)");
  EXPECT_EQ(parsed("not not selection", kNames), "not not selection");
  EXPECT_EQ(parsed("selection AND NOT keywords", kNames), "(selection and not keywords)");
}

TEST(SigmaCondition, QuantifiersResolveToTheSearchesTheyName) {
  EXPECT_EQ(parsed("all of selection_*", kNames), "(selection_img and selection_cli)");
  EXPECT_EQ(parsed("1 of selection*", kNames), "(selection or selection_img or selection_cli)");
  EXPECT_EQ(parsed("selection and not 1 of filter_main_*", kNames), "(selection and not filter_main_a)");
  EXPECT_EQ(parsed("1 of them", kNames), "(selection or selection_img or selection_cli or filter_main_a or filter_optional_b or keywords)");
  EXPECT_EQ(parsed("all of sel?ction", kNames), "selection");
}

TEST(SigmaCondition, MistakesAreNamed) {
  EXPECT_EQ(parsed("selection and", kNames), "error: the condition ends where a search, 'not', '(' or 'x of' was expected");
  EXPECT_EQ(parsed("(selection", kNames), "error: a '(' is not closed");
  EXPECT_EQ(parsed("selection)", kNames), "error: unexpected ')' at token 2");
  EXPECT_EQ(parsed("selektion", kNames), "error: the condition names 'selektion', which is not a search of the detection");
  EXPECT_EQ(parsed("1 of nothing_*", kNames), "error: '1 of nothing_*' matches no search of the detection");
  EXPECT_EQ(parsed("2 of selection_*", kNames), "error: '2 of' is not a Sigma quantifier (1 of, all of)");
  EXPECT_EQ(parsed("selection | count() > 5", kNames),
            "error: aggregations after '|' (count, near) are Sigma 1; Sigma 2 expresses them as correlation rules");
  EXPECT_EQ(parsed("", kNames), "error: the condition is empty");
}

TEST(SigmaCondition, IdentifierPatterns) {
  EXPECT_TRUE(identifier_matches("sel*", "selection"));
  EXPECT_TRUE(identifier_matches("*_cli", "selection_cli"));
  EXPECT_TRUE(identifier_matches("s*l*n", "selection"));
  EXPECT_FALSE(identifier_matches("sel*x", "selection"));
  EXPECT_TRUE(identifier_matches("*", ""));
  EXPECT_FALSE(identifier_matches("?", ""));
}

TEST(SigmaParse, ARuleWithEveryShapeOfSearch) {
  const char* text = R"(
title: Test
id: 6c2a7b1e-0000-4000-8000-000000000001
status: test
level: high
tags: [attack.execution, attack.t1059.001]
logsource: {product: windows, category: process_creation}
detection:
  selection:
    Image|endswith: '\powershell.exe'
    CommandLine|contains|all: ['-enc', 'bypass']
    EventID: 4688
    ParentImage: null
  selection_list:
    - Image: a.exe
    - Image: b.exe
  keywords: ['mimikatz', 'sekurlsa']
  condition: selection or 1 of selection_* or keywords
falsepositives: Admins
)";
  auto rules = parse_rules(text, "t.yml");
  ASSERT_TRUE(rules) << rules.error().detail();
  ASSERT_EQ(rules->size(), 1u);
  const Rule& r = rules->front();
  EXPECT_EQ(r.level, "high");
  EXPECT_EQ(r.tags.size(), 2u);
  EXPECT_EQ(r.falsepositives, std::vector<std::string>{"Admins"});
  EXPECT_EQ(r.logsource.category, "process_creation");
  const auto& sel = r.searches.at("selection").alternatives.at(0);
  ASSERT_EQ(sel.size(), 4u);
  EXPECT_EQ(sel[0].field, "Image");
  EXPECT_EQ(sel[0].modifiers, std::vector<Modifier>{Modifier::kEndswith});
  EXPECT_EQ(sel[0].values.at(0).text, "\\powershell.exe");
  EXPECT_EQ(sel[1].modifiers, (std::vector<Modifier>{Modifier::kContains, Modifier::kAll}));
  EXPECT_EQ(sel[2].values.at(0).kind, Value::Kind::kNumber);
  EXPECT_EQ(sel[2].values.at(0).number, 4688);
  EXPECT_EQ(sel[3].values.at(0).kind, Value::Kind::kNull);
  EXPECT_EQ(r.searches.at("selection_list").alternatives.size(), 2u);
  const auto& kw = r.searches.at("keywords").alternatives.at(0).at(0);
  EXPECT_TRUE(kw.field.empty());
  EXPECT_EQ(kw.values.size(), 2u);
  EXPECT_EQ(show(r.condition), "(selection or selection_list or keywords)");
}

TEST(SigmaParse, Sigma1AggregationsBecomeCorrelations) {
  auto rules = parse_rules("title: t\nid: i-1\nlevel: medium\nlogsource: {category: firewall}\ndetection:\n  selection:\n"
                           "    action: failure\n  timeframe: 600s\n  condition: selection | count(category) by dst_ip > 30\n", "a.yml");
  ASSERT_TRUE(rules) << rules.error().detail();
  ASSERT_EQ(rules->size(), 2u);
  // The rule without its aggregation, named for the correlation and without the id…
  const auto& base = rules->at(0);
  EXPECT_FALSE(base.correlation);
  EXPECT_EQ(base.name, "i-1/events");
  EXPECT_EQ(base.id, "");
  EXPECT_EQ(show(base.condition), "selection");
  // …and a correlation with the rule's id, title and level.
  const auto& c = rules->at(1);
  ASSERT_TRUE(c.correlation);
  EXPECT_EQ(c.id, "i-1");
  EXPECT_EQ(c.title, "t");
  EXPECT_EQ(c.level, "medium");
  const auto& k = *c.correlation;
  EXPECT_EQ(k.type, Correlation::Type::kValueCount);
  EXPECT_EQ(k.field, "category");
  EXPECT_EQ(k.group_by, std::vector<std::string>{"dst_ip"});
  EXPECT_EQ(k.rules, std::vector<std::string>{"i-1/events"});
  ASSERT_EQ(k.condition.size(), 1u);
  EXPECT_EQ(k.condition[0].op, Correlation::Bound::Op::kGt);
  EXPECT_EQ(k.condition[0].value, 30);
  EXPECT_EQ(k.timespan_seconds, 600);
  // count() is an event count, sum() a value sum; min() has no correlation type.
  auto count = parse_rules("title: t\nlogsource: {category: x}\ndetection:\n  s:\n    a: b\n  condition: s | count() < 5\n", "b.yml");
  ASSERT_TRUE(count) << count.error().detail();
  EXPECT_EQ(count->at(1).correlation->type, Correlation::Type::kEventCount);
  EXPECT_EQ(count->at(1).correlation->timespan_seconds, 0);  // no timeframe: the whole input
  auto min = parse_rules("title: t\nlogsource: {category: x}\ndetection:\n  s:\n    a: b\n  condition: s | min(n) < 5\n", "c.yml");
  ASSERT_FALSE(min);
  EXPECT_EQ(min.error().detail(), "c.yml: detection.condition: the aggregation min() has no Sigma 2 correlation type (count, sum and avg have)");
}

TEST(SigmaParse, CorrelationRules) {
  auto rules = parse_rules(R"(title: Brute force then success
id: c-1
level: high
correlation:
  type: temporal_ordered
  rules: [many_failed, success]
  group-by: [User]
  timespan: 1h
  aliases:
    User:
      many_failed: TargetUserName
      success: SubjectUserName
---
title: Many failed
name: many_failed
correlation:
  type: value_percentile
  rules: failed
  group-by: User
  timespan: 90m
  generate: true
  condition:
    field: Bytes
    percentile: 95
    gt: 100
    lte: 200
)", "c.yml");
  ASSERT_TRUE(rules) << rules.error().detail();
  ASSERT_EQ(rules->size(), 2u);
  const auto& a = *rules->at(0).correlation;
  EXPECT_EQ(a.type, Correlation::Type::kTemporalOrdered);
  EXPECT_EQ(a.rules, (std::vector<std::string>{"many_failed", "success"}));
  EXPECT_EQ(a.timespan_seconds, 3600);
  EXPECT_TRUE(a.condition.empty());
  EXPECT_EQ(a.aliases.at("User").at("success"), "SubjectUserName");
  EXPECT_FALSE(a.generate);
  const auto& b = *rules->at(1).correlation;
  EXPECT_EQ(rules->at(1).name, "many_failed");
  EXPECT_EQ(b.rules, std::vector<std::string>{"failed"});
  EXPECT_EQ(b.group_by, std::vector<std::string>{"User"});
  EXPECT_EQ(b.timespan_seconds, 5400);
  EXPECT_EQ(b.field, "Bytes");
  EXPECT_EQ(b.percentile, 95);
  EXPECT_EQ(b.condition.size(), 2u);
  EXPECT_TRUE(b.generate);

  const auto error = [](const std::string& correlation) {
    auto r = parse_rules("title: t\ncorrelation:\n" + correlation, "k.yml");
    return r ? std::string("loaded") : r.error().detail();
  };
  EXPECT_EQ(error("  type: count\n  rules: [a]\n  timespan: 5m\n  condition: {gte: 3}\n"),
            "k.yml: correlation.type: 'count' is not one of event_count, value_count, temporal, temporal_ordered, value_sum, "
            "value_avg, value_percentile, value_median");
  EXPECT_EQ(error("  type: event_count\n  rules: [a]\n  timespan: 5 minutes\n  condition: {gte: 3}\n"),
            "k.yml: correlation.timespan: '5 minutes' is not a number followed by s, m, h, d, w, M or y");
  EXPECT_EQ(error("  type: event_count\n  rules: [a]\n  timespan: 5m\n"), "k.yml: correlation.condition: required, e.g. gte: 10");
  EXPECT_EQ(error("  type: value_count\n  rules: [a]\n  timespan: 5m\n  condition: {gte: 3}\n"),
            "k.yml: correlation.condition.field: required by value_count: the field whose values it counts or sums");
  EXPECT_EQ(error("  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition: {above: 3}\n"),
            "k.yml: correlation.condition: 'above' is not one of gt, gte, lt, lte, eq, neq, field, percentile");
  EXPECT_EQ(error("  type: event_count\n  timespan: 5m\n  condition: {gte: 3}\n"),
            "k.yml: correlation.rules: required: the ids or names of the rules it correlates");
  EXPECT_EQ(error("  type: temporal\n  rules: [a, b]\n  timespan: 5m\n  condition: a and c\n"),
            "k.yml: correlation.condition: the condition names 'c', which is not a rule of the correlation");
  EXPECT_EQ(error("  type: event_count\n  rules: {a: b}\n  timespan: 5m\n  condition: {gte: 3}\n"),
            "k.yml: correlation.rules: must be a text or a list of texts");
  EXPECT_EQ(error("  type: temporal\n  rules: [a, b]\n  timespan: 5m\n  condition: a and not b\n"), "loaded");
}

TEST(SigmaParse, QuotedNumbersStayStrings) {
  auto rules = parse_rules("title: t\nlogsource: {product: windows}\ndetection:\n  s:\n    EventID: '4688'\n  condition: s\n", "q.yml");
  ASSERT_TRUE(rules);
  EXPECT_EQ(rules->front().searches.at("s").alternatives[0][0].values[0].kind, Value::Kind::kString);
}

TEST(SigmaParse, EveryRefusalSaysWhereAndWhy) {
  const auto error = [](const std::string& detection) {
    auto r = parse_rules("title: t\nlogsource: {product: windows}\ndetection:\n" + detection, "x.yml");
    return r ? std::string("loaded") : r.error().detail();
  };
  EXPECT_EQ(error("  s:\n    Image|contain: a\n  condition: s\n"), "x.yml: detection.s: unknown modifier 'contain' in 'Image|contain'");
  EXPECT_EQ(error("  s:\n    Image|i: a\n  condition: s\n"), "x.yml: detection.s: 'Image|i': the flags i, m, s belong to the re modifier");
  EXPECT_EQ(error("  s:\n    Image|exists: yes please\n  condition: s\n"), "x.yml: detection.s: 'Image|exists': exists takes true or false");
  EXPECT_EQ(error("  s:\n    Size|gt: big\n  condition: s\n"), "x.yml: detection.s: 'Size|gt': 'big' is not a number");
  EXPECT_EQ(error("  s:\n    Image: a\n"), "x.yml: detection.condition: required");
  EXPECT_EQ(error("  s:\n    Image: a\n  condition: s | near t\n"),
            "x.yml: detection.condition: aggregation 'near t': 'near' is not supported; write a temporal correlation rule");
  EXPECT_EQ(error("  s:\n    Image: a\n  condition: s | count() by > 3\n"),
            "x.yml: detection.condition: aggregation 'count() by > 3': '3' is not a comparison");
  EXPECT_EQ(error("  s:\n    Image: a\n  timeframe: 5m\n  condition: s\n"),
            "x.yml: detection.timeframe: a timeframe without an aggregation ('| count() …') means nothing");
  EXPECT_EQ(error("  s: just text\n  condition: s\n"),
            "x.yml: detection.s: a search is a map of fields, a list of maps or a list of keywords");
  // Streams that make yaml-cpp 0.7's LoadAll loop forever end with an answer.
  EXPECT_FALSE(parse_rules(",\n!tioab:nrstra", "loop.yml"));
  auto two = parse_rules("title: a\nlogsource: {product: windows}\ndetection: {s: {A: 1}, condition: s}\n---\n"
                         "title: b\nlogsource: {product: windows}\ndetection: {s: {B: 2}, condition: s}\n...\n", "two.yml");
  ASSERT_TRUE(two) << two.error().detail();
  EXPECT_EQ(two->size(), 2u);
  auto late = parse_rules("title: a\n---\ntitle: [b\n", "late.yml");
  ASSERT_FALSE(late);
  // The line counts from the file's start (yaml-cpp marks where the input ended: line 4).
  EXPECT_NE(late.error().detail().find("(line 4)"), std::string::npos) << late.error().detail();
  auto bad = parse_rules("title: [unclosed\n", "y.yml");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().detail().find("y.yml: YAML:"), std::string::npos);
}

// Every rule SigmaHQ ships under rules*/ and deprecated/ loads; those under unsupported/ load or
// say why not.
TEST(SigmaParse, EveryRuleOfTheSigmaRepositoryLoads) {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(KHIEN_SHARED_DATA) / "sigma";
  if (!fs::is_directory(root)) GTEST_SKIP() << "no Sigma rules at " << root << " (../shared/data is absent)";
  std::vector<std::string> failures;
  int loaded = 0, unsupported_loaded = 0, unsupported_refused = 0, patterns = 0;
  for (const auto& top : fs::directory_iterator(root)) {
    const std::string name = top.path().filename().string();
    const bool unsupported = name == "unsupported";
    if (!top.is_directory() || (!name.starts_with("rules") && name != "deprecated" && !unsupported)) continue;
    for (const auto& f : fs::recursive_directory_iterator(top.path())) {
      if (!f.is_regular_file() || f.path().extension() != ".yml") continue;
      std::ifstream in(f.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      auto rules = parse_rules(ss.str(), fs::relative(f.path(), root).string());
      if (unsupported) {
        (rules ? unsupported_loaded : unsupported_refused)++;
        if (!rules) {
          EXPECT_FALSE(rules.error().detail().empty());
        }
      } else if (rules) {
        loaded += static_cast<int>(rules->size());
        // Every string value turns into patterns under its modifiers.
        for (const auto& r : *rules)
          for (const auto& [search_name, search] : r.searches)
            for (const auto& alternative : search.alternatives)
              for (const auto& t : alternative) {
                if (t.has(Modifier::kRe) || t.has(Modifier::kCidr) || t.has(Modifier::kExists) || t.has(Modifier::kFieldref))
                  continue;
                for (const auto& v : t.values) {
                  if (v.kind == Value::Kind::kNull) continue;
                  auto p = string_patterns(t, v);
                  if (!p) failures.push_back(r.source + ": " + p.error().detail());
                  ++patterns;
                }
              }
      } else {
        failures.push_back(rules.error().detail());
      }
    }
  }
  std::string list;
  for (const auto& f : failures) list += "\n  " + f;
  EXPECT_TRUE(failures.empty()) << failures.size() << " rules not loaded:" << list;
  EXPECT_GT(loaded, 3500);
  EXPECT_GT(patterns, 20000);
  std::printf("rules: %d loaded (%d string values), %zu not loaded; unsupported/: %d loaded, %d refused with a reason\n",
              loaded, patterns, failures.size(), unsupported_loaded, unsupported_refused);
}
