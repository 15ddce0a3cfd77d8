#pragma once
// The condition language of Sigma 2.1: search identifiers, `and`, `or`, `not`, parentheses,
// `1 of <pattern>`, `all of <pattern>`, `1 of them`, `all of them` (`them`: every search whose
// name does not start with "_"). Precedence: not, then and, then or.
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "detect/sigma/rule.h"

namespace khien::detect::sigma {

// Parses `text` against the rule's search names. Errors (code "invalid_condition") say what
// was expected where, name an unknown search, or a pattern that matches no search. `what`
// names a search in those errors (a temporal correlation's expression names rules).
Result<Condition> parse_condition(std::string_view text, const std::vector<std::string>& searches,
                                  std::string_view what = "search of the detection");

// The part of a Sigma 1 condition after '|': `count(field) by group > N` (also min, max, avg,
// sum). `near` and anything else are refused with the reason.
Result<Aggregation> parse_aggregation(std::string_view text);

// Whether `name` matches a search-identifier pattern (`*` any run, `?` one character).
bool identifier_matches(std::string_view pattern, std::string_view name);

}  // namespace khien::detect::sigma
