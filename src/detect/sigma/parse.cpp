#include "detect/sigma/parse.h"
#include "detect/sigma/yaml.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <set>

#include "detect/sigma/condition.h"

namespace khien::detect::sigma {

namespace {

constexpr std::array<std::pair<std::string_view, Modifier>, 31> kModifiers = {{
    {"contains", Modifier::kContains},   {"startswith", Modifier::kStartswith}, {"endswith", Modifier::kEndswith},
    {"all", Modifier::kAll},             {"re", Modifier::kRe},                 {"i", Modifier::kReCaseless},
    {"m", Modifier::kReMultiline},       {"s", Modifier::kReDotAll},            {"base64", Modifier::kBase64},
    {"base64offset", Modifier::kBase64offset}, {"utf16le", Modifier::kUtf16le}, {"utf16be", Modifier::kUtf16be},
    {"utf16", Modifier::kUtf16},         {"wide", Modifier::kWide},             {"windash", Modifier::kWindash},
    {"cidr", Modifier::kCidr},           {"exists", Modifier::kExists},         {"cased", Modifier::kCased},
    {"neq", Modifier::kNeq},             {"fieldref", Modifier::kFieldref},     {"gt", Modifier::kGt},
    {"gte", Modifier::kGte},             {"lt", Modifier::kLt},                 {"lte", Modifier::kLte},
    {"minute", Modifier::kMinute},       {"hour", Modifier::kHour},             {"day", Modifier::kDay},
    {"week", Modifier::kWeek},           {"month", Modifier::kMonth},           {"year", Modifier::kYear},
    {"expand", Modifier::kExpand},
}};

const std::set<std::string> kLevels = {"informational", "low", "medium", "high", "critical"};
const std::set<std::string> kStatuses = {"stable", "test", "experimental", "deprecated", "unsupported"};

// A failure while reading one file: the first one is reported.
struct Failure {
  std::string where;
  std::string why;
};

bool is_null(const yaml::Node& n) { return n.is_null(); }

bool plain(const yaml::Node& n) { return n.plain(); }

Value value_of(const yaml::Node& n) {
  Value v;
  if (is_null(n)) {
    v.kind = Value::Kind::kNull;
    return v;
  }
  v.text = n.scalar();
  if (!plain(n)) return v;  // quoted: always a string
  if (v.text == "true" || v.text == "True" || v.text == "TRUE" || v.text == "false" || v.text == "False" ||
      v.text == "FALSE") {
    v.kind = Value::Kind::kBoolean;
    v.boolean = v.text[0] == 't' || v.text[0] == 'T';
    return v;
  }
  double d = 0;
  const char* b = v.text.data();
  const char* e = b + v.text.size();
  if (!v.text.empty() && (std::isdigit(static_cast<unsigned char>(v.text[0])) || v.text[0] == '-')) {
    auto [ptr, ec] = std::from_chars(b, e, d);
    if (ec == std::errc() && ptr == e) {
      v.kind = Value::Kind::kNumber;
      v.number = d;
    }
  }
  return v;
}

std::string text_of(const yaml::Node& map, const char* key, const std::string& where, std::vector<Failure>& out) {
  const auto n = map[key];
  if (is_null(n)) return {};
  if (!n.is_scalar()) {
    out.push_back({fmt::format("{}{}", where, key), "must be a text"});
    return {};
  }
  return n.scalar();
}

// A text or a list of texts; `where` prefixes the key in failures ("correlation.").
std::vector<std::string> list_of(const yaml::Node& map, const char* key, std::vector<Failure>& out, const std::string& where = "") {
  std::vector<std::string> v;
  const auto n = map[key];
  if (is_null(n)) return v;
  if (n.is_scalar()) return {n.scalar()};
  if (!n.is_sequence()) {
    out.push_back({where + key, "must be a text or a list of texts"});
    return v;
  }
  for (const auto& e : n) {
    if (e.is_scalar()) v.push_back(e.scalar());
    else if (!is_null(e)) out.push_back({where + key, "must be a text or a list of texts"});
  }
  return v;
}

// `Field|mod|mod` and its values.
std::optional<FieldTest> field_test(const std::string& key, const yaml::Node& values, const std::string& where,
                                    std::vector<Failure>& out) {
  FieldTest t;
  std::size_t bar = key.find('|');
  t.field = key.substr(0, bar);
  while (bar != std::string::npos) {
    const std::size_t next = key.find('|', bar + 1);
    const std::string name = key.substr(bar + 1, next == std::string::npos ? std::string::npos : next - bar - 1);
    const auto it = std::find_if(kModifiers.begin(), kModifiers.end(), [&](const auto& m) { return m.first == name; });
    if (it == kModifiers.end()) {
      out.push_back({where, fmt::format("unknown modifier '{}' in '{}'", name, key)});
      return std::nullopt;
    }
    t.modifiers.push_back(it->second);
    bar = next;
  }
  if (values.is_map()) {
    out.push_back({where, fmt::format("'{}' holds a map; a field takes a value or a list of values", key)});
    return std::nullopt;
  }
  if (values.is_sequence()) {
    for (const auto& e : values) {
      if (!is_null(e) && !e.is_scalar()) {
        out.push_back({where, fmt::format("'{}' holds a nested list or map", key)});
        return std::nullopt;
      }
      t.values.push_back(value_of(e));
    }
    if (t.values.empty()) {
      out.push_back({where, fmt::format("'{}' has an empty list of values", key)});
      return std::nullopt;
    }
  } else {
    t.values.push_back(value_of(values));
  }
  // Checks that need the values.
  const bool re_flag = t.has(Modifier::kReCaseless) || t.has(Modifier::kReMultiline) || t.has(Modifier::kReDotAll);
  if (re_flag && !t.has(Modifier::kRe)) {
    out.push_back({where, fmt::format("'{}': the flags i, m, s belong to the re modifier", key)});
    return std::nullopt;
  }
  if (t.has(Modifier::kExists)) {
    if (t.values.size() != 1 || t.values[0].kind != Value::Kind::kBoolean) {
      out.push_back({where, fmt::format("'{}': exists takes true or false", key)});
      return std::nullopt;
    }
  }
  const bool numeric = t.has(Modifier::kGt) || t.has(Modifier::kGte) || t.has(Modifier::kLt) || t.has(Modifier::kLte);
  if (numeric)
    for (const auto& v : t.values)
      if (v.kind != Value::Kind::kNumber) {
        out.push_back({where, fmt::format("'{}': '{}' is not a number", key, v.text)});
        return std::nullopt;
      }
  if (t.field.empty() && (t.has(Modifier::kExists) || t.has(Modifier::kFieldref) || numeric)) {
    out.push_back({where, fmt::format("'{}' needs a field name", key)});
    return std::nullopt;
  }
  return t;
}

std::optional<std::vector<FieldTest>> map_alternative(const yaml::Node& map, const std::string& where,
                                                      std::vector<Failure>& out) {
  std::vector<FieldTest> tests;
  for (const auto& kv : map) {
    if (!kv.first.is_scalar()) {
      out.push_back({where, "a field name must be a text"});
      return std::nullopt;
    }
    auto t = field_test(kv.first.scalar(), kv.second, where, out);
    if (!t) return std::nullopt;
    tests.push_back(std::move(*t));
  }
  if (tests.empty()) {
    out.push_back({where, "an empty map matches nothing"});
    return std::nullopt;
  }
  return tests;
}

std::optional<Search> search_of(const yaml::Node& node, const std::string& where, std::vector<Failure>& out) {
  Search s;
  if (node.is_map()) {
    auto a = map_alternative(node, where, out);
    if (!a) return std::nullopt;
    s.alternatives.push_back(std::move(*a));
    return s;
  }
  if (node.is_sequence()) {
    FieldTest keywords;
    for (const auto& e : node) {
      if (e.is_map()) {
        auto a = map_alternative(e, where, out);
        if (!a) return std::nullopt;
        s.alternatives.push_back(std::move(*a));
      } else if (e.is_scalar() || is_null(e)) {
        keywords.values.push_back(value_of(e));
      } else {
        out.push_back({where, "a list of searches holds a nested list"});
        return std::nullopt;
      }
    }
    if (!keywords.values.empty()) s.alternatives.push_back({std::move(keywords)});
    if (s.alternatives.empty()) {
      out.push_back({where, "an empty list matches nothing"});
      return std::nullopt;
    }
    return s;
  }
  out.push_back({where, "a search is a map of fields, a list of maps or a list of keywords"});
  return std::nullopt;
}

// The attributes every kind of rule has.
void read_metadata(const yaml::Node& doc, std::string_view source, Rule& r, std::vector<Failure>& out) {
  r.source = source;
  r.id = text_of(doc, "id", "", out);
  r.title = text_of(doc, "title", "", out);
  r.status = text_of(doc, "status", "", out);
  r.level = text_of(doc, "level", "", out);
  r.description = text_of(doc, "description", "", out);
  r.author = text_of(doc, "author", "", out);
  r.date = text_of(doc, "date", "", out);
  r.modified = text_of(doc, "modified", "", out);
  r.tags = list_of(doc, "tags", out);
  r.references = list_of(doc, "references", out);
  r.falsepositives = list_of(doc, "falsepositives", out);
  r.fields = list_of(doc, "fields", out);
  if (r.title.empty()) out.push_back({"title", "required"});
  if (!r.is_filter && !r.level.empty() && !kLevels.contains(r.level))
    out.push_back({"level", fmt::format("'{}' is not one of informational, low, medium, high, critical", r.level)});
  if (!r.status.empty() && !kStatuses.contains(r.status))
    out.push_back({"status", fmt::format("'{}' is not one of stable, test, experimental, deprecated, unsupported", r.status)});
  r.name = text_of(doc, "name", "", out);
}

// `5m`: a number and a unit (s, m, h, d, w; M and y as pySigma reckons them).
std::optional<std::int64_t> timespan_seconds(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  std::int64_t n = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, n);
  if (ec != std::errc() || ptr != text.data() + text.size() - 1 || n <= 0) return std::nullopt;
  std::int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    case 'w': unit = 604800; break;
    case 'M': unit = 2629746; break;
    case 'y': unit = 31556952; break;
    default: return std::nullopt;
  }
  if (n > std::numeric_limits<std::int64_t>::max() / unit / 1000000) return std::nullopt;
  return n * unit;
}

