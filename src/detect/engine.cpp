#include "detect/engine.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <hs/hs.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <ctime>
#include <deque>
#include <map>
#include <set>
#include <optional>
#include <tuple>
#include <unordered_map>

#include "detect/sigma/parse.h"
#include "detect/sigma/value.h"

namespace khien::detect {

using sigma::FieldTest;
using sigma::Modifier;
using sigma::Pattern;
using sigma::Value;

namespace {

// ---- Direct tests (no Vectorscan): numbers, CIDR, time parts ----

std::optional<double> to_number(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  double v = 0;
  if (s.starts_with("0x") || s.starts_with("0X")) {
    std::uint64_t u = 0;
    const auto [end, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), u, 16);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return static_cast<double>(u);
  }
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

struct Network {
  int family = 0;  // AF_INET or AF_INET6
  unsigned char bytes[16] = {};
  int prefix = 0;
};

std::optional<Network> parse_ip(std::string_view text, int default_prefix_v4, int default_prefix_v6) {
  Network n;
  std::string s(text);
  const auto slash = s.find('/');
  std::string address = s.substr(0, slash);
  if (inet_pton(AF_INET, address.c_str(), n.bytes) == 1) {
    n.family = AF_INET;
    n.prefix = default_prefix_v4;
  } else if (inet_pton(AF_INET6, address.c_str(), n.bytes) == 1) {
    n.family = AF_INET6;
    n.prefix = default_prefix_v6;
  } else {
    return std::nullopt;
  }
  if (slash != std::string::npos) {
    const auto p = std::string_view(s).substr(slash + 1);
    int prefix = -1;
    const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    const int max = n.family == AF_INET ? 32 : 128;
    if (ec != std::errc() || end != p.data() + p.size() || prefix < 0 || prefix > max) return std::nullopt;
    n.prefix = prefix;
  }
  return n;
}

bool in_network(const Network& net, std::string_view ip_text) {
  const auto ip = parse_ip(ip_text, 32, 128);
  if (!ip || ip->family != net.family) return false;
  const int full = net.prefix / 8, rest = net.prefix % 8;
  if (!std::equal(net.bytes, net.bytes + full, ip->bytes)) return false;
  if (rest == 0) return true;
  const auto mask = static_cast<unsigned char>(0xFF << (8 - rest));
  return (net.bytes[full] & mask) == (ip->bytes[full] & mask);
}

// "2019-03-19T23:34:25.278Z", "2019-03-19 23:34:25" -> broken-down UTC time.
std::optional<std::tm> to_time(std::string_view s) {
  if (s.size() < 19) return std::nullopt;
  std::tm t{};
  auto num = [&](std::size_t at, std::size_t n, int& out) {
    const auto [end, ec] = std::from_chars(s.data() + at, s.data() + at + n, out);
    return ec == std::errc() && end == s.data() + at + n;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!num(0, 4, y) || !num(5, 2, mo) || !num(8, 2, d) || !num(11, 2, h) || !num(14, 2, mi) || !num(17, 2, se))
    return std::nullopt;
  t.tm_year = y - 1900;
  t.tm_mon = mo - 1;
  t.tm_mday = d;
  t.tm_hour = h;
  t.tm_min = mi;
  t.tm_sec = se;
  const time_t epoch = timegm(&t);  // normalises, fills tm_wday and tm_yday
  gmtime_r(&epoch, &t);
  return t;
}

int time_part(const std::tm& t, Modifier m) {
  switch (m) {
    case Modifier::kMinute: return t.tm_min;
    case Modifier::kHour: return t.tm_hour;
    case Modifier::kDay: return t.tm_mday;
    case Modifier::kWeek: {  // ISO 8601 week number
      char buf[4];
      std::strftime(buf, sizeof buf, "%V", &t);
      return std::atoi(buf);
    }
    case Modifier::kMonth: return t.tm_mon + 1;
    default: return t.tm_year + 1900;
  }
}

bool is_time_part(Modifier m) {
  return m == Modifier::kMinute || m == Modifier::kHour || m == Modifier::kDay || m == Modifier::kWeek ||
         m == Modifier::kMonth || m == Modifier::kYear;
}

// A pattern as a Vectorscan expression over the whole value: text escaped byte by byte.
// Keywords are scanned over all values at once, NUL between them: their wildcards stay
// within one value.
std::string to_expression(const Pattern& p, bool keyword) {
  std::string out;
  std::size_t begin = 0, end = p.size();
  const bool open_start = !p.empty() && p.front().kind == sigma::Piece::Kind::kAnyRun;
  const bool open_end = end > begin + (open_start ? 1 : 0) && p.back().kind == sigma::Piece::Kind::kAnyRun;
  if (open_start) ++begin;
  if (open_end) --end;
  if (!open_start) out += "\\A";
  for (std::size_t i = begin; i < end; ++i) {
    const auto& piece = p[i];
    if (piece.kind == sigma::Piece::Kind::kAnyRun) out += keyword ? "[^\\x00]*" : ".*";
    else if (piece.kind == sigma::Piece::Kind::kAnyOne) out += keyword ? "[^\\x00]" : ".";
    else
      for (const char ch : piece.text) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c == '_') out.push_back(ch);
        else out += fmt::format("\\x{:02x}", c);
      }
  }
  if (!(open_end || (open_start && p.size() == 1))) out += "\\z";
  return out;
}

