#pragma once
// A Sigma rule as the specification (2.1) defines it, parsed and checked but not compiled:
// metadata, log source, the named searches of its detection and its condition. The matcher
// compiles these; the reference evaluator in the tests reads them directly.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace khien::detect::sigma {

// Value modifiers, in the order they are written on a field (`Image|endswith`,
// `CommandLine|wide|base64offset|contains`): transformations apply left to right.
enum class Modifier : std::uint8_t {
  kContains, kStartswith, kEndswith, kAll, kRe, kReCaseless, kReMultiline, kReDotAll, kBase64, kBase64offset,
  kUtf16le, kUtf16be, kUtf16, kWide, kWindash, kCidr, kExists, kCased, kNeq, kFieldref, kGt, kGte, kLt, kLte,
  kMinute, kHour, kDay, kWeek, kMonth, kYear, kExpand,
};
std::string_view modifier_name(Modifier m);

// A value of a search: YAML gives strings, numbers, booleans and null. A number is also
// compared as the string it was written as.
struct Value {
  enum class Kind : std::uint8_t { kString, kNumber, kBoolean, kNull };
  Kind kind = Kind::kString;
  std::string text;  // as written (for a string, with its wildcards and escapes)
  double number = 0;
  bool boolean = false;
};

// One field test: the field (empty for keywords, searched in every field), its modifiers and
// its values, of which one must match (all of them with `|all`).
struct FieldTest {
  std::string field;
  std::vector<Modifier> modifiers;
  std::vector<Value> values;
  bool has(Modifier m) const;
};

// A named search of the detection: alternatives (OR) of field tests that must all hold (AND).
// A map is one alternative; a list of maps is one alternative per map; a list of plain values
// is keywords (one alternative holding one field test without a field).
struct Search {
  std::vector<std::vector<FieldTest>> alternatives;
};

// The condition, with `1 of x*`, `all of x*` and `them` already resolved to the searches they name.
struct Condition {
  enum class Op : std::uint8_t { kSearch, kAnd, kOr, kNot };
  Op op = Op::kSearch;
  std::string search;             // kSearch
  std::vector<Condition> args;    // kAnd, kOr (two or more), kNot (one)
};

// A Sigma 1 aggregation (`selection | count(field) by group > 30` with `timeframe: 10m`), as
// deprecated rules still write it. Parsing turns it into a correlation rule over the rest of
// the rule (see Correlation), as Sigma 2 would write it.
struct Aggregation {
  std::string function;  // count, min, max, avg, sum
  std::string field;     // may be empty for count()
  std::string group_by;  // may be empty
  std::string op;        // >, >=, <, <=, ==
  double threshold = 0;
};

// A correlation rule (Sigma correlation rules 2.0, and the value_* types of pySigma): a
// condition on the matches of other rules, grouped by field values, within a timespan.
struct Correlation {
  enum class Type : std::uint8_t {
    kEventCount, kValueCount, kTemporal, kTemporalOrdered, kValueSum, kValueAvg, kValuePercentile, kValueMedian,
  };
  // One bound of the condition; several are all required (`gt: 100` and `lte: 200`).
  struct Bound {
    enum class Op : std::uint8_t { kGt, kGte, kLt, kLte, kEq, kNeq };
    Op op = Op::kGte;
    double value = 0;
  };
  Type type = Type::kEventCount;
  std::vector<std::string> rules;     // ids or names of rules or of other correlations
  std::vector<std::string> group_by;  // field names or aliases
  // alias -> (rule id or name -> field name in the events that rule matches)
  std::map<std::string, std::map<std::string, std::string>> aliases;
  std::int64_t timespan_seconds = 0;
  std::string timespan;  // as written
  std::vector<Bound> condition;  // for temporal types, empty: every rule
  std::string field;             // value_* types
  double percentile = 0;         // value_percentile (0-100); value_median is 50
  // temporal types may take a boolean expression over the rule names instead of bounds.
  std::optional<Condition> expression;
  bool generate = false;  // whether the rules it refers to also give matches of their own
};
std::string_view correlation_type_name(Correlation::Type t);

struct Logsource {
  std::string product;
  std::string category;
  std::string service;
  std::string definition;
};

struct Rule {
  std::string source;  // the file it came from
  std::string id;
  std::string name;  // how correlation rules may refer to it, besides its id
  std::string title;
  std::string status;
  std::string level;
  std::string description;
  std::string author;
  std::string date;
  std::string modified;
  std::vector<std::string> tags;
  std::vector<std::string> references;
  std::vector<std::string> falsepositives;
  std::vector<std::string> fields;
  Logsource logsource;
  std::map<std::string, Search> searches;
  std::vector<std::string> condition_text;  // as written; several are alternatives
  Condition condition;

  // A correlation rule has no log source nor detection: it decides on other rules' matches.
  std::optional<Correlation> correlation;

  // A filter (Sigma filters 2.0, `filter:`) is no rule of its own: its searches and condition
  // are added, with `and`, to the condition of each rule it names (by id or title, or every
  // rule with `rules: any`) whose log source it covers.
  bool is_filter = false;
  std::vector<std::string> filter_rules;  // empty with is_filter: any rule
};

}  // namespace khien::detect::sigma
