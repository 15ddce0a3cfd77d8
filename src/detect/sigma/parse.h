#pragma once
// Reading Sigma rule files (YAML) into rules. Nothing is dropped silently: a file that cannot
// be read as rules gives one error (code "invalid_rule" or "invalid_condition") whose detail
// names the place and the reason, e.g. "detection.selection: unknown modifier 'contain'".
#include <string_view>
#include <vector>

#include "base/result.h"
#include "detect/sigma/rule.h"

namespace khien::detect::sigma {

// Every rule of one file (a file may hold several YAML documents). `source` is kept as the
// rules' `source` and used in messages.
Result<std::vector<Rule>> parse_rules(std::string_view text, std::string_view source);

// The rules with every filter among them applied (see Rule::is_filter), filters removed. A
// filter that applies to no rule is named in `notes`.
std::vector<Rule> apply_filters(std::vector<Rule> rules, std::vector<std::string>& notes);

// Removes the correlation rules from `rules` (keeping the others' order) and returns them.
std::vector<Rule> take_correlations(std::vector<Rule>& rules);

}  // namespace khien::detect::sigma