std::string re_flags(const FieldTest& t) {
  std::string f;
  if (t.has(Modifier::kReCaseless)) f += 'i';
  if (t.has(Modifier::kReMultiline)) f += 'm';
  if (t.has(Modifier::kReDotAll)) f += 's';
  return f;
}

}  // namespace

// ---- The compiled form ----

struct Atom {
  std::string field;  // the event's field; empty: every field (keywords)
  const FieldTest* test = nullptr;
  bool direct = false;  // decided in code, not by a scan
  bool all = false;
  bool cased = false;
  std::uint32_t first_slot = 0, slot_count = 0;  // string values (scanned atoms)
  std::vector<std::vector<Pattern>> patterns;    // per value (direct string fallback, matched fields)
  std::vector<std::unique_ptr<RE2>> regexes;     // RE2 values (direct)
  std::vector<Network> networks;                 // cidr values
  std::string ref_field;                         // fieldref (mapped)
  std::vector<std::uint32_t> instances;          // instances using the atom
};

struct CondNode {
  sigma::Condition::Op op = sigma::Condition::Op::kSearch;
  std::uint32_t search = 0;
  std::vector<CondNode> args;
};

struct Instance {
  std::uint32_t rule = 0;
  const Source* source = nullptr;
  std::vector<std::vector<std::vector<std::uint32_t>>> searches;  // search -> alternatives -> atoms
  CondNode condition;
  bool always = false;  // evaluated even without a true scanned atom
};

// Where a literal must sit in the value for its pattern to hold.
enum class Placement : std::uint8_t { kAnywhere, kStart, kEnd, kWhole };

struct Literal {
  std::uint32_t length = 0;
  Placement placement = Placement::kAnywhere;
  std::uint32_t first = 0, count = 0;  // into Database::literal_slots
};

// The patterns of one field: literals (most of them: `\cmd.exe` at the end, `-enc` anywhere)
// in a literal database, placed by the match offsets; the rest as expressions.
struct Database {
  hs_database_t* regex = nullptr;
  std::vector<std::uint32_t> slot_of;  // expression id -> value slot
  hs_database_t* literals = nullptr;
  std::vector<Literal> literal_of;      // literal id -> where, which slots
  std::vector<std::uint32_t> literal_slots;
  bool empty() const { return regex == nullptr && literals == nullptr; }
};

struct Engine::Compiled {
  Mapping mapping;  // the sources below point into it
  std::vector<sigma::Rule> rules;
  std::vector<std::uint32_t> unmapped;
  std::vector<Atom> atoms;
  std::vector<Instance> instances;
  std::vector<std::uint32_t> slot_atom;
  std::deque<FieldTest> expanded;  // `|expand` tests with their placeholders replaced
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Database, NameHash, std::equal_to<>> fields;  // field name -> database
  Database keywords;                                  // scanned over every value
  std::vector<const Source*> sources;                 // every source some instance uses
  hs_scratch_t* scratch = nullptr;                    // prototype, cloned per scanner

  ~Compiled() {
    for (auto& [_, d] : fields) {
      hs_free_database(d.regex);
      hs_free_database(d.literals);
    }
    hs_free_database(keywords.regex);
    hs_free_database(keywords.literals);
    hs_free_scratch(scratch);
  }
};

namespace {

struct Expression {
  std::string text;  // a Vectorscan expression, or the literal bytes when `literal`
  unsigned flags = 0;
  std::uint32_t slot = 0;
  bool literal = false;
  Placement placement = Placement::kAnywhere;
};

// A pattern that is one run of text, perhaps with `*` before and/or after, as a placed literal.
std::optional<Expression> as_literal(const Pattern& p, bool cased) {
  std::size_t begin = 0, end = p.size();
  const bool open_start = begin < end && p[begin].kind == sigma::Piece::Kind::kAnyRun;
  if (open_start) ++begin;
  const bool open_end = begin < end && p[end - 1].kind == sigma::Piece::Kind::kAnyRun;
  if (open_end) --end;
  if (end != begin + 1 || p[begin].kind != sigma::Piece::Kind::kText || p[begin].text.empty()) return std::nullopt;
  Expression e;
  e.text = p[begin].text;
  e.literal = true;
  e.placement = open_start ? (open_end ? Placement::kAnywhere : Placement::kEnd)
                           : (open_end ? Placement::kStart : Placement::kWhole);
  // Placed literals need every occurrence (the last one may be the one at the end).
  e.flags = (cased ? 0u : HS_FLAG_CASELESS) | (e.placement == Placement::kAnywhere ? HS_FLAG_SINGLEMATCH : 0u);
  return e;
}

struct Builder {
  Engine::Compiled& c;
  const Placeholders& placeholders;
  std::set<std::string> missing;  // placeholders the current rule names without values
  std::map<std::string, std::uint32_t> atom_ids;
  std::map<std::string, std::vector<Expression>> expressions;  // field ("" = keywords) -> expressions
  // The current rule's new atoms, kept apart until the whole rule has compiled.
  std::vector<std::pair<std::string, Expression>> pending;
  std::vector<std::string> pending_keys;

  void commit() {
    for (auto& [field, e] : pending) expressions[field].push_back(std::move(e));
    pending.clear();
    pending_keys.clear();
  }
  void undo() {
    for (const auto& k : pending_keys) atom_ids.erase(k);
    pending.clear();
    pending_keys.clear();
  }

