// Compiling Sigma rules into the engine's form (see engine.h).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "detect/engine_compiled.h"
#include "detect/hs_cache.h"
#include "detect/sigma/parse.h"

namespace khien::detect {

namespace {

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
  // One match is enough, except at the end: matches come in the order they end, so the first
  // is the one at the start if any is, but the one at the end may be the last of several.
  e.flags = (cased ? 0u : HS_FLAG_CASELESS) | (e.placement == Placement::kEnd ? 0u : HS_FLAG_SINGLEMATCH);
  return e;
}

struct Builder {
  Engine::Compiled& c;
  const Placeholders& placeholders;
  DatabaseCache cache;
  std::set<std::string> missing;  // placeholders the current rule names without values
  std::map<std::string, std::uint32_t> atom_ids;
  std::map<std::string, std::vector<Expression>> expressions;  // field -> expressions
  // Keywords by log source: an event is searched for those of the sources it comes from only.
  std::map<const Source*, std::vector<Expression>> keyword_expressions;
  // The current rule's new atoms, kept apart until the whole rule has compiled (keywords: the
  // field empty, with their source).
  struct Pending {
    std::string field;
    const Source* source = nullptr;
    Expression expression;
  };
  std::vector<Pending> pending;
  std::vector<std::string> pending_keys;

