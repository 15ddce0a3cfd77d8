// Correlation rules over rule matches in time order (see correlate.h).
#include "detect/correlate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <unordered_map>

#include "detect/compare.h"

namespace khien::detect {

using sigma::Correlation;
using Type = Correlation::Type;
using Op = Correlation::Bound::Op;

namespace {

constexpr std::int64_t kForever = std::numeric_limits<std::int64_t>::max();

bool is_temporal(Type t) { return t == Type::kTemporal || t == Type::kTemporalOrdered; }

bool without_not(const sigma::Condition& c) {
  if (c.op == sigma::Condition::Op::kNot) return false;
  return std::all_of(c.args.begin(), c.args.end(), without_not);
}

// Whether the condition can only go from false to true as matches are added: then it is
// decided at each match over a sliding window.
bool decided_early(const Correlation& k) {
  const bool lower_bounds_only = std::all_of(k.condition.begin(), k.condition.end(),
                                             [](const Correlation::Bound& b) { return b.op == Op::kGt || b.op == Op::kGte; });
  switch (k.type) {
    case Type::kEventCount:
    case Type::kValueCount:
    case Type::kValueSum: return lower_bounds_only;
    case Type::kTemporal: return k.expression ? without_not(*k.expression) : lower_bounds_only;
    case Type::kTemporalOrdered: return lower_bounds_only;
    default: return false;
  }
}

bool holds(const std::vector<Correlation::Bound>& bounds, double v) {
  for (const auto& b : bounds) {
    const bool ok = b.op == Op::kGt ? v > b.value : b.op == Op::kGte ? v >= b.value : b.op == Op::kLt ? v < b.value
                    : b.op == Op::kLte ? v <= b.value : b.op == Op::kEq ? v == b.value : v != b.value;
    if (!ok) return false;
  }
  return true;
}

// The p-th percentile (0-100) by linear interpolation between the closest ranks.
double percentile_of(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double rank = p / 100.0 * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(rank));
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (rank - static_cast<double>(lo));
}

void append_events(std::vector<std::uint64_t>& to, const std::vector<std::uint64_t>& from) {
  for (const auto e : from) {
    if (to.size() >= Correlator::kMaxEvents) return;
    to.push_back(e);
  }
}

}  // namespace

struct Correlator::Compiled {
  std::uint32_t detection_count = 0;
  std::vector<sigma::Rule> rules;                 // the correlations kept
  std::vector<std::vector<std::string>> fields;   // per detection rule
  std::vector<std::uint8_t> rule_shown, correlation_shown;

  // What one referenced rule gives a correlation: where its group-by values and its value are.
  struct Reference {
    std::uint32_t node = 0;  // detection rule, or detection_count + correlation
    std::vector<std::uint32_t> group_at;
    std::int32_t value_at = -1;
  };
  // Per node, the correlations reading it and at which positions of their `rules` (descending).
  std::vector<std::vector<std::pair<std::uint32_t, std::vector<std::uint32_t>>>> readers;

  struct Entry {
    std::int64_t t = 0;
    std::int64_t first = 0;  // of the events behind it (earlier than t for a chained correlation's match)
    double number = 0;
    std::string value;
    std::vector<std::uint64_t> events;
  };
  struct Group {
    std::vector<std::string> values;
    std::int64_t first = 0, last = 0;
    std::deque<Entry> entries;  // sliding counts and sums: the matches of the timespan
    // sliding temporal: per position the latest match (temporal) or the in-order chain reaching
    // it with the latest start (temporal_ordered); its start time and events
    std::vector<std::int64_t> start, chain_first;
    std::vector<std::vector<std::uint64_t>> chain;
    // whole windows
    std::uint64_t count = 0;
    double sum = 0;
    std::unordered_map<std::string, std::uint32_t> distinct;
    std::vector<double> numbers;
    std::vector<std::uint8_t> seen;  // per position
    std::uint32_t ordered = 0;       // temporal_ordered: positions reached in order
    std::int64_t earliest = 0;       // of the events behind the window's matches
    std::vector<std::uint64_t> events;
  };
  struct State {
    std::uint32_t index = 0;  // into rules
    const Correlation* k = nullptr;
    bool early = false;
    std::int64_t span_us = kForever;
    std::vector<Reference> refs;  // per position of k->rules
    std::map<std::string, std::uint32_t> position_of;  // reference text -> position (expressions)
    std::unordered_map<std::string, Group> groups;
    // When a group may be done, one per group, in about time order (a group's is moved on
    // when it comes due while the group still has matches in its window).
    std::deque<std::pair<std::int64_t, std::string>> deadlines;
  };
  std::vector<State> states;