  // One field test as an atom; an error names why the rule cannot be compiled.
  Result<std::uint32_t> atom(const FieldTest& t, const Source& source) {
    const std::string field = t.field.empty() ? std::string() : std::string(source.field(t.field));
    std::string key = field + '\x1f';
    for (auto m : t.modifiers) key += std::string(sigma::modifier_name(m)) + '|';
    for (const auto& v : t.values) key += fmt::format("\x1f{}:{}", static_cast<int>(v.kind), v.text);
    if (t.has(Modifier::kFieldref)) key += "\x1f" + std::string(source.field(t.values.empty() ? "" : t.values[0].text));
    if (const auto it = atom_ids.find(key); it != atom_ids.end()) return it->second;

    Atom a;
    a.field = field;
    a.test = &t;
    a.all = t.has(Modifier::kAll);
    a.cased = t.has(Modifier::kCased);
    const bool numeric = t.has(Modifier::kGt) || t.has(Modifier::kGte) || t.has(Modifier::kLt) || t.has(Modifier::kLte);
    bool part = false;
    for (auto m : t.modifiers) part = part || is_time_part(m);
    const bool has_null =
        std::any_of(t.values.begin(), t.values.end(), [](const Value& v) { return v.kind == Value::Kind::kNull; });
    std::vector<Expression> exprs;
    if (t.has(Modifier::kExpand)) {
      // The test with each %placeholder% replaced by each of its values; it then compiles
      // as any other (the copy lives as long as the engine).
      FieldTest expanded = t;
      expanded.values.clear();
      for (const auto& v : t.values) {
        std::vector<std::string> texts{v.text};
        for (auto at = v.text.find('%'); at != std::string::npos; at = v.text.find('%', at + 1)) {
          const auto end = v.text.find('%', at + 1);
          if (end == std::string::npos) break;
          const auto name = v.text.substr(at + 1, end - at - 1);
          const auto values = placeholders.find(name);
          if (values == placeholders.end() || values->second.empty()) {
            missing.insert(name);
            texts.clear();
            break;
          }
          std::vector<std::string> grown;
          for (const auto& text : texts)
            for (const auto& value : values->second) {
              auto copy = text;
              const auto pos = copy.find("%" + name + "%");
              if (pos != std::string::npos) copy.replace(pos, name.size() + 2, value);
              grown.push_back(std::move(copy));
            }
          texts = std::move(grown);
          at = end;
        }
        for (auto& text : texts) expanded.values.push_back({Value::Kind::kString, std::move(text), 0, false});
      }
      std::erase(expanded.modifiers, Modifier::kExpand);
      c.expanded.push_back(std::move(expanded));
      return atom(c.expanded.back(), source);
    }
    if (t.has(Modifier::kExists) || numeric || part || has_null || t.has(Modifier::kNeq)) {
      a.direct = true;
      if (t.has(Modifier::kNeq) || has_null)
        for (const auto& v : t.values) {
          if (v.kind == Value::Kind::kNull) {
            a.patterns.emplace_back();
            continue;
          }
          auto p = sigma::string_patterns(t, v);
          if (!p) return p.error();
          a.patterns.push_back(std::move(*p));
        }
    } else if (t.has(Modifier::kFieldref)) {
      a.direct = true;
      for (auto m : t.modifiers)
        if (m != Modifier::kFieldref && m != Modifier::kCased && m != Modifier::kAll)
          return Error("invalid_rule", fmt::format("'{}': fieldref with {} is not supported", t.field, sigma::modifier_name(m)));
      if (t.values.size() != 1) return Error("invalid_rule", fmt::format("'{}': fieldref takes one field name", t.field));
      a.ref_field = std::string(source.field(t.values[0].text));
    } else if (t.has(Modifier::kCidr)) {
      a.direct = true;
      for (const auto& v : t.values) {
        auto n = parse_ip(v.text, 32, 128);
        if (!n) return Error("invalid_rule", fmt::format("'{}': '{}' is not a network (CIDR)", t.field, v.text));
        a.networks.push_back(*n);
      }
    } else if (t.has(Modifier::kRe)) {
      const auto flags = re_flags(t);
      std::vector<std::string> texts;
      bool all_scannable = true;
      for (const auto& v : t.values) {
        unsigned hs_flags = HS_FLAG_SINGLEMATCH;
        if (flags.find('i') != std::string::npos) hs_flags |= HS_FLAG_CASELESS;
        if (flags.find('m') != std::string::npos) hs_flags |= HS_FLAG_MULTILINE;
        if (flags.find('s') != std::string::npos) hs_flags |= HS_FLAG_DOTALL;
        hs_expr_info_t* info = nullptr;
        hs_compile_error_t* err = nullptr;
        if (hs_expression_info(v.text.c_str(), hs_flags, &info, &err) != HS_SUCCESS) {
          hs_free_compile_error(err);
          all_scannable = false;
        } else {
          if (info->min_width == 0) hs_flags |= HS_FLAG_ALLOWEMPTY;
          std::free(info);
          exprs.push_back({v.text, hs_flags, 0});
        }
      }
      if (!all_scannable) {
        exprs.clear();
        a.direct = true;
        RE2::Options options;
        options.set_log_errors(false);
        for (const auto& v : t.values) {
          auto re = std::make_unique<RE2>(flags.empty() ? v.text : "(?" + flags + ")" + v.text, options);
          if (!re->ok())
            return Error("invalid_rule", fmt::format("'{}': regular expression '{}' is taken neither by Vectorscan nor by RE2: {}",
                                                     t.field, v.text, re->error()));
          a.regexes.push_back(std::move(re));
        }
      }
    } else {
      for (const auto& v : t.values) {
        auto patterns = sigma::string_patterns(t, v);
        if (!patterns) return patterns.error();
        if (field.empty())  // keywords: found anywhere in a value
          for (auto& p : *patterns) {
            if (p.empty() || p.front().kind != sigma::Piece::Kind::kAnyRun) p.insert(p.begin(), {sigma::Piece::Kind::kAnyRun, {}});
            if (p.back().kind != sigma::Piece::Kind::kAnyRun) p.push_back({sigma::Piece::Kind::kAnyRun, {}});
          }
        a.patterns.push_back(*patterns);
      }
      // Each value is one slot; its patterns (variants) all report that slot.
      for (std::size_t k = 0; k < a.patterns.size(); ++k)
        for (const auto& p : a.patterns[k]) {
          if (auto lit = as_literal(p, a.cased)) {
            lit->slot = static_cast<std::uint32_t>(k);
            exprs.push_back(std::move(*lit));
            continue;
          }
          unsigned flags = HS_FLAG_SINGLEMATCH | HS_FLAG_DOTALL | HS_FLAG_ALLOWEMPTY;
          if (!a.cased) flags |= HS_FLAG_CASELESS;
          exprs.push_back({to_expression(p, field.empty()), flags, static_cast<std::uint32_t>(k)});
        }
    }
    if (!a.direct) {
      const auto values = t.has(Modifier::kRe) ? t.values.size() : a.patterns.size();
      a.first_slot = static_cast<std::uint32_t>(c.slot_atom.size());
      a.slot_count = static_cast<std::uint32_t>(values);
      if (t.has(Modifier::kRe))
        for (std::size_t k = 0; k < exprs.size(); ++k) exprs[k].slot = static_cast<std::uint32_t>(k);
      for (auto& e : exprs) e.slot += a.first_slot;
      const auto id = static_cast<std::uint32_t>(c.atoms.size());
      for (std::size_t k = 0; k < values; ++k) c.slot_atom.push_back(id);
      for (auto& e : exprs) pending.emplace_back(field, std::move(e));
    }
    const auto id = static_cast<std::uint32_t>(c.atoms.size());
    c.atoms.push_back(std::move(a));
    atom_ids.emplace(key, id);
    pending_keys.push_back(std::move(key));
    return id;
  }

