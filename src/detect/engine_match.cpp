// Matching events with the compiled engine (see engine.h).
#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>

#include "detect/engine_compiled.h"

namespace khien::detect {

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
    std::vector<const Database*> keywords;  // of the sources that apply
    // The databases of the fields the instances test (other fields are not scanned).
    std::unordered_map<std::string_view, const Database*, Compiled::NameHash> fields;
    // The field names of the last event from here (Event::names()) and the database of each
    // of its fields (nullptr: not scanned): events of one origin nearly always have the same
    // fields in the same order, and comparing all the names at once costs less than looking
    // each one up. Not kept for an event with very many fields.
    std::string names;
    bool names_known = false;
    std::vector<const Database*> databases;
    static constexpr std::size_t kMaxRememberedNames = 4096;

    const std::vector<const Database*>& databases_of(const Event& e) {
      if (names_known && e.names() == names) return databases;
      databases.resize(e.size());
      for (std::size_t i = 0; i < e.size(); ++i) {
        const auto it = fields.find(e.name(i));
        databases[i] = it == fields.end() ? nullptr : it->second;
      }
      names_known = e.names().size() <= kMaxRememberedNames;
      names.assign(names_known ? e.names() : std::string_view{});
      return databases;
    }
  };
  std::unordered_map<std::string, Origin, Compiled::NameHash, std::equal_to<>> by_origin;
  std::string key;
  static constexpr std::size_t kMaxOrigins = 4096;
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
    const auto& atom = c.hot[a];
    if (atom.all) {
      if (count_epoch[a] != epoch) {
        count_epoch[a] = epoch;
        count[a] = 0;
      }
      if (++count[a] < atom.slot_count) return;
    }
    if (atom_epoch[a] == epoch) return;
    atom_epoch[a] = epoch;
    add_candidates(c.hot_instances.data() + atom.instances_at, atom.instances_count);
  }
  void add_candidates(const std::uint32_t* instances, std::uint32_t n) {
    for (std::uint32_t k = 0; k < n; ++k) {
      const auto i = instances[k];
      if (candidate_epoch[i] != epoch) {
        candidate_epoch[i] = epoch;
        candidates.push_back(i);
      }
    }
  }

  struct ScanContext {
    State* state;
    const Database* db;
    unsigned long long length;
    std::vector<std::uint32_t>* record;  // the slots the scan hits, for the cache
  };
  void hit_and_record(ScanContext* ctx, std::uint32_t slot) {
    if (ctx->record != nullptr) ctx->record->push_back(slot);
    hit(slot);
  }
  static int on_expression(unsigned int id, unsigned long long, unsigned long long, unsigned int, void* context) {
    auto* ctx = static_cast<ScanContext*>(context);
    ctx->state->hit_and_record(ctx, ctx->db->slot_of[id]);
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
    for (std::uint32_t k = 0; k < lit.count; ++k) ctx->state->hit_and_record(ctx, ctx->db->literal_slots[lit.first + k]);
    return 0;
  }

  // What scanning a value of a field hit, by value: logs repeat their values (the same images,
  // users, logon types...), and looking one up costs less than scanning it. A field whose
  // values seldom repeat (command lines, GUIDs, times) is not remembered, which is tried again
  // now and then. Bounded: all is forgotten when the table is half full or the values
  // remembered reach kRememberedBytes.
  // What is remembered is what the hits made true: the atoms (but those needing all their
  // values, whose slots count across the values of a repeated field) and their instances.
  // An entry: the value's database, size and place in `remembered` (its bytes, padded to whole
  // words, then what its scan hit); small, so that the table stays in the L2 cache.
  struct Remembered {
    std::uint32_t tag = 0;  // high half of the value's hash, never 0; 0: free
    std::uint32_t at = 0;
    std::uint16_t database = 0, value_size = 0;
  };
  struct MemoStats {
    std::uint32_t lookups = 0, hits = 0;
    bool off = false;
  };
  static constexpr std::size_t kTableSize = 1u << 15, kRememberedBytes = 8u << 20, kRememberedLength = 1024;
  static_assert(kRememberedLength <= UINT16_MAX);
  static constexpr std::uint32_t kTrial = 4096, kRetrial = 1u << 20;
  std::vector<Remembered> table = std::vector<Remembered>(kTableSize);
  std::size_t remembered_count = 0;
  std::vector<std::uint32_t> remembered;  // per entry: the value, then the counts of atoms, slots
                                          // and instances, then the atoms, slots and instances
  std::vector<std::uint32_t> recorded, recorded_atoms, recorded_slots, recorded_instances;

  void forget() {
    std::fill(table.begin(), table.end(), Remembered{});
    remembered_count = 0;
    remembered.clear();
  }

  std::vector<MemoStats> memo_stats = std::vector<MemoStats>(c.database_count);  // per database

  void scan(const Database& db, std::string_view value) {
    if (value.size() > kRememberedLength || db.keywords || db.index > UINT16_MAX) return scan_now(db, value, nullptr);
    auto& stats = memo_stats[db.index];
    ++stats.lookups;
    if (stats.off) {
      if (stats.lookups >= kRetrial) stats = MemoStats{};  // values may repeat more from now on
      return scan_now(db, value, nullptr);
    }
    if (stats.lookups >= kTrial && stats.hits < stats.lookups / 4) {
      stats = MemoStats{};
      stats.off = true;
      return scan_now(db, value, nullptr);
    }
    const std::uint64_t hash = XXH3_64bits_withSeed(value.data(), value.size(), db.index);
    const auto tag = static_cast<std::uint32_t>(hash >> 32) | 1;
    const auto words = (value.size() + 3) / 4;
    std::size_t at = hash & (kTableSize - 1);
    for (;; at = (at + 1) & (kTableSize - 1)) {
      const auto& r = table[at];
      if (r.tag == 0) break;
      if (r.tag == tag && r.database == db.index && r.value_size == value.size() &&
          std::memcmp(remembered.data() + r.at, value.data(), value.size()) == 0) {
        ++stats.hits;
        replay(remembered.data() + r.at + words);
        return;
      }
    }
    if (remembered_count >= kTableSize / 2 || (remembered.size() + words) * 4 > kRememberedBytes) {
      forget();
      at = hash & (kTableSize - 1);
    }
    recorded.clear();
    scan_now(db, value, &recorded);
    auto& r = table[at];
    r.tag = tag;
    r.at = static_cast<std::uint32_t>(remembered.size());
    r.database = static_cast<std::uint16_t>(db.index);
    r.value_size = static_cast<std::uint16_t>(value.size());
    remembered.resize(remembered.size() + words, 0);
    if (!value.empty()) std::memcpy(remembered.data() + r.at, value.data(), value.size());
    remember(recorded);
    ++remembered_count;
  }

  // The slots a scan hit, as `remembered` keeps them.
  void remember(std::vector<std::uint32_t>& slots) {
    auto unique = [](std::vector<std::uint32_t>& v) {
      std::sort(v.begin(), v.end());
      v.erase(std::unique(v.begin(), v.end()), v.end());
    };
    unique(slots);
    recorded_atoms.clear();
    recorded_slots.clear();
    recorded_instances.clear();
    for (const auto slot : slots) {
      const auto a = c.slot_atom[slot];
      if (c.hot[a].all) recorded_slots.push_back(slot);
      else recorded_atoms.push_back(a);
    }
    unique(recorded_atoms);
    for (const auto a : recorded_atoms) {
      const auto* first = c.hot_instances.data() + c.hot[a].instances_at;
      recorded_instances.insert(recorded_instances.end(), first, first + c.hot[a].instances_count);
    }
    unique(recorded_instances);
    for (const auto* v : {&recorded_atoms, &recorded_slots, &recorded_instances})
      remembered.push_back(static_cast<std::uint32_t>(v->size()));
    for (const auto* v : {&recorded_atoms, &recorded_slots, &recorded_instances})
      remembered.insert(remembered.end(), v->begin(), v->end());
  }

  // What a remembered scan hit, made true again: as hit() on each of its slots would.
  void replay(const std::uint32_t* hits) {
    const auto atoms = hits[0], slots = hits[1], instances = hits[2];
    hits += 3;
    for (std::uint32_t k = 0; k < atoms; ++k) atom_epoch[hits[k]] = epoch;
    hits += atoms;
    for (std::uint32_t k = 0; k < slots; ++k) hit(hits[k]);
    add_candidates(hits + slots, instances);
  }

  void scan_now(const Database& db, std::string_view value, std::vector<std::uint32_t>* record) {
    ScanContext ctx{this, &db, value.size(), record};
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

  Origin& applicable(const Event& e) {
    key.assign(e.provider()).push_back('\x1f');
    key.append(e.channel()).push_back('\x1f');
    key.append(reinterpret_cast<const char*>(&e.event_id), sizeof e.event_id);
    auto it = by_origin.find(key);
    if (it == by_origin.end()) {
      // Bounded memory on hostile input; real logs have a few hundred origins.
      if (by_origin.size() >= kMaxOrigins) by_origin.clear();
      Origin o;
      o.applies.assign(c.instances.size(), 0);
      for (std::size_t s = 0; s < c.sources.size(); ++s) {
        if (!c.sources[s]->accepts_origin(e.provider(), e.channel(), e.event_id)) continue;
        if (const auto* k = c.source_keywords[s]) o.keywords.push_back(k);
        for (const auto& [name, db] : c.source_fields[s]) o.fields.emplace(name, db);
        for (const auto i : c.source_instances[s]) {
          o.applies[i] = 1;
          o.any = true;
          if (c.instances[i].always) o.always.push_back(i);
        }
      }
      std::sort(o.always.begin(), o.always.end());
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
  auto& origin = s.applicable(event);
  if (!origin.any) return;
  ++s.epoch;
  if (s.epoch == 0) {  // wrapped: forget every stamp
    for (auto* v : {&s.slot_epoch, &s.atom_epoch, &s.count_epoch, &s.candidate_epoch, &s.direct_epoch, &s.matched_epoch})
      std::fill(v->begin(), v->end(), 0);
    s.epoch = 1;
  }
  s.event = &event;
  s.candidates.clear();
  const auto& databases = origin.databases_of(event);
  for (std::size_t i = 0; i < databases.size(); ++i)
    if (const auto* db = databases[i]) s.scan(*db, event.value(i));
  for (const auto* db : origin.keywords) s.scan(*db, event.values());
  const auto first = out.size();
  auto decide = [&](std::uint32_t i) {
    const auto& inst = c.instance_hot[i];
    // Of two instances of a rule (two log sources) that both match, the first is the one whose
    // fields the match shows, whatever the order the scans found them in.
    const bool seen = s.matched_epoch[inst.rule] == s.epoch;
    if (seen && s.matched_instance[inst.rule] < i) return;
    if (inst.where != nullptr && !inst.where->accepts(event)) return;
    const bool matched = evaluate(c.code.data() + inst.code_at, [&](std::uint32_t a) {
      return (a & kDirectAtom) != 0 ? s.direct(a & ~kDirectAtom) : s.atom_epoch[a] == s.epoch;
    });
    if (matched) {
      s.matched_epoch[inst.rule] = s.epoch;
      s.matched_instance[inst.rule] = i;
      if (!seen) out.push_back({inst.rule});
    }
  };
  for (const auto i : s.candidates)
    if (origin.applies[i]) decide(i);
  for (const auto i : origin.always) decide(i);
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
            [](const Match& x, const Match& y) { return x.rule < y.rule; });
}

std::vector<std::pair<std::string_view, std::string_view>> Engine::Scanner::matched_fields(const Event& event,
                                                                                           std::uint32_t rule) const {
  const auto& s = *state_;
  const auto& inst = s.c.instances[s.matched_instance[rule]];
  std::vector<std::pair<std::string_view, std::string_view>> out;
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
        // The scan of its field hit the atom: when the event has that field once, that value.
        if (!atom.field.empty()) {
          std::size_t found = 0, at = 0;
          for (std::size_t i = 0; i < event.size() && found < 2; ++i)
            if (event.name(i) == atom.field) {
              ++found;
              at = i;
            }
          if (found == 1) {
            add(event.name(at), event.value(at));
            continue;
          }
        }
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

std::string_view Engine::Scanner::field_value(const Event& event, std::uint32_t rule, std::string_view sigma_field) const {
  const auto& s = *state_;
  return event.get_or_empty(s.c.instances[s.matched_instance[rule]].source->field(sigma_field));
}

}  // namespace khien::detect