constexpr std::array<std::pair<std::string_view, Correlation::Type>, 8> kCorrelationTypes = {{
    {"event_count", Correlation::Type::kEventCount},   {"value_count", Correlation::Type::kValueCount},
    {"temporal", Correlation::Type::kTemporal},        {"temporal_ordered", Correlation::Type::kTemporalOrdered},
    {"value_sum", Correlation::Type::kValueSum},       {"value_avg", Correlation::Type::kValueAvg},
    {"value_percentile", Correlation::Type::kValuePercentile}, {"value_median", Correlation::Type::kValueMedian},
}};

constexpr std::array<std::pair<std::string_view, Correlation::Bound::Op>, 6> kBoundOps = {{
    {"gt", Correlation::Bound::Op::kGt}, {"gte", Correlation::Bound::Op::kGte}, {"lt", Correlation::Bound::Op::kLt},
    {"lte", Correlation::Bound::Op::kLte}, {"eq", Correlation::Bound::Op::kEq}, {"neq", Correlation::Bound::Op::kNeq},
}};

bool is_temporal(Correlation::Type t) { return t == Correlation::Type::kTemporal || t == Correlation::Type::kTemporalOrdered; }
bool takes_field(Correlation::Type t) {
  return t != Correlation::Type::kEventCount && !is_temporal(t);
}