  Result<Database> database(const std::vector<Expression>& list) {
    Database d;
    std::vector<const char*> texts, literal_texts;
    std::vector<unsigned> flags, ids, literal_flags, literal_ids;
    std::vector<std::size_t> literal_lengths;
    // Equal literals (many rules end with `\\cmd.exe`) are one literal reporting every slot.
    std::map<std::tuple<std::string_view, unsigned, Placement>, std::vector<std::uint32_t>> literals;
    for (const auto& e : list) {
      if (e.literal) {
        literals[{e.text, e.flags, e.placement}].push_back(e.slot);
        continue;
      }
      texts.push_back(e.text.c_str());
      flags.push_back(e.flags);
      ids.push_back(static_cast<unsigned>(d.slot_of.size()));
      d.slot_of.push_back(e.slot);
    }
    for (const auto& [key, slots] : literals) {
      const auto& [text, f, placement] = key;
      literal_texts.push_back(text.data());
      literal_lengths.push_back(text.size());
      literal_flags.push_back(f);
      literal_ids.push_back(static_cast<unsigned>(d.literal_of.size()));
      d.literal_of.push_back({static_cast<std::uint32_t>(text.size()), placement,
                              static_cast<std::uint32_t>(d.literal_slots.size()), static_cast<std::uint32_t>(slots.size())});
      d.literal_slots.insert(d.literal_slots.end(), slots.begin(), slots.end());
    }
    hs_compile_error_t* err = nullptr;
    auto failure = [&](const char* what, const std::vector<const char*>& t) -> Error {
      std::string why = err != nullptr ? err->message : "unknown error";
      const int at = err != nullptr ? err->expression : -1;
      hs_free_compile_error(err);
      hs_free_database(d.regex);
      hs_free_database(d.literals);
      return Error("invalid_rule", fmt::format("{} {}{}", what, at >= 0 ? std::string(t[static_cast<std::size_t>(at)]) + ": " : "", why));
    };
    if (!texts.empty() && hs_compile_multi(texts.data(), flags.data(), ids.data(), static_cast<unsigned>(texts.size()),
                                           HS_MODE_BLOCK, nullptr, &d.regex, &err) != HS_SUCCESS)
      return failure("expression", texts);
    if (!literal_texts.empty() &&
        hs_compile_lit_multi(literal_texts.data(), literal_flags.data(), literal_ids.data(), literal_lengths.data(),
                             static_cast<unsigned>(literal_texts.size()), HS_MODE_BLOCK, nullptr, &d.literals,
                             &err) != HS_SUCCESS)
      return failure("literal", literal_texts);
    return d;
  }
};

CondNode resolve(const sigma::Condition& c, const std::map<std::string, std::uint32_t>& index) {
  CondNode n;
  n.op = c.op;
  if (c.op == sigma::Condition::Op::kSearch) n.search = index.at(c.search);
  for (const auto& a : c.args) n.args.push_back(resolve(a, index));
  return n;
}

template <class AtomTrue>
bool evaluate(const CondNode& n, const Instance& inst, const AtomTrue& atom_true) {
  switch (n.op) {
    case sigma::Condition::Op::kSearch:
      for (const auto& alternative : inst.searches[n.search]) {
        bool all = true;
        for (const auto a : alternative)
          if (!atom_true(a)) {
            all = false;
            break;
          }
        if (all) return true;
      }
      return false;
    case sigma::Condition::Op::kAnd:
      for (const auto& a : n.args)
        if (!evaluate(a, inst, atom_true)) return false;
      return true;
    case sigma::Condition::Op::kOr:
      for (const auto& a : n.args)
        if (evaluate(a, inst, atom_true)) return true;
      return false;
    case sigma::Condition::Op::kNot:
      return !evaluate(n.args[0], inst, atom_true);
  }
  return false;
}

// A trigger set: atoms of which one at least holds whenever the condition holds, so that the
// instance need only be evaluated when one of them is seen. Fields every event of a source
// shares (EventID, Channel, ...) are poor triggers and cost more.
struct Trigger {
  bool possible = false;  // false: no such set (e.g. under `not`)
  std::vector<std::uint32_t> atoms;
  int cost = 0;
};

int atom_cost(const Atom& a) {
  static const std::array<std::string_view, 9> kCommon = {"EventID", "Channel", "Provider_Name", "Provider_Guid", "Level",
                                                          "Task", "Opcode", "Keywords", "Version"};
  return std::find(kCommon.begin(), kCommon.end(), a.field) != kCommon.end() ? 1000 : a.field.empty() ? 10 : 1;
}

Trigger trigger(const CondNode& n, const Instance& inst, const std::vector<Atom>& atoms) {
  switch (n.op) {
    case sigma::Condition::Op::kSearch: {
      Trigger t{true, {}, 0};
      for (const auto& alternative : inst.searches[n.search]) {
        // One scanned atom of the alternative suffices (all of them must hold): the cheapest.
        std::optional<std::uint32_t> best;
        for (const auto a : alternative)
          if (!atoms[a].direct && (!best || atom_cost(atoms[a]) < atom_cost(atoms[*best]))) best = a;
        if (!best) return {};
        t.atoms.push_back(*best);
        t.cost += atom_cost(atoms[*best]);
      }
      return t;
    }
    case sigma::Condition::Op::kAnd: {
      Trigger best;
      for (const auto& a : n.args) {
        auto t = trigger(a, inst, atoms);
        if (t.possible && (!best.possible || t.cost < best.cost)) best = std::move(t);
      }
      return best;
    }
    case sigma::Condition::Op::kOr: {
      Trigger all{true, {}, 0};
      for (const auto& a : n.args) {
        auto t = trigger(a, inst, atoms);
        if (!t.possible) return {};
        all.atoms.insert(all.atoms.end(), t.atoms.begin(), t.atoms.end());
        all.cost += t.cost;
      }
      return all;
    }
    case sigma::Condition::Op::kNot:
      return {};
  }
  return {};
}

enum class Truth { kFalse, kUnknown, kTrue };

Truth possible_without_scans(const CondNode& n, const Instance& inst, const std::vector<Atom>& atoms) {
  switch (n.op) {
    case sigma::Condition::Op::kSearch: {
      Truth any = Truth::kFalse;
      for (const auto& alternative : inst.searches[n.search]) {
        Truth all = Truth::kTrue;
        for (const auto a : alternative) {
          const Truth t = atoms[a].direct ? Truth::kUnknown : Truth::kFalse;
          all = std::min(all, t);
        }
        any = std::max(any, all);
      }
      return any;
    }
    case sigma::Condition::Op::kAnd: {
      Truth all = Truth::kTrue;
      for (const auto& a : n.args) all = std::min(all, possible_without_scans(a, inst, atoms));
      return all;
    }
    case sigma::Condition::Op::kOr: {
      Truth any = Truth::kFalse;
      for (const auto& a : n.args) any = std::max(any, possible_without_scans(a, inst, atoms));
      return any;
    }
    case sigma::Condition::Op::kNot: {
      const Truth t = possible_without_scans(n.args[0], inst, atoms);
      return t == Truth::kTrue ? Truth::kFalse : t == Truth::kFalse ? Truth::kTrue : Truth::kUnknown;
    }
  }
  return Truth::kUnknown;
}

}  // namespace

