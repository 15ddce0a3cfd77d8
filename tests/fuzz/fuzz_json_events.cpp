// Any bytes as JSON events, read both as JSON Lines and as documents, with the built-in
// Windows mapping's JSON shapes, then matched by an engine of a few rules that reach every
// kind of test (strings, keywords, regex, numbers, CIDR, null, fieldref). Seeds: lines of the
// JSON Lines `bench/hunt` generates, and SigmaHQ's regression_data/**/*.json.
#include <string>
#include <vector>

#include "detect/engine.h"
#include "detect/json_events.h"
#include "detect/sigma/parse.h"


namespace {

using namespace khien::detect;

const char* const kRules = R"(title: strings
logsource: {product: windows}
detection:
  sel:
    CommandLine|contains|all: [' -enc ', 'powershell']
    Image|endswith: '\powershell.exe'
  keywords: ['mimikatz']
  re:
    CommandLine|re|i: 'inv[o0]ke-\w+'
  condition: sel or keywords or re
---
title: direct
logsource: {product: windows}
detection:
  sel:
    DestinationIp|cidr: ['10.0.0.0/8', 'fe80::/10']
    DestinationPort|gte: 1024
    ParentImage: null
    Image|fieldref: TargetImage
  condition: not sel
)";

struct Fixture {
  Mapping mapping = *parse_mapping(builtin_windows_mapping(), "windows.yml");
  std::unique_ptr<Engine> engine;
  Fixture() {
    std::vector<RuleProblem> problems;
    engine = Engine::compile(*sigma::parse_rules(kRules, "fuzz.yml"), mapping, problems);
  }
};

}  // namespace

namespace {

// An event as one string, to compare events read two ways.
std::string flat(const Event& e) {
  std::string s = std::to_string(e.event_id) + "|" + std::to_string(e.time_us) + "|";
  for (std::size_t i = 0; i < e.size(); ++i) s.append(e.name(i)).append("=").append(e.value(i)).append(";");
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  static JsonEvents json(fixture.mapping);
  static auto scanner = fixture.engine->scanner();
  std::string text(reinterpret_cast<const char*>(data), size);
  text.resize(size + JsonEvents::padding(), ' ');
  const std::string_view view(text.data(), size);
  std::vector<JsonProblem> problems;
  std::vector<Match> found;
  std::vector<std::string> events;
  auto sink = [&](const Event& e) {
    found.clear();
    scanner.match(e, found);
    for (const auto& m : found) (void)scanner.matched_fields(e, m.rule);
    events.push_back(flat(e));
    return true;
  };
  std::uint64_t line = 1;
  json.read_lines(view, line, sink, problems);
  // The lines read in one batch give what each line read alone gives: a broken line spoils
  // none of the others.
  const auto batched = events;
  std::vector<std::uint64_t> batched_problems;
  for (const auto& p : problems) batched_problems.push_back(p.line);
  events.clear();
  problems.clear();
  std::uint64_t alone = 1;
  for (std::size_t at = 0; at < size;) {
    auto end = view.find('\n', at);
    if (end == std::string_view::npos) end = size;
    std::string one(view.substr(at, end - at));
    one.resize(end - at + JsonEvents::padding(), ' ');
    std::uint64_t n = alone;
    json.read_lines(std::string_view(one.data(), end - at), n, sink, problems);
    ++alone;
    at = end + 1;
  }
  std::vector<std::uint64_t> alone_problems;
  for (const auto& p : problems) alone_problems.push_back(p.line);
  if (events != batched || alone_problems != batched_problems || (line != alone - (size > 0 && view.back() != '\n' ? 1 : 0)))
    __builtin_trap();
  problems.clear();
  json.read_document(view, sink, problems);
  return 0;
}
