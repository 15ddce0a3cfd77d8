#include "detect/reference_evaluator.h"

#include <arpa/inet.h>
#include <re2/re2.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <map>
#include <optional>

#include "detect/sigma/value.h"

namespace khien::detect::reference {

namespace {

using sigma::FieldTest;
using sigma::Modifier;
using sigma::Value;

std::vector<std::string_view> values_of(const Event& e, std::string_view field) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < e.size(); ++i)
    if (field.empty() || e.name(i) == field) out.emplace_back(e.value(i));
  return out;
}

bool lower_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// An IP address in a network: both as 16 bytes, compared bit by bit up to the prefix.
bool in_cidr(const std::string& network, std::string_view ip_text) {
  const std::string ip(ip_text);
  const auto slash = network.find('/');
  const std::string base = network.substr(0, slash);
  unsigned char n[16] = {}, a[16] = {};
  int family = AF_INET;
  if (inet_pton(AF_INET, base.c_str(), n) != 1) {
    family = AF_INET6;
    if (inet_pton(AF_INET6, base.c_str(), n) != 1) return false;
  }
  if (inet_pton(family, ip.c_str(), a) != 1) return false;
  const int bits = slash == std::string::npos ? (family == AF_INET ? 32 : 128) : std::atoi(network.c_str() + slash + 1);
  for (int b = 0; b < bits; ++b) {
    const int mask = 0x80 >> (b % 8);
    if ((n[b / 8] & mask) != (a[b / 8] & mask)) return false;
  }
  return true;
}

// The patterns of a value, computed once per value (the only concession to speed here).
// Keyed by what the patterns depend on (the modifiers and the value), never by address: rules
// come and go between tests.
const std::vector<sigma::Pattern>* patterns_of(const FieldTest& t, const Value& v) {
  static thread_local std::map<std::string, std::optional<std::vector<sigma::Pattern>>> cache;
  std::string key;
  for (const auto m : t.modifiers) key.append(sigma::modifier_name(m)).push_back('|');
  key.append(std::to_string(static_cast<int>(v.kind))).push_back('\x1f');
  key.append(v.text);
  auto [it, fresh] = cache.try_emplace(std::move(key));
  if (fresh) {
    auto p = sigma::string_patterns(t, v);
    if (p) it->second = std::move(*p);
  }
  return it->second ? &*it->second : nullptr;
}

std::optional<double> number(std::string_view text) {
  const std::string s(text);
  char* end = nullptr;
  const bool hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  const double v = hex ? static_cast<double>(std::strtoull(s.c_str(), &end, 16)) : std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) return std::nullopt;
  return v;
}