Engine::Engine() : c_(std::make_unique<Compiled>()) {}
Engine::~Engine() = default;

const std::vector<sigma::Rule>& Engine::rules() const { return c_->rules; }
const std::vector<std::uint32_t>& Engine::unmapped() const { return c_->unmapped; }

bool Engine::wants(std::string_view provider, std::string_view channel) const {
  for (const auto* s : c_->sources)
    if ((s->provider.empty() || equals_ignoring_case(s->provider, provider)) &&
        (s->channel.empty() || equals_ignoring_case(s->channel, channel)))
      return true;
  return false;
}

std::unique_ptr<Engine> Engine::compile(std::vector<sigma::Rule> rules, const Mapping& mapping,
                                        std::vector<RuleProblem>& problems, const Placeholders& placeholders) {
  std::unique_ptr<Engine> engine(new Engine());
  auto& c = *engine->c_;
  c.mapping = mapping;
  std::vector<std::string> filter_notes;
  rules = sigma::apply_filters(std::move(rules), filter_notes);
  for (auto& note : filter_notes) problems.push_back({"", "", std::move(note), true});
  // Atoms point at their rule's field tests: the rules must not move once compiled.
  c.rules.reserve(rules.size());
  Builder b{c, placeholders, {}, {}, {}, {}, {}};
  // Rules are kept in the order given; a refused rule is dropped from the list.
  for (auto& rule : rules) {
    auto refuse = [&](const std::string& why) {
      problems.push_back({rule.source, rule.id.empty() ? rule.title : rule.id, why});
    };
    if (rule.aggregation) {
      refuse(fmt::format("the aggregation '| {}(...)' needs correlation, which hunting does not evaluate yet",
                         rule.aggregation->function));
      continue;
    }
    const auto rule_index = static_cast<std::uint32_t>(c.rules.size());
    const auto sources = c.mapping.sources_for(rule.logsource);
    c.rules.push_back(std::move(rule));
    const auto& r = c.rules.back();
    if (sources.empty()) {
      c.unmapped.push_back(rule_index);
      continue;
    }
    std::map<std::string, std::uint32_t> search_index;
    for (const auto& [name, _] : r.searches) search_index.emplace(name, static_cast<std::uint32_t>(search_index.size()));
    const auto atoms_before = c.atoms.size();
    const auto slots_before = c.slot_atom.size();
    const auto instances_before = c.instances.size();
    std::optional<Error> failed;
    for (const auto* source : sources) {
      Instance inst;
      inst.rule = rule_index;
      inst.source = source;
      for (const auto& [name, search] : r.searches) {
        auto& alts = inst.searches.emplace_back();
        for (const auto& alternative : search.alternatives) {
          auto& atoms = alts.emplace_back();
          for (const auto& test : alternative) {
            auto id = b.atom(test, *source);
            if (!id) {
              failed = id.error();
              break;
            }
            atoms.push_back(*id);
          }
          if (failed) break;
        }
        if (failed) break;
      }
      if (failed) break;
      inst.condition = resolve(r.condition, search_index);
      c.instances.push_back(std::move(inst));
    }
    if (failed) {
      // Undo this rule's atoms and expressions; the rule stays listed but never applies.
      c.atoms.resize(atoms_before);
      c.slot_atom.resize(slots_before);
      c.instances.resize(instances_before);
      b.undo();
      problems.push_back({r.source, r.id.empty() ? r.title : r.id, failed->detail()});
      c.rules.pop_back();
    } else {
      b.commit();
      for (const auto& name : b.missing)
        problems.push_back({r.source, r.id.empty() ? r.title : r.id,
                            fmt::format("placeholder %{}% has no values: the values naming it match nothing", name), true});
    }
    b.missing.clear();
  }
  // Which instances use each atom; which must be evaluated without a scanned hit.
  for (std::uint32_t i = 0; i < c.instances.size(); ++i) {
    auto& inst = c.instances[i];
    // Must it be evaluated on events where none of its scanned atoms holds? Only if it can
    // hold then: decided in three-valued logic, the direct atoms unknown.
    inst.always = possible_without_scans(inst.condition, inst, c.atoms) != Truth::kFalse;
    if (!inst.always) {
      auto t = trigger(inst.condition, inst, c.atoms);
      if (!t.possible)  // every scanned atom triggers it
        for (const auto& alts : inst.searches)
          for (const auto& atoms : alts) t.atoms.insert(t.atoms.end(), atoms.begin(), atoms.end());
      for (const auto a : t.atoms) {
        auto& users = c.atoms[a].instances;
        if (!c.atoms[a].direct && std::find(users.begin(), users.end(), i) == users.end()) users.push_back(i);
      }
    }
    if (std::find(c.sources.begin(), c.sources.end(), inst.source) == c.sources.end()) c.sources.push_back(inst.source);
  }
  for (const auto& [field, list] : b.expressions) {
    if (list.empty()) continue;
    auto db = b.database(list);
    if (!db) {
      problems.push_back({"", "", fmt::format("field '{}': the patterns cannot be compiled: {}", field, db.error().detail())});
      continue;
    }
    for (auto* part : {db->regex, db->literals})
      if (part != nullptr) hs_alloc_scratch(part, &c.scratch);
    if (field.empty()) c.keywords = std::move(*db);
    else c.fields.emplace(field, std::move(*db));
  }
  return engine;
}

