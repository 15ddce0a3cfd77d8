#pragma once
// Playbooks (phương án đối phó, ứng cứu; plan §1.6): for one scenario, questions to find the
// cause, hints for the severity, and ordered steps per phase of the workflow, each with the
// actor responsible and those coordinating. Loaded from data/playbooks/*.yml.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "domain/incident_workflow.h"
#include "domain/localized_text.h"
#include "domain/taxonomy.h"

namespace khien::domain {

struct CauseQuestion {
  std::string id;
  LocalizedText text;
  std::vector<std::string> suggests;  // cause class ids
};

struct SeverityHint {
  std::string severity;
  LocalizedText when;
};

struct PlaybookStep {
  std::string id;
  LocalizedText title;
  LocalizedText detail;
  std::string responsible;                // actor id
  std::vector<std::string> coordinating;  // actor ids
  int due_hours = 24;
};

// The phases a playbook has steps for, in workflow order.
inline constexpr std::array kPlaybookPhases = {Phase::kVerifying,   Phase::kInitialResponse, Phase::kContainment,
                                               Phase::kEradication, Phase::kRecovery,        Phase::kVerification,
                                               Phase::kClosing};

struct Playbook {
  std::string scenario;
  int version = 1;
  LocalizedText title;
  LocalizedText summary;
  std::vector<std::string> references;
  std::vector<CauseQuestion> cause_questions;
  std::vector<SeverityHint> severity_hints;
  std::map<Phase, std::vector<PlaybookStep>> phases;

  const std::vector<PlaybookStep>& steps(Phase p) const;
};

// Parses and validates a playbook against the taxonomy (scenario, actors, cause classes,
// severities); invalid_data naming the file, the place and the fault.
Result<Playbook> parse_playbook(std::string_view yaml, std::string_view source, const Taxonomy& taxonomy);

// The playbook phase whose tasks belong to workflow phase `p` and the one after it: the tasks
// a scenario creates when it is chosen in `p` (plan §2.1 b). Phases outside the playbook
// (received, confirmed, response_chosen, awaiting_approval) map to the next playbook phase.
std::vector<Phase> task_phases_for(Phase p);

}  // namespace khien::domain
