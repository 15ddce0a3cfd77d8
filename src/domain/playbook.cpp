#include "domain/playbook.h"

#include <algorithm>
#include <set>

#include "domain/yaml_reader.h"

namespace khien::domain {

const std::vector<PlaybookStep>& Playbook::steps(Phase p) const {
  static const std::vector<PlaybookStep> kNone;
  auto it = phases.find(p);
  return it == phases.end() ? kNone : it->second;
}

Result<Playbook> parse_playbook(std::string_view text, std::string_view source, const Taxonomy& taxonomy) {
  yaml::Reader r{std::string(source)};
  const YAML::Node root = r.load(text);
  if (r.ok() && !root.IsMap()) r.fail(root, "(top)", "must be a map");
  if (!r.ok()) return r.error();

  std::set<std::string> scenarios, causes, actors, severities;
  for (const auto& s : taxonomy.scenarios) scenarios.insert(s.id);
  for (const auto& c : taxonomy.cause_classes) causes.insert(c.id);
  for (const auto& a : taxonomy.actors) actors.insert(a.id);
  for (const auto& s : taxonomy.severities) severities.insert(s.id);

  Playbook pb;
  pb.scenario = r.id(root, "scenario", "");
  if (!pb.scenario.empty()) r.check_member(pb.scenario, scenarios, "scenario");
  pb.version = r.integer(root, "version", "", 1, 10000);
  pb.title = r.text(root, "title", "");
  pb.summary = r.text(root, "summary", "");
  pb.references = r.strings(root, "references", "", false);

  std::set<std::string> ids;
  const YAML::Node questions = r.sequence(root, "cause_questions", "");
  for (std::size_t i = 0; i < questions.size(); ++i) {
    const std::string path = "cause_questions[" + std::to_string(i) + "]";
    CauseQuestion q{r.id(questions[i], "id", path), r.text(questions[i], "text", path),
                    r.strings(questions[i], "suggests", path)};
    r.check_unique(ids, q.id, path + ".id");
    for (const auto& c : q.suggests) r.check_member(c, causes, path + ".suggests");
    pb.cause_questions.push_back(std::move(q));
  }

  const YAML::Node hints = r.sequence(root, "severity_hints", "");
  for (std::size_t i = 0; i < hints.size(); ++i) {
    const std::string path = "severity_hints[" + std::to_string(i) + "]";
    SeverityHint h{r.string(hints[i], "severity", path), r.text(hints[i], "when", path)};
    r.check_member(h.severity, severities, path + ".severity");
    pb.severity_hints.push_back(std::move(h));
  }

  const YAML::Node phases = r.mapping(root, "phases", "");
  std::set<std::string> known;
  for (Phase p : kPlaybookPhases) known.insert(std::string(phase_name(p)));
  for (const auto& kv : phases) r.check_member(kv.first.Scalar(), known, "phases");
  for (Phase p : kPlaybookPhases) {
    const std::string pname(phase_name(p));
    const YAML::Node steps = r.sequence(phases, pname, "phases");
    if (steps.size() == 0) r.fail(phases, "phases." + pname, "must have at least one step");
    auto& out = pb.phases[p];
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const YAML::Node s = steps[i];
      const std::string path = "phases." + pname + "[" + std::to_string(i) + "]";
      PlaybookStep step;
      step.id = r.id(s, "id", path);
      r.check_unique(ids, step.id, path + ".id");
      step.title = r.text(s, "title", path);
      if (step.title.vi.size() > 360 || step.title.en.size() > 120)  // 120 characters; Vietnamese UTF-8 takes up to 3 bytes
        r.fail(s["title"], path + ".title", "is longer than 120 characters");
      step.detail = r.text(s, "detail", path);
      step.responsible = r.id(s, "responsible", path);
      r.check_member(step.responsible, actors, path + ".responsible");
      step.coordinating = r.strings(s, "coordinating", path, false);
      for (const auto& a : step.coordinating) r.check_member(a, actors, path + ".coordinating");
      step.due_hours = r.integer(s, "due_hours", path, 1, 720);
      out.push_back(std::move(step));
    }
  }
  if (!r.ok()) return r.error();
  return pb;
}

std::vector<Phase> task_phases_for(Phase p) {
  switch (p) {
    case Phase::kReceived:
    case Phase::kVerifying: return {Phase::kVerifying, Phase::kInitialResponse};
    case Phase::kConfirmed:
    case Phase::kInitialResponse: return {Phase::kInitialResponse, Phase::kContainment};
    case Phase::kResponseChosen:
    case Phase::kAwaitingApproval:
    case Phase::kContainment: return {Phase::kContainment, Phase::kEradication};
    case Phase::kEradication: return {Phase::kEradication, Phase::kRecovery};
    case Phase::kRecovery: return {Phase::kRecovery, Phase::kVerification};
    case Phase::kVerification: return {Phase::kVerification, Phase::kClosing};
    case Phase::kClosing: return {Phase::kClosing};
    case Phase::kDismissed:
    case Phase::kClosed: return {};
  }
  return {};
}

}  // namespace khien::domain