// ---- Matching ----

struct Engine::Scanner::State {
  const Compiled& c;
  hs_scratch_t* scratch = nullptr;
  std::uint32_t epoch = 0;
  std::vector<std::uint32_t> slot_epoch, atom_epoch, count_epoch, count, candidate_epoch, matched_epoch;
  std::vector<std::uint32_t> candidates;  // instances triggered by this event's scans
  std::vector<std::uint32_t> direct_epoch;
  std::vector<std::uint8_t> direct_value;
  // The instances that apply to events of one provider, channel and event id.
  struct Origin {
    std::vector<std::uint8_t> applies;   // per instance
    std::vector<std::uint32_t> always;   // those evaluated on every such event
    bool any = false;
    bool keywords = false;               // some instance searches keywords
    // The databases of the fields the instances test (other fields are not scanned).
    std::unordered_map<std::string, const Database*, Compiled::NameHash, std::equal_to<>> fields;
  };
  std::string joined;  // every value, NUL between them, for the keywords
  std::unordered_map<std::string, Origin> by_origin;
  std::string key;
  std::vector<std::uint32_t> matched_instance;  // per rule, valid when matched this epoch
  const Event* event = nullptr;

  explicit State(const Compiled& compiled)
      : c(compiled),
        slot_epoch(compiled.slot_atom.size()),
        atom_epoch(compiled.atoms.size()),
        count_epoch(compiled.atoms.size()),
        count(compiled.atoms.size()),
        candidate_epoch(compiled.instances.size()),
        matched_epoch(compiled.rules.size()),
        direct_epoch(compiled.atoms.size()),
        direct_value(compiled.atoms.size()),
        matched_instance(compiled.rules.size()) {
    if (c.scratch != nullptr) hs_clone_scratch(c.scratch, &scratch);
  }
  ~State() { hs_free_scratch(scratch); }