std::optional<Rule> correlation_of(const yaml::Node& doc, std::string_view source, std::vector<Failure>& out) {
  Rule r;
  read_metadata(doc, source, r, out);
  if (doc["detection"]) out.push_back({"detection", "a correlation rule has no detection of its own; it refers to rules"});
  const auto c = doc["correlation"];
  if (!c.is_map()) {
    out.push_back({"correlation", "a map of type, rules, group-by, timespan and condition"});
    return std::nullopt;
  }
  Correlation k;
  const std::string type = text_of(c, "type", "correlation.", out);
  const auto t = std::find_if(kCorrelationTypes.begin(), kCorrelationTypes.end(), [&](const auto& e) { return e.first == type; });
  if (type.empty()) {
    out.push_back({"correlation.type", "required: event_count, value_count, temporal, temporal_ordered, value_sum, "
                                       "value_avg, value_percentile or value_median"});
    return std::nullopt;
  }
  if (t == kCorrelationTypes.end()) {
    out.push_back({"correlation.type", fmt::format("'{}' is not one of event_count, value_count, temporal, temporal_ordered, "
                                                   "value_sum, value_avg, value_percentile, value_median", type)});
    return std::nullopt;
  }
  k.type = t->second;
  k.rules = list_of(c, "rules", out, "correlation.");
  if (k.rules.empty()) out.push_back({"correlation.rules", "required: the ids or names of the rules it correlates"});
  k.group_by = list_of(c, "group-by", out, "correlation.");
  k.timespan = text_of(c, "timespan", "correlation.", out);
  if (k.timespan.empty()) {
    out.push_back({"correlation.timespan", "required, e.g. 5m (s, m, h, d, w)"});
  } else if (const auto secs = timespan_seconds(k.timespan)) {
    k.timespan_seconds = *secs;
  } else {
    out.push_back({"correlation.timespan", fmt::format("'{}' is not a number followed by s, m, h, d, w, M or y", k.timespan)});
  }
  if (const auto g = c["generate"]; !is_null(g)) {
    const auto v = value_of(g);
    if (v.kind != Value::Kind::kBoolean) out.push_back({"correlation.generate", "true or false"});
    k.generate = v.boolean;
  }
  if (const auto a = c["aliases"]; !is_null(a)) {
    if (!a.is_map()) {
      out.push_back({"correlation.aliases", "a map of alias names to maps of rule names to field names"});
    } else {
      for (const auto& alias : a) {
        if (!alias.second.is_map()) {
          out.push_back({"correlation.aliases." + alias.first.scalar(), "a map of rule names to field names"});
          continue;
        }
        auto& fields = k.aliases[alias.first.scalar()];
        for (const auto& kv : alias.second)
          if (kv.second.is_scalar()) fields[kv.first.scalar()] = kv.second.scalar();
          else out.push_back({"correlation.aliases." + alias.first.scalar(), "a map of rule names to field names"});
      }
    }
  }
  const auto cond = c["condition"];
  if (is_null(cond)) {
    if (!is_temporal(k.type)) out.push_back({"correlation.condition", "required, e.g. gte: 10"});
  } else if (cond.is_scalar()) {
    if (k.type != Correlation::Type::kTemporal) {
      out.push_back({"correlation.condition", "an expression over the rules (a and b) is for the temporal type; this one takes "
                                              "a map such as gte: 10"});
    } else if (out.empty()) {
      auto e = parse_condition(cond.scalar(), k.rules, "rule of the correlation");
      if (!e) out.push_back({"correlation.condition", e.error().detail()});
      else k.expression = std::move(*e);
    }
  } else if (!cond.is_map()) {
    out.push_back({"correlation.condition", "a map such as gte: 10 (several bounds are all required)"});
  } else {
    for (const auto& kv : cond) {
      const std::string key = kv.first.scalar();
      if (key == "field") {
        if (kv.second.is_scalar()) k.field = kv.second.scalar();
        else out.push_back({"correlation.condition.field", "one field name"});
        continue;
      }
      const auto v = value_of(kv.second);
      if (key == "percentile") {
        if (v.kind != Value::Kind::kNumber || v.number < 0 || v.number > 100)
          out.push_back({"correlation.condition.percentile", fmt::format("'{}' is not a number from 0 to 100", v.text)});
        k.percentile = v.number;
        continue;
      }
      const auto op = std::find_if(kBoundOps.begin(), kBoundOps.end(), [&](const auto& e) { return e.first == key; });
      if (op == kBoundOps.end()) {
        out.push_back({"correlation.condition", fmt::format("'{}' is not one of gt, gte, lt, lte, eq, neq, field, percentile", key)});
        continue;
      }
      if (v.kind != Value::Kind::kNumber) {
        out.push_back({"correlation.condition." + key, fmt::format("'{}' is not a number", v.text)});
        continue;
      }
      k.condition.push_back({op->second, v.number});
    }
    if (k.condition.empty()) out.push_back({"correlation.condition", "needs a bound: gt, gte, lt, lte, eq or neq"});
  }
  if (takes_field(k.type) && k.field.empty())
    out.push_back({"correlation.condition.field", fmt::format("required by {}: the field whose values it counts or sums", type)});
  if (!takes_field(k.type) && !k.field.empty())
    out.push_back({"correlation.condition.field", fmt::format("{} takes no field; value_count and the value_* types do", type)});
  if (k.type == Correlation::Type::kValuePercentile && is_null(cond["percentile"]))
    out.push_back({"correlation.condition.percentile", "required by value_percentile, e.g. percentile: 95"});
  if (k.type == Correlation::Type::kValueMedian) k.percentile = 50;
  if (!out.empty()) return std::nullopt;
  r.correlation = std::move(k);
  return r;
}

