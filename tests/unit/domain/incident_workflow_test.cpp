#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <tuple>

#include "domain/incident_workflow.h"

using namespace khien::domain;

namespace {

// The machine as the plan draws it (§II.2), written out independently of the code: every edge,
// and who takes it. Anything not listed must be refused.
struct Expected {
  const char* step;
  const char* from;
  const char* to;
};
constexpr Expected kEdges[] = {
    {"start-verification", "received", "verifying"},
    {"dismiss", "received", "dismissed"},
    {"dismiss", "verifying", "dismissed"},
    {"confirm", "verifying", "confirmed"},
    {"start-initial-response", "confirmed", "initial_response"},
    {"choose-response", "initial_response", "response_chosen"},
    {"choose-response", "response_chosen", "response_chosen"},
    {"request-approval", "response_chosen", "awaiting_approval"},
    {"decide", "awaiting_approval", "response_chosen"},
    {"start-containment", "response_chosen", "containment"},
    {"start-eradication", "containment", "eradication"},
    {"start-recovery", "eradication", "recovery"},
    {"check", "recovery", "verification"},
    {"not-stable", "verification", "containment"},
    {"stable", "verification", "closing"},
    {"close", "closing", "closed"},
    {"reopen", "closed", "containment"},
    {"reopen", "dismissed", "verifying"},
};
const std::set<std::string> kOfficerSteps = {"dismiss", "close", "reopen"};
const std::set<std::string> kReasonSteps = {"dismiss", "not-stable", "reopen"};

bool expected_role(Role r, const std::string& step) {
  if (step == "decide") return false;
  if (r == Role::kAdministrator || r == Role::kSecurityOfficer) return true;
  if (r == Role::kResponder) return !kOfficerSteps.count(step);
  return false;
}

IncidentFacts everything() {
  IncidentFacts f;
  f.has_scenario = f.has_severity = f.has_response_option = true;
  f.has_cause_class = f.has_root_cause = f.has_lessons_learned = true;
  return f;
}

}  // namespace

TEST(IncidentWorkflow, NamesRoundTrip) {
  for (Phase p : kAllPhases) EXPECT_EQ(parse_phase(phase_name(p)), p);
  for (Step s : kAllSteps) EXPECT_EQ(parse_step(step_name(s)), s);
  EXPECT_FALSE(parse_phase("open"));
  EXPECT_FALSE(parse_step("jump"));
}

// Every step from every phase by every role: allowed exactly where the plan allows it.
TEST(IncidentWorkflow, EveryStepFromEveryPhaseByEveryRole) {
  std::map<std::pair<std::string, std::string>, std::string> edges;
  for (const auto& e : kEdges) edges[{e.step, e.from}] = e.to;
  int checked = 0;
  for (Step s : kAllSteps) {
    const std::string step(step_name(s));
    for (Phase from : kAllPhases) {
      const auto edge = edges.find({step, std::string(phase_name(from))});
      for (Role role : kAllRoles) {
        auto r = take(s, from, role, everything(), true);
        ++checked;
        if (edge == edges.end()) {
          ASSERT_FALSE(r.ok()) << step << " from " << phase_name(from);
          EXPECT_EQ(r.error().code(), "transition_not_allowed") << step << " from " << phase_name(from);
        } else if (!expected_role(role, step)) {
          ASSERT_FALSE(r.ok()) << step << " by " << role_name(role);
          EXPECT_EQ(r.error().code(), "forbidden");
        } else {
          ASSERT_TRUE(r.ok()) << step << " from " << phase_name(from) << " by " << role_name(role) << ": "
                              << r.error().code();
          EXPECT_EQ(phase_name(*r), edge->second);
        }
      }
    }
  }
  EXPECT_EQ(checked, static_cast<int>(kAllSteps.size() * kAllPhases.size() * kAllRoles.size()));
}

TEST(IncidentWorkflow, EveryPhaseIsReachableAndNoneIsADeadEndButTheTerminalOnes) {
  std::set<Phase> reached = {Phase::kReceived};
  for (bool grew = true; grew;) {
    grew = false;
    for (Phase p : std::set<Phase>(reached))
      for (Step s : kAllSteps)
        if (auto to = target_of(s, p); to && reached.insert(*to).second) grew = true;
  }
  EXPECT_EQ(reached.size(), kAllPhases.size());
  for (Phase p : kAllPhases) {
    bool leaves = false;
    for (Step s : kAllSteps) leaves = leaves || target_of(s, p).has_value();
    EXPECT_TRUE(leaves) << phase_name(p) << " has no way out";
  }
}

TEST(IncidentWorkflow, ReasonsAreRequiredWhereTheStepIsAJudgement) {
  for (Step s : kAllSteps) EXPECT_EQ(requires_reason(s), kReasonSteps.count(std::string(step_name(s))) == 1);
  auto r = take(Step::kNotStable, Phase::kVerification, Role::kResponder, everything(), false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), "validation_failed");
  ASSERT_EQ(r.error().fields().size(), 1u);
  EXPECT_EQ(r.error().fields()[0].field, "reason");
}