  void hit(std::uint32_t slot) {
    if (slot_epoch[slot] == epoch) return;
    slot_epoch[slot] = epoch;
    const auto a = c.slot_atom[slot];
    const auto& atom = c.atoms[a];
    if (atom.all) {
      if (count_epoch[a] != epoch) {
        count_epoch[a] = epoch;
        count[a] = 0;
      }
      if (++count[a] < atom.slot_count) return;
    }
    if (atom_epoch[a] == epoch) return;
    atom_epoch[a] = epoch;
    for (const auto i : atom.instances)
      if (candidate_epoch[i] != epoch) {
        candidate_epoch[i] = epoch;
        candidates.push_back(i);
      }
  }

  struct ScanContext {
    State* state;
    const Database* db;
    unsigned long long length;
  };
  static int on_expression(unsigned int id, unsigned long long, unsigned long long, unsigned int, void* context) {
    auto* ctx = static_cast<ScanContext*>(context);
    ctx->state->hit(ctx->db->slot_of[id]);
    return 0;
  }
  static int on_literal(unsigned int id, unsigned long long, unsigned long long to, unsigned int, void* context) {
    auto* ctx = static_cast<ScanContext*>(context);
    const auto& lit = ctx->db->literal_of[id];
    const bool at_start = to == lit.length, at_end = to == ctx->length;
    switch (lit.placement) {
      case Placement::kAnywhere: break;
      case Placement::kStart: if (!at_start) return 0; break;
      case Placement::kEnd: if (!at_end) return 0; break;
      case Placement::kWhole: if (!at_start || !at_end) return 0; break;
    }
    for (std::uint32_t k = 0; k < lit.count; ++k) ctx->state->hit(ctx->db->literal_slots[lit.first + k]);
    return 0;
  }

  void scan(const Database& db, std::string_view value) {
    ScanContext ctx{this, &db, value.size()};
    if (db.literals != nullptr)
      hs_scan(db.literals, value.data(), static_cast<unsigned>(value.size()), 0, scratch, on_literal, &ctx);
    if (db.regex != nullptr)
      hs_scan(db.regex, value.data(), static_cast<unsigned>(value.size()), 0, scratch, on_expression, &ctx);
  }

  // The values of a field in the event (a name may repeat).
  template <class F>
  bool any_value(std::string_view field, F f) const {
    for (std::size_t i = 0; i < event->size(); ++i)
      if (field.empty() || event->name(i) == field)
        if (f(event->value(i))) return true;
    return false;
  }

  bool direct(std::uint32_t a) {
    if (direct_epoch[a] == epoch) return direct_value[a] != 0;
    direct_epoch[a] = epoch;
    const bool v = decide(c.atoms[a]);
    direct_value[a] = v ? 1 : 0;
    return v;
  }

  bool decide(const Atom& a) const {
    const auto& t = *a.test;
    auto per_value = [&](std::size_t k) -> bool {
      const auto& value = t.values[k];
      if (t.has(Modifier::kExists)) return any_value(a.field, [](std::string_view) { return true; }) == value.boolean;
      if (value.kind == Value::Kind::kNull && !t.has(Modifier::kNeq))
        return !any_value(a.field, [](std::string_view v) { return !v.empty(); });
      if (t.has(Modifier::kNeq)) {
        bool present = false, equal = false;
        any_value(a.field, [&](std::string_view v) {
          present = true;
          if (value.kind == Value::Kind::kNull) equal = equal || v.empty();
          else
            for (const auto& p : a.patterns[k]) equal = equal || sigma::pattern_matches(p, v, a.cased);
          return false;
        });
        return present && !equal;
      }
      for (auto m : t.modifiers) {
        if (m == Modifier::kGt || m == Modifier::kGte || m == Modifier::kLt || m == Modifier::kLte)
          return any_value(a.field, [&](std::string_view v) {
            const auto n = to_number(v);
            if (!n) return false;
            switch (m) {
              case Modifier::kGt: return *n > value.number;
              case Modifier::kGte: return *n >= value.number;
              case Modifier::kLt: return *n < value.number;
              default: return *n <= value.number;
            }
          });
        if (is_time_part(m))
          return any_value(a.field, [&](std::string_view v) {
            const auto tm = to_time(v);
            return tm && time_part(*tm, m) == static_cast<int>(value.number);
          });
      }
      if (!a.networks.empty()) return any_value(a.field, [&](std::string_view v) { return in_network(a.networks[k], v); });
      if (!a.regexes.empty())
        return any_value(a.field, [&](std::string_view v) { return RE2::PartialMatch(v, *a.regexes[k]); });
      return false;
    };
    if (!a.ref_field.empty()) {
      const auto other = event->get(a.ref_field);
      return other && any_value(a.field, [&](std::string_view v) {
               return a.cased ? v == *other : equals_ignoring_case(v, *other);
             });
    }
    const auto n = t.values.size();
    if (a.all) {
      for (std::size_t k = 0; k < n; ++k)
        if (!per_value(k)) return false;
      return n > 0;
    }
    for (std::size_t k = 0; k < n; ++k)
      if (per_value(k)) return true;
    return false;
  }