// A Sigma 1 aggregation as Sigma 2 writes it: the rule without it, giving no matches of its
// own, and a correlation rule over that one with the rule's id, title and level.
bool aggregated(Rule r, const Aggregation& a, const std::string& timeframe, std::vector<Rule>& rules,
                std::vector<Failure>& out) {
  Correlation k;
  if (a.function == "count") k.type = a.field.empty() ? Correlation::Type::kEventCount : Correlation::Type::kValueCount;
  else if (a.function == "sum") k.type = Correlation::Type::kValueSum;
  else if (a.function == "avg") k.type = Correlation::Type::kValueAvg;
  else {
    out.push_back({"detection.condition", fmt::format("the aggregation {}() has no Sigma 2 correlation type (count, sum and "
                                                      "avg have)", a.function)});
    return false;
  }
  k.field = a.field;
  if (!a.group_by.empty()) k.group_by.push_back(a.group_by);
  using Op = Correlation::Bound::Op;
  const Op op = a.op == ">" ? Op::kGt : a.op == ">=" ? Op::kGte : a.op == "<" ? Op::kLt : a.op == "<=" ? Op::kLte : Op::kEq;
  k.condition.push_back({op, a.threshold});
  // No timeframe: the whole input is one window.
  k.timespan = timeframe;
  if (!timeframe.empty()) {
    const auto secs = timespan_seconds(timeframe);
    if (!secs) {
      out.push_back({"detection.timeframe", fmt::format("'{}' is not a number followed by s, m, h, d, w, M or y", timeframe)});
      return false;
    }
    k.timespan_seconds = *secs;
  }
  Rule base = r;
  base.name = fmt::format("{}/events", r.id.empty() ? r.title : r.id);
  base.id.clear();
  base.title = r.title + " (events)";
  k.rules.push_back(base.name);
  Rule correlation = std::move(r);  // its metadata; it has no detection of its own
  correlation.logsource = {};
  correlation.searches.clear();
  correlation.condition_text.clear();
  correlation.condition = {};
  correlation.correlation = std::move(k);
  rules.push_back(std::move(base));
  rules.push_back(std::move(correlation));
  return true;
}