  std::int64_t window_start(const State& s, std::int64_t t) const {
    return s.span_us == kForever || t < std::numeric_limits<std::int64_t>::min() + s.span_us ? std::numeric_limits<std::int64_t>::min()
                                                                                              : t - s.span_us;
  }
  static std::int64_t deadline(const State& s, std::int64_t t) { return t > kForever - s.span_us ? kForever : t + s.span_us; }

  double metric(const State& s, const Group& g, std::int64_t t) const {
    const auto& k = *s.k;
    switch (k.type) {
      case Type::kEventCount: return static_cast<double>(s.early ? g.entries.size() : g.count);
      case Type::kValueCount: return static_cast<double>(g.distinct.size());
      case Type::kValueSum: return g.sum;
      case Type::kValueAvg: return g.count == 0 ? 0 : g.sum / static_cast<double>(g.count);
      case Type::kValuePercentile:
      case Type::kValueMedian: return percentile_of(g.numbers, k.percentile);
      case Type::kTemporal: {
        double n = 0;
        for (std::size_t p = 0; p < k.rules.size(); ++p) n += present(s, g, p, t) ? 1 : 0;
        return n;
      }
      case Type::kTemporalOrdered: {
        if (!s.early) return g.ordered;
        double n = 0;
        for (std::size_t p = 0; p < k.rules.size(); ++p)
          if (g.start[p] != std::numeric_limits<std::int64_t>::min() && g.start[p] >= window_start(s, t)) n = static_cast<double>(p + 1);
        return n;
      }
    }
    return 0;
  }

  bool present(const State& s, const Group& g, std::size_t p, std::int64_t t) const {
    if (!s.early) return g.seen[p] != 0;
    return g.start[p] != std::numeric_limits<std::int64_t>::min() && g.start[p] >= window_start(s, t);
  }

  bool evaluate(const State& s, const Group& g, const sigma::Condition& c, std::int64_t t) const {
    switch (c.op) {
      case sigma::Condition::Op::kSearch: return present(s, g, s.position_of.at(c.search), t);
      case sigma::Condition::Op::kNot: return !evaluate(s, g, c.args[0], t);
      case sigma::Condition::Op::kAnd:
        return std::all_of(c.args.begin(), c.args.end(), [&](const auto& a) { return evaluate(s, g, a, t); });
      case sigma::Condition::Op::kOr:
        return std::any_of(c.args.begin(), c.args.end(), [&](const auto& a) { return evaluate(s, g, a, t); });
    }
    return false;
  }

  bool satisfied(const State& s, const Group& g, std::int64_t t, double& value) const {
    value = metric(s, g, t);
    const auto& k = *s.k;
    if (k.expression) return evaluate(s, g, *k.expression, t);
    if (is_temporal(k.type) && k.condition.empty()) return value >= static_cast<double>(k.rules.size());
    return holds(k.condition, value);
  }

  static void reset(const State& s, Group& g) {
    const auto n = s.k->rules.size();
    g.entries.clear();
    g.start.assign(n, std::numeric_limits<std::int64_t>::min());
    g.chain_first.assign(n, 0);
    g.chain.assign(n, {});
    g.count = 0;
    g.sum = 0;
    g.distinct.clear();
    g.numbers.clear();
    g.seen.assign(n, 0);
    g.ordered = 0;
    g.events.clear();
  }

