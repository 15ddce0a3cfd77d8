#pragma once
// The engine's compiled form, shared by its two halves: engine_compile.cpp builds it,
// engine_match.cpp matches events with it. Internal to the engine.
#include <hs/hs.h>
#include <re2/re2.h>
#define XXH_INLINE_ALL  // the hash of a short name or value: inlined, no call into the library
#include <xxhash.h>

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

// What matching reads of an atom for every hit, packed (Atom is large and seldom read whole).
struct AtomHot {
  std::uint32_t instances_at = 0, instances_count = 0;  // into Compiled::hot_instances
  std::uint32_t slot_count = 0;
  bool all = false;
  bool direct = false;
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

// What matching reads of an instance, packed.
struct InstanceHot {
  std::uint32_t rule = 0;
  std::uint32_t code_at = 0;     // its condition, in Compiled::code
  const Source* where = nullptr;  // its source, when that tests field values
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
  std::vector<InstanceHot> instance_hot;  // per instance
  std::vector<std::uint32_t> code;        // the instances' conditions (see evaluate())
  std::vector<std::uint32_t> slot_atom;
  std::vector<AtomHot> hot;                   // per atom
  std::vector<std::uint32_t> hot_instances;  // the atoms' instances, one after another
  std::deque<FieldTest> expanded;  // `|expand` tests with their placeholders replaced
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return XXH3_64bits(s.data(), s.size()); }
  };
  std::unordered_map<std::string, Database, NameHash, std::equal_to<>> fields;  // field name -> database
  std::map<const Source*, Database> keywords;         // per log source, scanned over every value
  std::vector<const Source*> sources;                 // every source some instance uses
  std::vector<std::vector<std::uint32_t>> source_instances;  // per source, the instances on it
  // Per source, the fields its instances scan with their databases, and its keywords' database
  // (nullptr: none): what an event the source applies to is scanned with.
  std::vector<std::vector<std::pair<std::string_view, const Database*>>> source_fields;
  std::vector<const Database*> source_keywords;
  hs_scratch_t* scratch = nullptr;                    // prototype, cloned per scanner
  unsigned databases_loaded = 0, databases_compiled = 0;  // Vectorscan databases, from the cache or not
  std::uint32_t database_count = 0;                       // fields' and keywords' (Database::index)

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

// An instance's condition as matching evaluates it: prefix order in one array, each node
// [op, its length in words, ...]:
//   search:  [kCodeSearch, length, alternatives, then per alternative: atoms, atom...]
//   and, or: [op, length, arguments, argument...]
//   not:     [kCodeNot, length, argument]
// An atom decided in code, not by a scan, has kDirectAtom set.
enum CodeOp : std::uint32_t { kCodeSearch, kCodeAnd, kCodeOr, kCodeNot };
inline constexpr std::uint32_t kDirectAtom = 1u << 31;

// Whether a condition holds, given each atom's truth (atom_true gets the atom's word).
template <class AtomTrue>
bool evaluate(const std::uint32_t* p, const AtomTrue& atom_true) {
  switch (p[0]) {
    case kCodeSearch: {
      const std::uint32_t* q = p + 3;
      for (std::uint32_t k = 0; k < p[2]; ++k) {
        const std::uint32_t n = q[0];
        std::uint32_t j = 0;
        while (j < n && atom_true(q[1 + j])) ++j;
        if (j == n) return true;
        q += 1 + n;
      }
      return false;
    }
    case kCodeAnd:
    case kCodeOr: {
      const bool is_and = p[0] == kCodeAnd;
      const std::uint32_t* q = p + 3;
      for (std::uint32_t k = 0; k < p[2]; ++k, q += q[1])
        if (evaluate(q, atom_true) != is_and) return !is_and;
      return is_and;
    }
    case kCodeNot:
      return !evaluate(p + 2, atom_true);
    default:
      return false;
  }
}

}  // namespace khien::detect