  const Origin& applicable(const Event& e) {
    key.assign(e.provider()).push_back('\x1f');
    key.append(e.channel()).push_back('\x1f');
    key.append(reinterpret_cast<const char*>(&e.event_id), sizeof e.event_id);
    auto it = by_origin.find(key);
    if (it == by_origin.end()) {
      if (by_origin.size() >= 65536) by_origin.clear();  // hostile input: bounded memory
      Origin o;
      o.applies.assign(c.instances.size(), 0);
      for (std::uint32_t i = 0; i < c.instances.size(); ++i)
        if (c.instances[i].source->accepts_origin(e.provider(), e.channel(), e.event_id)) {
          o.applies[i] = 1;
          o.any = true;
          if (c.instances[i].always) o.always.push_back(i);
          for (const auto& alts : c.instances[i].searches)
            for (const auto& atoms : alts)
              for (const auto a : atoms) {
                const auto& atom = c.atoms[a];
                if (atom.direct) continue;
                if (atom.field.empty()) o.keywords = !c.keywords.empty();
                else if (const auto db = c.fields.find(atom.field); db != c.fields.end()) o.fields.emplace(atom.field, &db->second);
              }
        }
      it = by_origin.emplace(key, std::move(o)).first;
    }
    return it->second;
  }
};

Engine::Scanner::Scanner(const Engine& engine) : state_(std::make_unique<State>(*engine.c_)) {}
Engine::Scanner::~Scanner() = default;
Engine::Scanner::Scanner(Scanner&&) noexcept = default;

void Engine::Scanner::match(const Event& event, std::vector<Match>& out) {
  auto& s = *state_;
  const auto& c = s.c;
  const auto& origin = s.applicable(event);
  if (!origin.any) return;
  ++s.epoch;
  if (s.epoch == 0) {  // wrapped: forget every stamp
    for (auto* v : {&s.slot_epoch, &s.atom_epoch, &s.count_epoch, &s.candidate_epoch, &s.direct_epoch, &s.matched_epoch})
      std::fill(v->begin(), v->end(), 0);
    s.epoch = 1;
  }
  s.event = &event;
  s.candidates.clear();
  for (std::size_t i = 0; i < event.size(); ++i)
    if (const auto it = origin.fields.find(event.name(i)); it != origin.fields.end()) s.scan(*it->second, event.value(i));
  if (origin.keywords) {
    s.joined.clear();
    for (std::size_t i = 0; i < event.size(); ++i) s.joined.append(event.value(i)).push_back('\0');
    s.scan(c.keywords, s.joined);
  }
  const auto first = out.size();
  auto decide = [&](std::uint32_t i) {
    const auto& inst = c.instances[i];
    if (s.matched_epoch[inst.rule] == s.epoch) return;  // another source matched it
    if (!inst.source->where.empty() && !inst.source->accepts(event)) return;
    const bool matched = evaluate(inst.condition, inst, [&](std::uint32_t a) {
      return c.atoms[a].direct ? s.direct(a) : s.atom_epoch[a] == s.epoch;
    });
    if (matched) {
      s.matched_epoch[inst.rule] = s.epoch;
      s.matched_instance[inst.rule] = i;
      out.push_back({inst.rule});
    }
  };
  for (const auto i : s.candidates)
    if (origin.applies[i]) decide(i);
  for (const auto i : origin.always) decide(i);
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
            [](const Match& x, const Match& y) { return x.rule < y.rule; });
}

std::vector<std::pair<std::string, std::string>> Engine::Scanner::matched_fields(const Event& event,
                                                                                 std::uint32_t rule) const {
  const auto& s = *state_;
  const auto& inst = s.c.instances[s.matched_instance[rule]];
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](std::string_view name, std::string_view value) {
    for (const auto& [n, v] : out)
      if (n == name && v == value) return;
    out.emplace_back(name, value);
  };
  for (const auto& alts : inst.searches)
    for (const auto& atoms : alts)
      for (const auto a : atoms) {
        const auto& atom = s.c.atoms[a];
        if (atom.direct || s.atom_epoch[a] != s.epoch) continue;
        for (std::size_t i = 0; i < event.size(); ++i) {
          if (!atom.field.empty() && event.name(i) != atom.field) continue;
          bool hit = atom.test->has(Modifier::kRe);  // the regex matched this field
          for (const auto& value_patterns : atom.patterns)
            for (const auto& p : value_patterns) hit = hit || sigma::pattern_matches(p, event.value(i), atom.cased);
          if (hit) add(event.name(i), event.value(i));
        }
      }
  return out;
}

}  // namespace khien::detect