// The rules of one YAML document (two for a Sigma 1 aggregation), appended to `rules`.
bool rule_of(const yaml::Node& doc, std::string_view source, std::vector<Failure>& out, std::vector<Rule>& rules) {
  if (!doc.is_map()) {
    out.push_back({"", "a rule is a YAML map"});
    return false;
  }
  if (doc["action"]) {
    out.push_back({"action", "rule collections (action: global/reset/repeat) are Sigma 1; write each rule whole"});
    return false;
  }
  if (doc["correlation"]) {
    auto c = correlation_of(doc, source, out);
    if (c) rules.push_back(std::move(*c));
    return c.has_value();
  }
  Rule r;
  // A filter's `filter:` map is read as a detection (its searches and condition) plus `rules`.
  const auto filter = doc["filter"];
  if (filter) {
    if (!filter.is_map()) {
      out.push_back({"filter", "a map of rules, searches and a condition"});
      return false;
    }
    r.is_filter = true;
    if (!filter["rules"]) {
      out.push_back({"filter.rules", "required: the rules (ids or titles) to filter, or any"});
      return false;
    }
    r.filter_rules = list_of(filter, "rules", out, "filter.");
    if (r.filter_rules == std::vector<std::string>{"any"} || r.filter_rules == std::vector<std::string>{"all"})
      r.filter_rules.clear();  // every rule
  }
  const yaml::Node detection = r.is_filter ? filter : doc["detection"];
  read_metadata(doc, source, r, out);

  const auto ls = doc["logsource"];
  if (!ls || !ls.is_map()) {
    out.push_back({"logsource", "required: a map of product, category, service"});
  } else {
    r.logsource.product = text_of(ls, "product", "logsource.", out);
    r.logsource.category = text_of(ls, "category", "logsource.", out);
    r.logsource.service = text_of(ls, "service", "logsource.", out);
    r.logsource.definition = text_of(ls, "definition", "logsource.", out);
  }

  if (!detection || !detection.is_map()) {
    out.push_back({r.is_filter ? "filter" : "detection", "required: a map of searches and a condition"});
    return false;
  }
  std::vector<std::string> names;
  for (const auto& kv : detection) {
    const std::string name = kv.first.scalar();
    if (name == "condition" || (r.is_filter && name == "rules")) continue;
    if (name == "timeframe") continue;  // read with the aggregation below
    auto s = search_of(kv.second, "detection." + name, out);
    if (!s) continue;
    r.searches.emplace(name, std::move(*s));
    names.push_back(name);
  }
  const auto cond = detection["condition"];
  if (is_null(cond)) {
    out.push_back({"detection.condition", "required"});
  } else if (cond.is_scalar()) {
    r.condition_text.push_back(cond.scalar());
  } else if (cond.is_sequence()) {
    for (const auto& c : cond)
      if (c.is_scalar()) r.condition_text.push_back(c.scalar());
      else out.push_back({"detection.condition", "a list of conditions holds texts only"});
  } else {
    out.push_back({"detection.condition", "a text or a list of texts"});
  }
  if (!out.empty()) return false;
  if (detection["timeframe"] && r.condition_text.size() == 1 && r.condition_text[0].find('|') == std::string::npos) {
    out.push_back({"detection.timeframe", "a timeframe without an aggregation ('| count() …') means nothing"});
    return false;
  }
  std::vector<Condition> alternatives;
  std::optional<Aggregation> aggregation;
  for (const auto& written : r.condition_text) {
    // A Sigma 1 aggregation follows the first '|' (search names never hold one).
    std::string_view text = written;
    if (const auto bar = text.find('|'); bar != std::string_view::npos) {
      if (r.condition_text.size() > 1) {
        out.push_back({"detection.condition", "an aggregation needs a single condition"});
        return false;
      }
      auto a = parse_aggregation(text.substr(bar + 1));
      if (!a) {
        out.push_back({"detection.condition", a.error().detail()});
        return false;
      }
      aggregation = std::move(*a);
      text = text.substr(0, bar);
    }
    auto c = parse_condition(text, names);
    if (!c) {
      out.push_back({"detection.condition", c.error().detail()});
      return false;
    }
    alternatives.push_back(std::move(*c));
  }
  if (alternatives.size() == 1) {
    r.condition = std::move(alternatives.front());
  } else {
    r.condition.op = Condition::Op::kOr;
    r.condition.args = std::move(alternatives);
  }
  if (aggregation) return aggregated(std::move(r), *aggregation, text_of(detection, "timeframe", "detection.", out), rules, out);
  rules.push_back(std::move(r));
  return true;
}

}  // namespace