TEST(IncidentWorkflow, ConfirmingNeedsScenarioAndSeverity) {
  IncidentFacts f = everything();
  f.has_scenario = false;
  f.has_severity = false;
  auto r = take(Step::kConfirm, Phase::kVerifying, Role::kResponder, f, false);
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.error().fields().size(), 2u);
  EXPECT_EQ(r.error().fields()[0].field, "scenario");
  EXPECT_EQ(r.error().fields()[1].field, "severity");
  EXPECT_EQ(r.error().fields()[0].code, "required_for_step");
}

TEST(IncidentWorkflow, ContainmentWaitsForTheDecisionWhenOneIsRequired) {
  IncidentFacts f = everything();
  f.approval_required = true;
  for (ApprovalState a : {ApprovalState::kNone, ApprovalState::kPending, ApprovalState::kRejected}) {
    f.approval = a;
    auto r = take(Step::kStartContainment, Phase::kResponseChosen, Role::kResponder, f, false);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().fields().at(0).field, "approval");
  }
  f.approval = ApprovalState::kApproved;
  EXPECT_TRUE(take(Step::kStartContainment, Phase::kResponseChosen, Role::kResponder, f, false).ok());
  f.approval_required = false;
  f.approval = ApprovalState::kNone;
  EXPECT_TRUE(take(Step::kStartContainment, Phase::kResponseChosen, Role::kResponder, f, false).ok());
  f.has_response_option = false;
  EXPECT_FALSE(take(Step::kStartContainment, Phase::kResponseChosen, Role::kResponder, f, false).ok());
  EXPECT_FALSE(take(Step::kChooseResponse, Phase::kInitialResponse, Role::kResponder, f, false).ok());
}

TEST(IncidentWorkflow, AnApprovedOptionIsNotPutForwardAgain) {
  IncidentFacts f = everything();
  f.approval = ApprovalState::kApproved;
  auto r = take(Step::kRequestApproval, Phase::kResponseChosen, Role::kSecurityOfficer, f, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().fields().at(0).code, "already_approved");
  f.approval = ApprovalState::kRejected;
  EXPECT_TRUE(take(Step::kRequestApproval, Phase::kResponseChosen, Role::kSecurityOfficer, f, false).ok());
}

TEST(IncidentWorkflow, ClosingNeedsTheRootCauseAndTheLessons) {
  IncidentFacts f = everything();
  f.has_cause_class = f.has_root_cause = f.has_lessons_learned = false;
  auto r = take(Step::kClose, Phase::kClosing, Role::kSecurityOfficer, f, false);
  ASSERT_FALSE(r.ok());
  std::vector<std::string> fields;
  for (const auto& fe : r.error().fields()) fields.push_back(fe.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"cause_class", "root_cause", "lessons_learned"}));
}

TEST(IncidentWorkflow, StepsOfferedMatchTheRole) {
  EXPECT_EQ(steps_from(Phase::kVerifying, Role::kResponder), (std::vector<Step>{Step::kConfirm}));
  EXPECT_EQ(steps_from(Phase::kVerifying, Role::kSecurityOfficer), (std::vector<Step>{Step::kDismiss, Step::kConfirm}));
  EXPECT_TRUE(steps_from(Phase::kVerifying, Role::kViewer).empty());
  EXPECT_TRUE(steps_from(Phase::kAwaitingApproval, Role::kAdministrator).empty());
  EXPECT_TRUE(steps_from(Phase::kClosed, Role::kDirector).empty());
  EXPECT_FALSE(is_open(Phase::kClosed));
  EXPECT_FALSE(is_open(Phase::kDismissed));
  EXPECT_TRUE(is_open(Phase::kContainment));
}

TEST(IncidentWorkflow, PhaseTimesKeepTheFirstArrivalAndCountFromDetection) {
  using namespace std::chrono;
  const khien::Timestamp detected = sys_days{2026y / 11 / 20} + 8h;
  const khien::Timestamp received = detected + 30min;
  const std::vector<std::pair<Phase, khien::Timestamp>> moves = {
      {Phase::kVerifying, received + 10min},       {Phase::kInitialResponse, received + 1h},
      {Phase::kContainment, received + 2h},        {Phase::kVerification, received + 5h},
      {Phase::kContainment, received + 6h},  // not stable: back, keeps its first time
      {Phase::kVerification, received + 9h}};
  const auto times = phase_times(detected, received, moves);
  ASSERT_EQ(times.size(), 5u);
  EXPECT_EQ(times[0].phase, Phase::kReceived);
  EXPECT_EQ(times[0].since_detection, minutes(30));
  EXPECT_EQ(times[0].since_previous, minutes(30));
  EXPECT_EQ(times[1].phase, Phase::kVerifying);
  EXPECT_EQ(times[1].since_previous, minutes(10));
  EXPECT_EQ(times[3].phase, Phase::kContainment);
  EXPECT_EQ(times[3].reached_at, received + 2h);
  EXPECT_EQ(times[4].phase, Phase::kVerification);
  EXPECT_EQ(times[4].since_detection, minutes(30) + hours(5));
  EXPECT_EQ(times[4].since_previous, hours(3));
  // Reported before the recorded detection (a detection time corrected later): negative, not hidden.
  EXPECT_EQ(phase_times(received, detected, {}).at(0).since_detection, minutes(-30));
}