  void emit(State& s, Group& g, double value, std::vector<CorrelationMatch>& out) {
    CorrelationMatch m;
    m.correlation = s.index;
    m.value = value;
    for (std::size_t i = 0; i < g.values.size(); ++i) m.group.emplace_back(s.k->group_by[i], g.values[i]);
    m.last_us = g.last;
    if (s.early && (s.k->type == Type::kEventCount || s.k->type == Type::kValueCount || s.k->type == Type::kValueSum)) {
      m.first_us = g.last;
      m.event_count = g.entries.size();
      for (const auto& e : g.entries) {
        append_events(m.events, e.events);
        m.first_us = std::min(m.first_us, e.first);
      }
    } else if (s.early) {  // temporal: the matches that made it, oldest first
      m.first_us = g.last;
      std::vector<std::pair<std::int64_t, std::size_t>> order;
      for (std::size_t p = 0; p < g.start.size(); ++p)
        if (present(s, g, p, g.last)) {
          order.emplace_back(g.start[p], p);
          m.first_us = std::min(m.first_us, g.chain_first[p]);
        }
      std::sort(order.begin(), order.end());
      if (s.k->type == Type::kTemporalOrdered) {
        // The chain of the furthest position reached holds the events of the steps before it.
        for (std::size_t p = g.chain.size(); p-- > 0;)
          if (present(s, g, p, g.last)) {
            append_events(m.events, g.chain[p]);
            m.event_count = p + 1;
            break;
          }
      } else {
        for (const auto& [t, p] : order) append_events(m.events, g.chain[p]);
        m.event_count = order.size();
      }
    } else {
      m.first_us = g.earliest;
      m.event_count = g.count;
      m.events = g.events;
    }
    const auto node = detection_count + s.index;
    const bool shown = correlation_shown[s.index] != 0;
    const std::vector<std::string> values = g.values;
    const auto events = m.events;
    const auto t = m.last_us, first = m.first_us;
    if (shown) out.push_back(std::move(m));
    deliver(node, t, first, values, events, out);
  }

  // Closes whole windows whose time has passed, and forgets sliding groups whose matches have all
  // left the window.
  void expire(State& s, std::int64_t now, std::vector<CorrelationMatch>& out) {
    while (!s.deadlines.empty() && s.deadlines.front().first < now) {
      const auto key = std::move(s.deadlines.front().second);
      const auto when = s.deadlines.front().first;
      s.deadlines.pop_front();
      const auto it = s.groups.find(key);
      if (it == s.groups.end()) continue;
      auto& g = it->second;
      if (s.early) {
        // One deadline per group: it is moved on while the group has matches in its window.
        if (deadline(s, g.last) < now) s.groups.erase(it);
        else s.deadlines.emplace_back(deadline(s, g.last), key);
      } else if (deadline(s, g.first) == when) {
        close(s, it, out);
      }
    }
  }

  void close(State& s, std::unordered_map<std::string, Group>::iterator it, std::vector<CorrelationMatch>& out) {
    Group g = std::move(it->second);
    s.groups.erase(it);
    double value = 0;
    if (g.count > 0 && satisfied(s, g, g.last, value)) emit(s, g, value, out);
  }

