#include "domain/incident_workflow.h"

#include <algorithm>
#include <string>

namespace khien::domain {

namespace {

struct PhaseRow {
  Phase phase;
  std::string_view name;
};
constexpr std::array<PhaseRow, kAllPhases.size()> kPhases = {{
    {Phase::kReceived, "received"},
    {Phase::kVerifying, "verifying"},
    {Phase::kDismissed, "dismissed"},
    {Phase::kConfirmed, "confirmed"},
    {Phase::kInitialResponse, "initial_response"},
    {Phase::kResponseChosen, "response_chosen"},
    {Phase::kAwaitingApproval, "awaiting_approval"},
    {Phase::kContainment, "containment"},
    {Phase::kEradication, "eradication"},
    {Phase::kRecovery, "recovery"},
    {Phase::kVerification, "verification"},
    {Phase::kClosing, "closing"},
    {Phase::kClosed, "closed"},
}};

// Who takes a step: the officer and the responders work the incident; dismissing, closing
// and reopening are the officer's decision (the administrator stands in).
constexpr unsigned bit(Role r) { return 1u << static_cast<unsigned>(r); }
constexpr unsigned kWorkers = bit(Role::kAdministrator) | bit(Role::kSecurityOfficer) | bit(Role::kResponder);
constexpr unsigned kOfficer = bit(Role::kAdministrator) | bit(Role::kSecurityOfficer);

struct Edge {
  Step step;
  Phase from;
  Phase to;
};

struct StepRow {
  Step step;
  std::string_view name;
  unsigned roles;
  bool reason_required;
};
constexpr std::array<StepRow, kAllSteps.size()> kSteps = {{
    {Step::kStartVerification, "start-verification", kWorkers, false},
    {Step::kDismiss, "dismiss", kOfficer, true},
    {Step::kConfirm, "confirm", kWorkers, false},
    {Step::kStartInitialResponse, "start-initial-response", kWorkers, false},
    {Step::kChooseResponse, "choose-response", kWorkers, false},
    {Step::kRequestApproval, "request-approval", kWorkers, false},
    {Step::kDecide, "decide", 0, false},
    {Step::kStartContainment, "start-containment", kWorkers, false},
    {Step::kStartEradication, "start-eradication", kWorkers, false},
    {Step::kStartRecovery, "start-recovery", kWorkers, false},
    {Step::kCheck, "check", kWorkers, false},
    {Step::kNotStable, "not-stable", kWorkers, true},
    {Step::kStable, "stable", kWorkers, false},
    {Step::kClose, "close", kOfficer, false},
    {Step::kReopen, "reopen", kOfficer, true},
}};

// Every edge of the machine; anything not here is refused.
constexpr std::array kEdges = {
    Edge{Step::kStartVerification, Phase::kReceived, Phase::kVerifying},
    Edge{Step::kDismiss, Phase::kReceived, Phase::kDismissed},
    Edge{Step::kDismiss, Phase::kVerifying, Phase::kDismissed},
    Edge{Step::kConfirm, Phase::kVerifying, Phase::kConfirmed},
    Edge{Step::kStartInitialResponse, Phase::kConfirmed, Phase::kInitialResponse},
    Edge{Step::kChooseResponse, Phase::kInitialResponse, Phase::kResponseChosen},
    Edge{Step::kChooseResponse, Phase::kResponseChosen, Phase::kResponseChosen},
    Edge{Step::kRequestApproval, Phase::kResponseChosen, Phase::kAwaitingApproval},
    Edge{Step::kDecide, Phase::kAwaitingApproval, Phase::kResponseChosen},
    Edge{Step::kStartContainment, Phase::kResponseChosen, Phase::kContainment},
    Edge{Step::kStartEradication, Phase::kContainment, Phase::kEradication},
    Edge{Step::kStartRecovery, Phase::kEradication, Phase::kRecovery},
    Edge{Step::kCheck, Phase::kRecovery, Phase::kVerification},
    Edge{Step::kNotStable, Phase::kVerification, Phase::kContainment},
    Edge{Step::kStable, Phase::kVerification, Phase::kClosing},
    Edge{Step::kClose, Phase::kClosing, Phase::kClosed},
    Edge{Step::kReopen, Phase::kClosed, Phase::kContainment},
    Edge{Step::kReopen, Phase::kDismissed, Phase::kVerifying},
};

const StepRow& row(Step s) { return kSteps[static_cast<std::size_t>(s)]; }

void require(std::vector<FieldError>& missing, bool present, const char* field) {
  if (!present) missing.push_back(FieldError{field, "required_for_step", {}});
}

}  // namespace

std::string_view phase_name(Phase p) { return kPhases[static_cast<std::size_t>(p)].name; }

std::optional<Phase> parse_phase(std::string_view name) {
  for (const auto& r : kPhases)
    if (r.name == name) return r.phase;
  return std::nullopt;
}

bool is_open(Phase p) { return p != Phase::kDismissed && p != Phase::kClosing && p != Phase::kClosed; }

std::string_view step_name(Step s) { return row(s).name; }

std::optional<Step> parse_step(std::string_view name) {
  for (const auto& r : kSteps)
    if (r.name == name) return r.step;
  return std::nullopt;
}

std::optional<Phase> target_of(Step step, Phase from) {
  for (const auto& e : kEdges)
    if (e.step == step && e.from == from) return e.to;
  return std::nullopt;
}

bool may_take(Role role, Step step) { return (row(step).roles & bit(role)) != 0; }

bool requires_reason(Step step) { return row(step).reason_required; }

Result<Phase> take(Step step, Phase from, Role role, const IncidentFacts& facts, bool has_reason) {
  auto to = target_of(step, from);
  if (!to) return Error("transition_not_allowed", std::string(step_name(step)) + " from " + std::string(phase_name(from)));
  if (!may_take(role, step)) return Error("forbidden", std::string(step_name(step)));

  std::vector<FieldError> missing;
  if (requires_reason(step)) require(missing, has_reason, "reason");
  switch (step) {
    case Step::kConfirm:
      require(missing, facts.has_scenario, "scenario");
      require(missing, facts.has_severity, "severity");
      break;
    case Step::kChooseResponse:
    case Step::kRequestApproval:
      require(missing, facts.has_response_option, "response_option");
      if (step == Step::kRequestApproval && facts.approval == ApprovalState::kApproved)
        missing.push_back(FieldError{"approval", "already_approved", {}});
      break;
    case Step::kStartContainment:
      require(missing, facts.has_response_option, "response_option");
      if (facts.approval_required && facts.approval != ApprovalState::kApproved)
        missing.push_back(FieldError{"approval", "required_for_step", {}});
      break;
    case Step::kClose:
      require(missing, facts.has_cause_class, "cause_class");
      require(missing, facts.has_root_cause, "root_cause");
      require(missing, facts.has_lessons_learned, "lessons_learned");
      break;
    default:
      break;
  }
  if (!missing.empty()) return Error("validation_failed", std::string(step_name(step)), std::move(missing));
  return *to;
}

std::vector<Step> steps_from(Phase from, Role role) {
  std::vector<Step> out;
  for (Step s : kAllSteps)
    if (target_of(s, from) && may_take(role, s)) out.push_back(s);
  return out;
}

std::vector<PhaseTime> phase_times(Timestamp detected_at, Timestamp received_at,
                                   const std::vector<std::pair<Phase, Timestamp>>& transitions) {
  using std::chrono::duration_cast;
  using std::chrono::seconds;
  std::vector<PhaseTime> out;
  const auto reach = [&](Phase phase, Timestamp at) {
    for (const auto& r : out)
      if (r.phase == phase) return;
    const Timestamp previous = out.empty() ? detected_at : out.back().reached_at;
    out.push_back({phase, at, duration_cast<seconds>(at - detected_at), duration_cast<seconds>(at - previous)});
  };
  reach(Phase::kReceived, received_at);
  for (const auto& [phase, at] : transitions) reach(phase, at);
  return out;
}

}  // namespace khien::domain