// One value of a field test against the field's values in the event.
bool value_matches(const FieldTest& t, const Value& v, const std::vector<std::string_view>& present, const Event& e,
                   const Source& source) {
  const bool cased = t.has(Modifier::kCased);
  auto any = [&](auto f) { return std::any_of(present.begin(), present.end(), f); };
  if (t.has(Modifier::kExists)) return present.empty() != v.boolean;
  // `|expand` without placeholder values (none are given here): the value matches nothing.
  if (t.has(Modifier::kExpand) && v.text.find('%') != std::string::npos) return false;
  if (t.has(Modifier::kNeq)) {
    if (present.empty()) return false;
    if (v.kind == Value::Kind::kNull) return std::none_of(present.begin(), present.end(), [](std::string_view s) { return s.empty(); });
    const auto* patterns = patterns_of(t, v);
    if (patterns == nullptr) return false;
    return std::none_of(present.begin(), present.end(), [&](std::string_view s) {
      return std::any_of(patterns->begin(), patterns->end(), [&](const auto& p) { return sigma::pattern_matches(p, s, cased); });
    });
  }
  if (v.kind == Value::Kind::kNull) return std::all_of(present.begin(), present.end(), [](std::string_view s) { return s.empty(); });
  if (t.has(Modifier::kFieldref)) {
    const auto other = e.get(source.field(v.text));
    return other && any([&](std::string_view s) { return cased ? s == *other : lower_equal(s, *other); });
  }
  if (t.has(Modifier::kCidr)) return any([&](std::string_view s) { return in_cidr(v.text, s); });
  for (const auto m : t.modifiers) {
    if (m == Modifier::kGt || m == Modifier::kGte || m == Modifier::kLt || m == Modifier::kLte)
      return any([&](std::string_view s) {
        const auto n = number(s);
        return n && (m == Modifier::kGt ? *n > v.number : m == Modifier::kGte ? *n >= v.number
                     : m == Modifier::kLt ? *n < v.number : *n <= v.number);
      });
    if (m == Modifier::kMinute || m == Modifier::kHour || m == Modifier::kDay || m == Modifier::kWeek ||
        m == Modifier::kMonth || m == Modifier::kYear)
      return any([&](std::string_view s) {
        std::tm tm{};
        if (s.size() < 19 || !strptime(std::string(s.substr(0, 19)).c_str(), s[10] == 'T' ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S", &tm))
          return false;
        const int day = tm.tm_mday;
        const time_t epoch = timegm(&tm);
        gmtime_r(&epoch, &tm);
        if (tm.tm_mday != day) return false;  // no such day (timegm moved it into the next month)
        char week[4];
        std::strftime(week, sizeof week, "%V", &tm);
        const int part = m == Modifier::kMinute ? tm.tm_min : m == Modifier::kHour ? tm.tm_hour : m == Modifier::kDay ? tm.tm_mday
                         : m == Modifier::kWeek ? std::atoi(week) : m == Modifier::kMonth ? tm.tm_mon + 1 : tm.tm_year + 1900;
        return part == static_cast<int>(v.number);
      });
  }
  if (t.has(Modifier::kRe)) {
    std::string flags;
    if (t.has(Modifier::kReCaseless)) flags += 'i';
    if (t.has(Modifier::kReMultiline)) flags += 'm';
    if (t.has(Modifier::kReDotAll)) flags += 's';
    RE2::Options options;
    options.set_log_errors(false);
    const RE2 re(flags.empty() ? v.text : "(?" + flags + ")" + v.text, options);
    return any([&](std::string_view s) { return RE2::PartialMatch(s, re); });
  }
  const auto* patterns = patterns_of(t, v);
  if (patterns == nullptr) return false;
  return any([&](std::string_view s) {
    return std::any_of(patterns->begin(), patterns->end(), [&](const sigma::Pattern& p) {
      if (!t.field.empty()) return sigma::pattern_matches(p, s, cased);
      // Keywords: anywhere in a value.
      static const sigma::Pattern kAnyRun{sigma::Piece{sigma::Piece::Kind::kAnyRun, {}}};
      sigma::Pattern anywhere = kAnyRun;
      anywhere.insert(anywhere.end(), p.begin(), p.end());
      anywhere.insert(anywhere.end(), kAnyRun.begin(), kAnyRun.end());
      return sigma::pattern_matches(anywhere, s, cased);
    });
  });
}

bool test_holds(const FieldTest& t, const Event& e, const Source& source) {
  const auto present = values_of(e, t.field.empty() ? std::string_view() : source.field(t.field));
  if (t.values.empty()) return false;
  if (t.has(Modifier::kAll))
    return std::all_of(t.values.begin(), t.values.end(), [&](const Value& v) { return value_matches(t, v, present, e, source); });
  return std::any_of(t.values.begin(), t.values.end(), [&](const Value& v) { return value_matches(t, v, present, e, source); });
}

bool search_holds(const sigma::Search& s, const Event& e, const Source& source) {
  return std::any_of(s.alternatives.begin(), s.alternatives.end(), [&](const std::vector<FieldTest>& tests) {
    return std::all_of(tests.begin(), tests.end(), [&](const FieldTest& t) { return test_holds(t, e, source); });
  });
}

bool condition_holds(const sigma::Condition& c, const sigma::Rule& r, const Event& e, const Source& source) {
  switch (c.op) {
    case sigma::Condition::Op::kSearch: return search_holds(r.searches.at(c.search), e, source);
    case sigma::Condition::Op::kNot: return !condition_holds(c.args[0], r, e, source);
    case sigma::Condition::Op::kAnd:
      return std::all_of(c.args.begin(), c.args.end(), [&](const auto& a) { return condition_holds(a, r, e, source); });
    case sigma::Condition::Op::kOr:
      return std::any_of(c.args.begin(), c.args.end(), [&](const auto& a) { return condition_holds(a, r, e, source); });
  }
  return false;
}

}  // namespace

bool matches(const sigma::Rule& rule, const Mapping& mapping, const Event& event) {
  return matches(rule, mapping.sources_for(rule.logsource), event);
}

bool matches(const sigma::Rule& rule, const std::vector<const Source*>& sources, const Event& event) {
  for (const auto* source : sources)
    if (source->accepts(event) && condition_holds(rule.condition, rule, event, *source)) return true;
  return false;
}

}  // namespace khien::detect::reference