  void commit() {
    for (auto& p : pending)
      (p.field.empty() ? keyword_expressions[p.source] : expressions[p.field]).push_back(std::move(p.expression));
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
    if (field.empty()) key += fmt::format("\x1f{}", static_cast<const void*>(&source));  // keywords: per source
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
      for (auto& e : exprs) pending.push_back({field, &source, std::move(e)});
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
    if (!texts.empty() && cache.compile(texts.data(), nullptr, flags.data(), ids.data(), static_cast<unsigned>(texts.size()),
                                        &d.regex, &err) != HS_SUCCESS)
      return failure("expression", texts);
    if (!literal_texts.empty() &&
        cache.compile(literal_texts.data(), literal_lengths.data(), literal_flags.data(), literal_ids.data(),
                      static_cast<unsigned>(literal_texts.size()), &d.literals, &err) != HS_SUCCESS)
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

// The condition as evaluate() reads it (engine_compiled.h).
void emit_code(const CondNode& n, const Instance& inst, const std::vector<Atom>& atoms, std::vector<std::uint32_t>& code) {
  const auto at = code.size();
  switch (n.op) {
    case sigma::Condition::Op::kSearch: {
      const auto& alternatives = inst.searches[n.search];
      code.insert(code.end(), {kCodeSearch, 0, static_cast<std::uint32_t>(alternatives.size())});
      for (const auto& alternative : alternatives) {
        code.push_back(static_cast<std::uint32_t>(alternative.size()));
        for (const auto a : alternative) code.push_back(a | (atoms[a].direct ? kDirectAtom : 0));
      }
      break;
    }
    case sigma::Condition::Op::kAnd:
    case sigma::Condition::Op::kOr:
      code.insert(code.end(), {n.op == sigma::Condition::Op::kAnd ? kCodeAnd : kCodeOr, 0,
                               static_cast<std::uint32_t>(n.args.size())});
      for (const auto& a : n.args) emit_code(a, inst, atoms, code);
      break;
    case sigma::Condition::Op::kNot:
      code.insert(code.end(), {kCodeNot, 0});
      emit_code(n.args[0], inst, atoms, code);
      break;
  }
  code[at + 1] = static_cast<std::uint32_t>(code.size() - at);
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

unsigned Engine::databases_loaded() const { return c_->databases_loaded; }
unsigned Engine::databases_compiled() const { return c_->databases_compiled; }

bool Engine::wants_channel(std::string_view channel) const {
  for (const auto* s : c_->sources)
    if (s->channel.empty() || equals_ignoring_case(s->channel, channel)) return true;
  return false;
}

std::unique_ptr<Engine> Engine::compile(std::vector<sigma::Rule> rules, const Mapping& mapping,
                                        std::vector<RuleProblem>& problems, const Placeholders& placeholders,
                                        const std::filesystem::path& cache_dir) {
  std::unique_ptr<Engine> engine(new Engine());
  auto& c = *engine->c_;
  c.mapping = mapping;
  std::vector<std::string> filter_notes;
  rules = sigma::apply_filters(std::move(rules), filter_notes);
  for (auto& note : filter_notes) problems.push_back({"", "", std::move(note), true});
  // Atoms point at their rule's field tests: the rules must not move once compiled.
  c.rules.reserve(rules.size());
  Builder b{c, placeholders, DatabaseCache(cache_dir), {}, {}, {}, {}, {}};
  // Rules are kept in the order given; a refused rule is dropped from the list.
  for (auto& rule : rules) {
    auto refuse = [&](const std::string& why) {
      problems.push_back({rule.source, rule.id.empty() ? rule.title : rule.id, why});
    };
    if (rule.correlation) {
      refuse("a correlation rule: it is decided on other rules' matches by the correlator, not compiled here");
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
    c.instance_hot.push_back({inst.rule, static_cast<std::uint32_t>(c.code.size()),
                              inst.source->where.empty() ? nullptr : inst.source});
    emit_code(inst.condition, inst, c.atoms, c.code);
    auto source = std::find(c.sources.begin(), c.sources.end(), inst.source);
    if (source == c.sources.end()) {
      c.sources.push_back(inst.source);
      c.source_instances.emplace_back();
      source = c.sources.end() - 1;
    }
    c.source_instances[static_cast<std::size_t>(source - c.sources.begin())].push_back(i);
  }
  for (const auto& a : c.atoms) {
    c.hot.push_back({static_cast<std::uint32_t>(c.hot_instances.size()), static_cast<std::uint32_t>(a.instances.size()),
                     a.slot_count, a.all, a.direct});
    c.hot_instances.insert(c.hot_instances.end(), a.instances.begin(), a.instances.end());
  }
  auto build = [&](const std::vector<Expression>& list, const std::string& what) -> std::optional<Database> {
    if (list.empty()) return std::nullopt;
    auto db = b.database(list);
    if (!db) {
      problems.push_back({"", "", fmt::format("{}: the patterns cannot be compiled: {}", what, db.error().detail())});
      return std::nullopt;
    }
    for (auto* part : {db->regex, db->literals})
      if (part != nullptr) hs_alloc_scratch(part, &c.scratch);
    db->index = c.database_count++;
    return std::move(*db);
  };
  for (const auto& [field, list] : b.expressions)
    if (auto db = build(list, fmt::format("field '{}'", field))) c.fields.emplace(field, std::move(*db));
  for (const auto& [source, list] : b.keyword_expressions)
    if (auto db = build(list, fmt::format("keywords of the log source '{}' '{}'", source->provider, source->channel))) {
      db->keywords = true;
      c.keywords.emplace(source, std::move(*db));
    }
  for (std::size_t s = 0; s < c.sources.size(); ++s) {
    auto& fields = c.source_fields.emplace_back();
    for (const auto i : c.source_instances[s])
      for (const auto& alts : c.instances[i].searches)
        for (const auto& atoms : alts)
          for (const auto a : atoms) {
            const auto& atom = c.atoms[a];
            if (atom.direct || atom.field.empty()) continue;
            const auto db = c.fields.find(atom.field);
            if (db == c.fields.end()) continue;
            if (std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return f.second == &db->second; }) ==
                fields.end())
              fields.emplace_back(db->first, &db->second);
          }
    const auto k = c.keywords.find(c.sources[s]);
    c.source_keywords.push_back(k == c.keywords.end() ? nullptr : &k->second);
  }
  c.databases_loaded = b.cache.loaded();
  c.databases_compiled = b.cache.compiled();
  return engine;
}

}  // namespace khien::detect