std::string_view correlation_type_name(Correlation::Type t) {
  for (const auto& [name, value] : kCorrelationTypes)
    if (value == t) return name;
  return "?";
}

std::string_view modifier_name(Modifier m) {
  for (const auto& [name, value] : kModifiers)
    if (value == m) return name;
  return "?";
}

bool FieldTest::has(Modifier m) const { return std::find(modifiers.begin(), modifiers.end(), m) != modifiers.end(); }

Result<std::vector<Rule>> parse_rules(std::string_view text, std::string_view source) {
  const auto stream = yaml::parse(text);
  if (!stream) return Error("invalid_rule", fmt::format("{}: YAML: {}", source, stream.error().detail()));
  const auto& docs = stream->documents();
  std::vector<Rule> rules;
  for (std::size_t k = 0; k < docs.size(); ++k) {
    if (is_null(docs[k])) continue;
    std::vector<Failure> failures;
    // A document is refused with a reason: rule_of returns false only with a failure.
    if (!rule_of(docs[k], source, failures, rules) || !failures.empty()) {
      if (failures.empty()) failures.push_back({"", "not a rule"});
      const auto& f = failures.front();
      return Error("invalid_rule", fmt::format("{}{}: {}{}", source, docs.size() > 1 ? fmt::format(" (document {})", k + 1) : "",
                                               f.where.empty() ? "" : f.where + ": ", f.why));
    }
  }
  if (rules.empty()) return Error("invalid_rule", fmt::format("{}: no rule in the file", source));
  return rules;
}

