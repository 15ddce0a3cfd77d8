#include <gtest/gtest.h>

#include "domain/playbook.h"
#include "service/catalog.h"
#include "support/builtin_catalog.h"

using namespace khien;
using namespace khien::domain;

namespace {
const service::Catalog& catalog() { return khien::test_support::builtin(); }

const char* kTaxonomy = R"(
cause_classes: [{id: cyber-attack, name: {vi: a, en: a}}]
groups: [{id: attack, name: {vi: a, en: a}, cause: cyber-attack}]
scenarios: [{id: malware, number: 1, group: attack, name: {vi: a, en: a}}]
actors: [{id: responder, name: {vi: a, en: a}}]
severities: [{id: low, name: {vi: a, en: a}}, {id: high, name: {vi: a, en: a}}]
tlp: [{id: clear, name: {vi: a, en: a}}]
)";

std::string playbook_text() {
  std::string s = R"(scenario: malware
version: 1
title: {vi: "Mã độc", en: "Malware"}
summary: {vi: "a", en: "a"}
references: ["NIST SP 800-61r2"]
cause_questions:
  - {id: q1, text: {vi: a, en: a}, suggests: [cyber-attack]}
severity_hints:
  - {severity: high, when: {vi: a, en: a}}
phases:
)";
  for (const char* p : {"verifying", "initial_response", "containment", "eradication", "recovery", "verification",
                        "closing"})
    s += std::string("  ") + p + ":\n    - {id: s-" + p + ", title: {vi: a, en: a}, detail: {vi: a, en: a}, " +
         "responsible: responder, coordinating: [], due_hours: 4}\n";
  return s;
}
}  // namespace

TEST(Catalog, TheBuiltInDataLoadsAndFitsTogether) {
  auto c = service::builtin_catalog();
  ASSERT_TRUE(c.ok()) << c.error().detail();
  EXPECT_EQ(c->taxonomy.scenarios.size(), 20u);
  EXPECT_EQ(c->taxonomy.cause_classes.size(), 5u);
  EXPECT_EQ(c->playbooks.size(), 20u);
  EXPECT_TRUE(c->profile("2017"));
  EXPECT_TRUE(c->profile("2026"));
  for (std::size_t i = 0; i < c->playbooks.size(); ++i) EXPECT_EQ(c->playbooks[i].scenario, c->taxonomy.scenarios[i].id);
}

// All 20 default playbooks: every phase has steps, every step is complete in both languages,
// and each playbook guides the cause and the severity.
TEST(Playbooks, EveryDefaultPlaybookIsComplete) {
  for (const auto& pb : catalog().playbooks) {
    SCOPED_TRACE(pb.scenario);
    EXPECT_GE(pb.cause_questions.size(), 3u);
    EXPECT_GE(pb.severity_hints.size(), 2u);
    EXPECT_FALSE(pb.references.empty());
    std::size_t steps = 0;
    for (Phase p : kPlaybookPhases) {
      EXPECT_FALSE(pb.steps(p).empty()) << phase_name(p);
      for (const auto& s : pb.steps(p)) {
        EXPECT_FALSE(s.title.vi.empty());
        EXPECT_FALSE(s.detail.en.empty());
        EXPECT_TRUE(catalog().taxonomy.has_actor(s.responsible));
      }
      steps += pb.steps(p).size();
    }
    EXPECT_GE(steps, 14u);
  }
}

