#pragma once
// The incident response process of the plan (§II.2, Circular 20/2017 Art. 11) as an explicit
// state machine: the phases, the steps between them, who may take each step and what must be
// filled in first. Pure: the caller passes what the incident holds, the machine answers.
#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "domain/roles.h"

namespace khien::domain {

enum class Phase {
  kReceived,          // 2.1 a: reported, not yet looked at
  kVerifying,         // 2.1 a: being verified
  kDismissed,         // not an incident (terminal until reopened)
  kConfirmed,         // 2.1 a: confirmed as an incident
  kInitialResponse,   // 2.1 b: initial priority steps
  kResponseChosen,    // 2.1 c: the response option is chosen
  kAwaitingApproval,  // 2.1 c/d: waiting for the Director's or the Steering Committee's direction
  kContainment,       // 2.2
  kEradication,       // 2.3 a
  kRecovery,          // 2.3 b
  kVerification,      // 2.3 c: is the system stable?
  kClosing,           // 2.4: summing up
  kClosed,
};
inline constexpr std::array kAllPhases = {
    Phase::kReceived,     Phase::kVerifying,   Phase::kDismissed, Phase::kConfirmed,    Phase::kInitialResponse,
    Phase::kResponseChosen, Phase::kAwaitingApproval, Phase::kContainment, Phase::kEradication, Phase::kRecovery,
    Phase::kVerification, Phase::kClosing,     Phase::kClosed};

std::string_view phase_name(Phase p);  // "received", "initial_response", ...
std::optional<Phase> parse_phase(std::string_view name);
// Phases after which the response is over (closing, closed) or never began (dismissed).
bool is_open(Phase p);

enum class Step {
  kStartVerification,     // received → verifying
  kDismiss,               // received | verifying → dismissed (reason)
  kConfirm,               // verifying → confirmed (scenario, severity)
  kStartInitialResponse,  // confirmed → initial_response
  kChooseResponse,        // initial_response | response_chosen → response_chosen (response option)
  kRequestApproval,       // response_chosen → awaiting_approval (response option)
  kDecide,                // awaiting_approval → response_chosen; taken by the approvals, not by hand
  kStartContainment,      // response_chosen → containment (approved when approval is required)
  kStartEradication,      // containment → eradication
  kStartRecovery,         // eradication → recovery
  kCheck,                 // recovery → verification: check the whole system
  kNotStable,             // verification → containment (reason), counted as a loop back
  kStable,                // verification → closing: the response has ended
  kClose,                 // closing → closed (cause class, root cause, lessons learned)
  kReopen,                // closed → containment, dismissed → verifying (reason)
};
inline constexpr std::array kAllSteps = {
    Step::kStartVerification, Step::kDismiss,          Step::kConfirm,           Step::kStartInitialResponse,
    Step::kChooseResponse,    Step::kRequestApproval,  Step::kDecide,            Step::kStartContainment,
    Step::kStartEradication,  Step::kStartRecovery,    Step::kCheck,             Step::kNotStable,
    Step::kStable,            Step::kClose,            Step::kReopen};

std::string_view step_name(Step s);  // "start-verification", "check", "not-stable", ...
std::optional<Step> parse_step(std::string_view name);

enum class ApprovalState { kNone, kPending, kApproved, kRejected };

// What the incident holds, as far as the guards need to know.
struct IncidentFacts {
  bool has_scenario = false;
  bool has_severity = false;
  bool has_response_option = false;
  bool approval_required = false;          // by the profile's rules or by the user's choice
  ApprovalState approval = ApprovalState::kNone;  // of the current response option
  bool has_cause_class = false;
  bool has_root_cause = false;
  bool has_lessons_learned = false;
};

// Where `step` leads from `from`, or nullopt when the step is not possible there.
std::optional<Phase> target_of(Step step, Phase from);

// Whether `role` may take `step` at all (Decide is never taken by hand: false for everyone).
bool may_take(Role role, Step step);

// Steps whose reason is required.
bool requires_reason(Step step);

// Checks everything for a step taken by hand and answers the phase it leads to:
//   transition_not_allowed — the step is not possible from `from` (detail names both);
//   forbidden              — the role may not take the step;
//   validation_failed      — a guard is not met; one field error per missing item
//                            (fields: reason, scenario, severity, response_option, approval,
//                            cause_class, root_cause, lessons_learned; code required_for_step).
Result<Phase> take(Step step, Phase from, Role role, const IncidentFacts& facts, bool has_reason);

// The steps `role` may try from `from`, in the order a user would take them (for the UI).
std::vector<Step> steps_from(Phase from, Role role);

// The time each phase was first reached, for the history and a drill's scorecard (plan §1.2):
// counted from detection and from the phase reached before it. `transitions` are the phases
// the incident moved to, in order; a phase reached again (after a loop back) keeps its first time.
struct PhaseTime {
  Phase phase;
  Timestamp reached_at;
  std::chrono::seconds since_detection;  // negative when reached before the recorded detection
  std::chrono::seconds since_previous;
};
std::vector<PhaseTime> phase_times(Timestamp detected_at, Timestamp received_at,
                                   const std::vector<std::pair<Phase, Timestamp>>& transitions);

}  // namespace khien::domain
