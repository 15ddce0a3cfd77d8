#pragma once
// Correlation rules (Sigma correlation rules 2.0, and pySigma's value_* types) over the matches
// of other rules, fed in time order.
//
// Each correlation keeps, per group (the values of its group-by fields, through its aliases),
// the matches of the last `timespan`. How it decides:
//   - When more can only help — event_count, value_count and value_sum whose condition has only
//     gt/gte bounds, and temporal or temporal_ordered with gt/gte bounds, none (all the rules)
//     or an expression without `not` — the window slides: the condition is decided at each
//     match over the matches of the timespan before it. When it holds, one match is given and
//     the group starts again, so the same matches are not counted twice.
//   - Otherwise (an upper bound such as `lt: 5`, `eq`, `neq`, value_avg, value_percentile,
//     value_median, an expression with `not`) the condition is decided over a whole window: it
//     opens at the group's first match and closes one timespan later, when a later match
//     arrives (in any group) or at finish().
// A match without a value for a group-by field (or, for the value_* types, for the field they
// count) does not count. A correlation may refer to another one: it then reads that one's
// matches, whose fields are that one's group-by fields. The rules a correlation reads give no
// matches of their own unless some correlation reading them says `generate: true`.
// State is bounded: groups are forgotten once their window has passed, and one group keeps at
// most kMaxEntries matches (the oldest go first).
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "detect/engine.h"
#include "detect/sigma/rule.h"

namespace khien::detect {

struct CorrelationMatch {
  std::uint32_t correlation = 0;  // index into Correlator::rules()
  std::int64_t first_us = 0, last_us = 0;
  std::vector<std::pair<std::string, std::string>> group;  // group-by name, value
  double value = 0;  // what the condition was decided on: a count, distinct values, a sum, an average…
  std::uint64_t event_count = 0;  // matches in the window
  // The callers' references (Input::event) of the events behind it, oldest first: at most
  // kMaxEvents (through chained correlations too).
  std::vector<std::uint64_t> events;
};

class Correlator {
 public:
  static constexpr std::size_t kMaxEvents = 100;
  static constexpr std::size_t kMaxEntries = 100000;

  // `rules` are the detection rules matches come from (Engine::rules()); correlations refer to
  // them, and to each other, by id or name. A correlation that cannot be used (a reference to no
  // loaded rule, a cycle, a group-by field a chained correlation does not give) is named in
  // `problems` with why and left out, with the correlations that refer to it.
  static std::unique_ptr<Correlator> compile(std::vector<sigma::Rule> correlations, const std::vector<sigma::Rule>& rules,
                                             std::vector<RuleProblem>& problems);
  ~Correlator();
  Correlator(const Correlator&) = delete;
  Correlator& operator=(const Correlator&) = delete;

  const std::vector<sigma::Rule>& rules() const;
  // The fields (Sigma names) a match of detection rule `rule` must carry, in Input::values'
  // order; empty when no correlation reads the rule.
  const std::vector<std::string>& fields_of(std::uint32_t rule) const;
  bool reads(std::uint32_t rule) const;
  // Whether matches of detection rule `rule` are shown (see above).
  bool shows(std::uint32_t rule) const;
  // Whether a correlation's matches are shown (not when only read by others without `generate`).
  bool shows_correlation(std::uint32_t correlation) const;

  struct Input {
    std::uint32_t rule = 0;
    std::int64_t time_us = 0;
    std::uint64_t event = 0;  // the caller's reference, given back in CorrelationMatch::events
    std::vector<std::string> values;  // per fields_of(rule); empty: the event has no such field
  };
  // Inputs come in time order. Matches of shown correlations are appended to `out`.
  void feed(const Input& input, std::vector<CorrelationMatch>& out);
  // Closes every open window (the end of the input).
  void finish(std::vector<CorrelationMatch>& out);

  struct Compiled;

 private:
  Correlator();
  std::unique_ptr<Compiled> c_;
};

}  // namespace khien::detect