TEST(Playbooks, FaultsAreNamedWithTheirPlace) {
  auto taxonomy = parse_taxonomy(kTaxonomy, "t.yml");
  ASSERT_TRUE(taxonomy.ok()) << taxonomy.error().detail();
  const std::string good = playbook_text();
  ASSERT_TRUE(parse_playbook(good, "p.yml", *taxonomy).ok()) << parse_playbook(good, "p.yml", *taxonomy).error().detail();
  const auto fault = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    const auto at = text.find(from);
    if (at == std::string::npos) return std::string("no ") + from;
    text.replace(at, from.size(), to);
    auto r = parse_playbook(text, "p.yml", *taxonomy);
    return r.ok() ? std::string("accepted") : r.error().detail();
  };
  EXPECT_EQ(fault("scenario: malware", "scenario: flood"), "p.yml: scenario: 'flood' is not one of: malware");
  EXPECT_EQ(fault("responsible: responder", "responsible: hacker"),
            "p.yml: phases.verifying[0].responsible: 'hacker' is not one of: responder");
  EXPECT_EQ(fault("id: s-containment", "id: s-verifying"), "p.yml: phases.containment[0].id: 's-verifying' appears twice");
  EXPECT_EQ(fault("due_hours: 4}\n  eradication", "due_hours: 0}\n  eradication"),
            "p.yml: phases.containment[0].due_hours (line 16): must be a whole number from 1 to 720");
  EXPECT_EQ(fault("suggests: [cyber-attack]", "suggests: [bad-luck]"),
            "p.yml: cause_questions[0].suggests: 'bad-luck' is not one of: cyber-attack");
  EXPECT_EQ(fault("title: {vi: \"Mã độc\", en: \"Malware\"}", "title: {vi: \"Mã độc\"}"),
            "p.yml: title.en (line 3): is required");
  EXPECT_EQ(fault("  closing:", "  closed:"), "p.yml: phases: 'closed' is not one of: closing, containment, eradication, "
                                              "initial_response, recovery, verification, verifying");
  EXPECT_EQ(fault("severity: high", "severity: apocalyptic"),
            "p.yml: severity_hints[0].severity: 'apocalyptic' is not one of: high, low");
  EXPECT_NE(fault("version: 1", "version: [1"), "accepted");
}

TEST(Catalog, APlaybookMustBeNamedAfterItsScenarioAndEveryScenarioNeedsOne) {
  const std::string pb = playbook_text();
  const std::string profile = R"(id: "x"
version: 1
name: {vi: a, en: a}
time_zone: Asia/Ho_Chi_Minh
day_counting: {source: {vi: a, en: a}, verified: false, weekend: [], holidays: []}
recipients: []
serious: {defined: false, source: {vi: a, en: a}, verified: false}
obligations: []
)";
  const auto detail = [](const Result<service::Catalog>& r) { return r.ok() ? std::string("accepted") : r.error().detail(); };
  EXPECT_EQ(detail(service::load_catalog(kTaxonomy, {{"x.yml", profile}}, {{"01-malware.yml", pb}})), "accepted");
  EXPECT_EQ(detail(service::load_catalog(kTaxonomy, {{"x.yml", profile}}, {{"1-malware.yml", pb}})),
            "playbooks/1-malware.yml: must be named 01-malware.yml");
  EXPECT_EQ(detail(service::load_catalog(kTaxonomy, {{"x.yml", profile}}, {})), "playbooks: no playbook for scenario malware");
  EXPECT_EQ(detail(service::load_catalog(kTaxonomy, {{"y.yml", profile}}, {{"01-malware.yml", pb}})),
            "regulations/y.yml: must be named x.yml");
  EXPECT_EQ(detail(service::load_catalog(kTaxonomy, {}, {{"01-malware.yml", pb}})), "no regulatory profile");
}

TEST(Playbooks, ChoosingAScenarioCreatesTasksForThisPhaseAndTheNext) {
  EXPECT_EQ(task_phases_for(Phase::kVerifying), (std::vector<Phase>{Phase::kVerifying, Phase::kInitialResponse}));
  EXPECT_EQ(task_phases_for(Phase::kAwaitingApproval), (std::vector<Phase>{Phase::kContainment, Phase::kEradication}));
  EXPECT_EQ(task_phases_for(Phase::kClosing), (std::vector<Phase>{Phase::kClosing}));
  EXPECT_TRUE(task_phases_for(Phase::kClosed).empty());
}
