#pragma once
// The reference evaluator: Sigma rules decided on one event at a time, straight from the
// specification, for clarity and not speed. The engine must agree with it on every rule and
// every event (engine_differential_test.cpp).
#include <string>
#include <vector>

#include "detect/event.h"
#include "detect/mapping.h"
#include "detect/sigma/rule.h"

namespace khien::detect::reference {

// Whether the rule matches the event: some source of its log source (in the mapping) accepts
// the event and the rule's condition holds with the field names of that source.
bool matches(const sigma::Rule& rule, const Mapping& mapping, const Event& event);
// The same with the rule's sources already looked up (mapping.sources_for).
bool matches(const sigma::Rule& rule, const std::vector<const Source*>& sources, const Event& event);

}  // namespace khien::detect::reference