  void add(State& s, std::uint32_t position, std::int64_t t, std::int64_t first, const std::vector<std::string>& values,
           const std::vector<std::uint64_t>& events, std::vector<CorrelationMatch>& out) {
    const auto& k = *s.k;
    const auto& ref = s.refs[position];
    std::string key;
    for (const auto at : ref.group_at) {
      if (at >= values.size() || values[at].empty()) return;  // no value to group by
      key += fmt::format("{}:", values[at].size());
      key += values[at];
    }
    std::string value;
    double number = 0;
    if (ref.value_at >= 0) {
      const auto at = static_cast<std::size_t>(ref.value_at);
      if (at >= values.size() || values[at].empty()) return;
      value = values[at];
      if (k.type != Type::kValueCount) {
        const auto n = to_number(value);
        if (!n || !std::isfinite(*n)) return;
        number = *n;
      }
    }
    expire(s, t, out);
    auto [it, fresh] = s.groups.try_emplace(key);
    auto* g = &it->second;
    if (!s.early && !fresh && t > deadline(s, g->first)) {  // its window has passed: close it, open another
      close(s, it, out);
      it = s.groups.try_emplace(key).first;
      g = &it->second;
      fresh = true;
    }
    if (fresh) {
      for (const auto at : ref.group_at) g->values.push_back(values[at]);
      reset(s, *g);
      g->first = t;
      g->earliest = first;
      s.deadlines.emplace_back(deadline(s, t), key);
    }
    g->last = t;
    if (s.early) {
      switch (k.type) {
        case Type::kTemporal:
          g->start[position] = t;
          g->chain_first[position] = first;
          g->chain[position] = events;
          break;
        case Type::kTemporalOrdered: {
          // Extend the chain that reached the position before, if it is still in the window.
          auto& best = g->start[position];
          if (position == 0) {
            best = t;
            g->chain_first[0] = first;
            g->chain[0] = events;
          } else if (const auto prev = g->start[position - 1];
                     prev != std::numeric_limits<std::int64_t>::min() && prev >= window_start(s, t) && prev >= best) {
            best = prev;
            g->chain_first[position] = g->chain_first[position - 1];
            g->chain[position] = g->chain[position - 1];
            append_events(g->chain[position], events);
          }
          break;
        }
        default: {
          const auto from = window_start(s, t);
          while (!g->entries.empty() && (g->entries.front().t < from || g->entries.size() >= kMaxEntries)) forget(k, *g);
          g->entries.push_back({t, first, number, value, events});
          if (k.type == Type::kValueCount) ++g->distinct[value];
          g->sum += number;
        }
      }
      double v = 0;
      if (satisfied(s, *g, t, v)) {
        emit(s, *g, v, out);
        reset(s, *g);
      }
      return;
    }
    // A whole window.
    ++g->count;
    g->earliest = std::min(g->earliest, first);
    g->sum += number;
    if (k.type == Type::kValueCount && g->distinct.size() < kMaxEntries) ++g->distinct[value];
    if ((k.type == Type::kValuePercentile || k.type == Type::kValueMedian) && g->numbers.size() < kMaxEntries)
      g->numbers.push_back(number);
    g->seen[position] = 1;
    if (k.type == Type::kTemporalOrdered && position == g->ordered) ++g->ordered;
    append_events(g->events, events);
  }

  static void forget(const Correlation& k, Group& g) {
    auto& e = g.entries.front();
    if (k.type == Type::kValueCount) {
      const auto d = g.distinct.find(e.value);
      if (d != g.distinct.end() && --d->second == 0) g.distinct.erase(d);
    }
    g.sum -= e.number;
    g.entries.pop_front();
  }

  void deliver(std::uint32_t node, std::int64_t t, std::int64_t first, const std::vector<std::string>& values,
               const std::vector<std::uint64_t>& events, std::vector<CorrelationMatch>& out) {
    for (const auto& [state, positions] : readers[node]) {
      auto& s = states[state];
      if (is_temporal(s.k->type)) {
        for (const auto p : positions) add(s, p, t, first, values, events, out);  // descending: one match, one step
      } else {
        add(s, positions.front(), t, first, values, events, out);  // a rule named twice counts once
      }
    }
  }
};

Correlator::Correlator() : c_(std::make_unique<Compiled>()) {}
Correlator::~Correlator() = default;

const std::vector<sigma::Rule>& Correlator::rules() const { return c_->rules; }
const std::vector<std::string>& Correlator::fields_of(std::uint32_t rule) const { return c_->fields[rule]; }
bool Correlator::reads(std::uint32_t rule) const { return !c_->readers[rule].empty(); }
bool Correlator::shows(std::uint32_t rule) const { return c_->rule_shown[rule] != 0; }
bool Correlator::shows_correlation(std::uint32_t correlation) const { return c_->correlation_shown[correlation] != 0; }

void Correlator::feed(const Input& input, std::vector<CorrelationMatch>& out) {
  c_->deliver(input.rule, input.time_us, input.time_us, input.values, {input.event}, out);
}

void Correlator::finish(std::vector<CorrelationMatch>& out) {
  // Inner correlations first: closing one may feed those that read it.
  for (auto& s : c_->states) {
    if (s.early) {
      s.groups.clear();
      s.deadlines.clear();
      continue;
    }
    std::vector<std::string> keys;
    for (const auto& [when, key] : s.deadlines)
      if (s.groups.contains(key)) keys.push_back(key);
    s.deadlines.clear();
    for (const auto& key : keys)
      if (const auto it = s.groups.find(key); it != s.groups.end()) c_->close(s, it, out);
  }
}

