#pragma once
// The engine's compiled form, shared by its two halves: engine_compile.cpp builds it,
// engine_match.cpp matches events with it. Internal to the engine.
#include <hs/hs.h>
#include <re2/re2.h>

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "detect/compare.h"
#include "detect/engine.h"
#include "detect/sigma/value.h"

namespace khien::detect {

using sigma::FieldTest;
using sigma::Modifier;
using sigma::Pattern;
using sigma::Value;

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
  std::uint32_t index = 0;  // among the engine's databases (per-database state of a scanner)
  bool keywords = false;    // scanned over all the values of an event at once
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
  std::map<const Source*, Database> keywords;         // per log source, scanned over every value
  std::vector<const Source*> sources;                 // every source some instance uses
  std::vector<std::vector<std::uint32_t>> source_instances;  // per source, the instances on it
  hs_scratch_t* scratch = nullptr;                    // prototype, cloned per scanner
  unsigned databases_loaded = 0, databases_compiled = 0;
  std::uint32_t database_count = 0;  // fields' and keywords' (Database::index)  // Vectorscan databases, from the cache or not

  ~Compiled() {
    for (auto& [_, d] : fields) {
      hs_free_database(d.regex);
      hs_free_database(d.literals);
    }
    for (auto& [_, d] : keywords) {
      hs_free_database(d.regex);
      hs_free_database(d.literals);
    }
    hs_free_scratch(scratch);
  }
};

// Whether an instance's condition holds, given each atom's truth.
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

}  // namespace khien::detect