namespace {

void prefix_searches(Condition& c, const std::string& prefix) {
  if (c.op == Condition::Op::kSearch) c.search = prefix + c.search;
  for (auto& a : c.args) prefix_searches(a, prefix);
}

// A filter's log source covers a rule's when each part the filter names is the rule's.
bool covers(const Logsource& filter, const Logsource& rule) {
  return (filter.product.empty() || filter.product == rule.product) &&
         (filter.category.empty() || filter.category == rule.category) &&
         (filter.service.empty() || filter.service == rule.service);
}

}  // namespace

std::vector<Rule> apply_filters(std::vector<Rule> rules, std::vector<std::string>& notes) {
  std::vector<Rule> filters, out;
  for (auto& r : rules) (r.is_filter ? filters : out).push_back(std::move(r));
  for (std::size_t k = 0; k < filters.size(); ++k) {
    const auto& f = filters[k];
    const std::string prefix = fmt::format("_filter{}_", k);
    std::size_t applied = 0;
    for (auto& r : out) {
      const bool named = f.filter_rules.empty() ||
                         std::any_of(f.filter_rules.begin(), f.filter_rules.end(),
                                     [&](const std::string& ref) { return ref == r.id || ref == r.title; });
      if (!named || !covers(f.logsource, r.logsource)) continue;
      for (const auto& [name, search] : f.searches) r.searches.emplace(prefix + name, search);
      Condition filter_condition = f.condition;
      prefix_searches(filter_condition, prefix);
      Condition both;
      both.op = Condition::Op::kAnd;
      both.args = {std::move(r.condition), std::move(filter_condition)};
      r.condition = std::move(both);
      ++applied;
    }
    if (applied == 0)
      notes.push_back(fmt::format("{}: the filter '{}' applies to no loaded rule (none it names has its log source)", f.source,
                                  f.title));
  }
  return out;
}

std::vector<Rule> take_correlations(std::vector<Rule>& rules) {
  std::vector<Rule> out;
  for (auto& r : rules)
    if (r.correlation) out.push_back(std::move(r));
  std::erase_if(rules, [](const Rule& r) { return r.correlation.has_value(); });
  return out;
}

}  // namespace khien::detect::sigma