std::unique_ptr<Correlator> Correlator::compile(std::vector<sigma::Rule> correlations, const std::vector<sigma::Rule>& rules,
                                                std::vector<RuleProblem>& problems) {
  std::unique_ptr<Correlator> result(new Correlator());
  auto& c = *result->c_;
  const auto detection = static_cast<std::uint32_t>(rules.size());
  c.detection_count = detection;
  // Names and ids of every node: detection rules, then correlations.
  std::map<std::string, std::uint32_t> node_of;
  for (std::uint32_t i = 0; i < detection; ++i) {
    if (!rules[i].id.empty()) node_of.try_emplace(rules[i].id, i);
    if (!rules[i].name.empty()) node_of.try_emplace(rules[i].name, i);
  }
  const auto n = correlations.size();
  for (std::uint32_t i = 0; i < n; ++i) {
    if (!correlations[i].id.empty()) node_of.try_emplace(correlations[i].id, detection + i);
    if (!correlations[i].name.empty()) node_of.try_emplace(correlations[i].name, detection + i);
  }
  // Each correlation's references, or why it cannot be used.
  std::vector<std::vector<std::uint32_t>> refs(n);
  std::vector<std::string> why(n);
  for (std::size_t i = 0; i < n; ++i)
    for (const auto& ref : correlations[i].correlation->rules) {
      const auto it = node_of.find(ref);
      if (it == node_of.end()) {
        why[i] = fmt::format("it refers to '{}', which is no loaded rule (by id or name)", ref);
        break;
      }
      refs[i].push_back(it->second);
    }
  // Cycles and references to unusable correlations, in dependency order.
  std::vector<int> mark(n, 0);  // 0 new, 1 visiting, 2 done
  std::vector<std::uint32_t> order;
  std::function<bool(std::size_t)> visit = [&](std::size_t i) -> bool {
    if (mark[i] == 1) {
      why[i] = "it refers to itself through other correlations";
      return false;
    }
    if (mark[i] == 2) return why[i].empty();
    mark[i] = 1;
    for (const auto node : refs[i])
      if (node >= detection && !visit(node - detection) && why[i].empty())
        why[i] = fmt::format("it refers to the correlation '{}', which cannot be used", correlations[node - detection].title);
    mark[i] = 2;
    order.push_back(static_cast<std::uint32_t>(i));
    return why[i].empty();
  };
  for (std::size_t i = 0; i < n; ++i) visit(i);
  // Fields: group-by names (through aliases) and the value field, per reference.
  std::vector<std::vector<Compiled::Reference>> references(n);
  std::vector<std::vector<std::string>> fields(detection);
  for (const auto i : order) {
    if (!why[i].empty()) continue;
    const auto& k = *correlations[i].correlation;
    for (std::size_t p = 0; p < refs[i].size() && why[i].empty(); ++p) {
      const auto node = refs[i][p];
      Compiled::Reference r;
      r.node = node;
      auto field_for = [&](const std::string& name) -> std::string {
        const auto alias = k.aliases.find(name);
        if (alias == k.aliases.end()) return name;
        for (const auto& [rule_ref, field] : alias->second)
          if (const auto it = node_of.find(rule_ref); rule_ref == k.rules[p] || (it != node_of.end() && it->second == node))
            return field;
        why[i] = fmt::format("the alias '{}' names no field for the rule '{}'", name, k.rules[p]);
        return {};
      };
      auto position = [&](const std::string& field) -> std::int32_t {
        if (node < detection) {
          auto& f = fields[node];
          const auto it = std::find(f.begin(), f.end(), field);
          if (it != f.end()) return static_cast<std::int32_t>(it - f.begin());
          f.push_back(field);
          return static_cast<std::int32_t>(f.size() - 1);
        }
        const auto& inner = correlations[node - detection];
        const auto& g = inner.correlation->group_by;
        const auto it = std::find(g.begin(), g.end(), field);
        if (it == g.end()) {
          why[i] = fmt::format("it reads the correlation '{}', which does not group by '{}'", inner.title, field);
          return -1;
        }
        return static_cast<std::int32_t>(it - g.begin());
      };
      for (const auto& g : k.group_by) {
        const auto field = field_for(g);
        if (!why[i].empty()) break;
        const auto at = position(field);
        if (at >= 0) r.group_at.push_back(static_cast<std::uint32_t>(at));
      }
      if (!k.field.empty() && why[i].empty()) {
        const auto field = field_for(k.field);
        if (why[i].empty()) r.value_at = position(field);
      }
      references[i].push_back(std::move(r));
    }
  }
  // A correlation that became unusable above makes those reading it unusable too (order is
  // dependency order, so one pass suffices).
  for (const auto i : order)
    for (const auto node : refs[i])
      if (why[i].empty() && node >= detection && !why[node - detection].empty())
        why[i] = fmt::format("it refers to the correlation '{}', which cannot be used", correlations[node - detection].title);

  // Keep the usable ones, in the order given.
  std::vector<std::int64_t> kept_as(n, -1);
  for (std::size_t i = 0; i < n; ++i) {
    if (!why[i].empty()) {
      problems.push_back({correlations[i].source, correlations[i].id.empty() ? correlations[i].title : correlations[i].id, why[i]});
      continue;
    }
    kept_as[i] = static_cast<std::int64_t>(c.rules.size());
    c.rules.push_back(std::move(correlations[i]));
  }
  c.fields.assign(detection, {});
  c.readers.assign(detection + c.rules.size(), {});
  c.rule_shown.assign(detection, 1);
  c.correlation_shown.assign(c.rules.size(), 1);
  std::vector<std::uint8_t> generated(detection + c.rules.size(), 0);
  // Fields of detection rules only from kept correlations: recompute positions accordingly.
  for (const auto i : order) {
    if (kept_as[i] < 0) continue;
    for (auto& r : references[i])
      if (r.node < detection) {
        auto& f = c.fields[r.node];
        auto remap = [&](std::uint32_t at) {
          const auto& name = fields[r.node][at];
          const auto it = std::find(f.begin(), f.end(), name);
          if (it != f.end()) return static_cast<std::uint32_t>(it - f.begin());
          f.push_back(name);
          return static_cast<std::uint32_t>(f.size() - 1);
        };
        for (auto& at : r.group_at) at = remap(at);
        if (r.value_at >= 0) r.value_at = static_cast<std::int32_t>(remap(static_cast<std::uint32_t>(r.value_at)));
      } else {
        r.node = detection + static_cast<std::uint32_t>(kept_as[r.node - detection]);
      }
  }
  c.states.resize(c.rules.size());
  // States in dependency order, so that finish() closes inner correlations first.
  std::uint32_t next = 0;
  std::vector<std::uint32_t> state_of(c.rules.size());
  for (const auto i : order) {
    if (kept_as[i] < 0) continue;
    const auto kept = static_cast<std::uint32_t>(kept_as[i]);
    auto& s = c.states[next];
    state_of[kept] = next++;
    s.index = kept;
    s.k = &*c.rules[kept].correlation;
    s.early = decided_early(*s.k);
    s.span_us = s.k->timespan_seconds == 0 ? kForever : s.k->timespan_seconds * 1000000;
    s.refs = std::move(references[i]);
    for (std::uint32_t p = 0; p < s.k->rules.size(); ++p) s.position_of.try_emplace(s.k->rules[p], p);
  }
  for (std::uint32_t st = 0; st < c.states.size(); ++st) {
    const auto& s = c.states[st];
    std::map<std::uint32_t, std::vector<std::uint32_t>> positions;
    for (std::uint32_t p = 0; p < s.refs.size(); ++p) positions[s.refs[p].node].insert(positions[s.refs[p].node].begin(), p);
    for (auto& [node, ps] : positions) {
      c.readers[node].emplace_back(st, std::move(ps));
      if (s.k->generate) generated[node] = 1;
    }
  }
  for (std::uint32_t node = 0; node < c.readers.size(); ++node) {
    const bool shown = c.readers[node].empty() || generated[node] != 0;
    if (node < detection) c.rule_shown[node] = shown ? 1 : 0;
    else c.correlation_shown[node - detection] = shown ? 1 : 0;
  }
  return result;
}

}  // namespace khien::detect
