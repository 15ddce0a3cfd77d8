#pragma once
// The detection engine: Sigma rules compiled against a mapping into per-field Vectorscan
// databases, then matched against events.
//
// Compiling: each rule is instantiated once per source of its log source (the field names
// renamed for that source). Its field tests become atoms, shared between rules when equal.
// Every string value of every atom becomes one expression in the Vectorscan database of its
// field (keywords: a database per log source, scanned over all the values of an event of that
// source), so one scan of a field value finds every value it satisfies. Regexes Vectorscan
// cannot take go to RE2; numbers, CIDR, null, exists and fieldref are decided directly. A
// rule is then decided on the atoms' truth.
//
// Matching: the sources an event belongs to (provider, channel, event id, cached) give the
// rules that apply; only those whose condition can hold are evaluated: a rule with a true
// atom, or one whose condition holds without any (`not selection`) or that has direct atoms.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "detect/event.h"
#include "detect/mapping.h"
#include "detect/sigma/rule.h"

namespace khien::detect {

// A rule that cannot be used, and why; or (warning) one that is used with a caveat.
struct RuleProblem {
  std::string source;  // file
  std::string rule;    // id or title; empty when the whole file failed
  std::string reason;
  bool warning = false;
};

// Values of the placeholders `%name%` that `|expand` values hold (the Sigma specification
// leaves them to the user: the agency's domain controllers, admin workstations...).
using Placeholders = std::map<std::string, std::vector<std::string>>;

struct Match {
  std::uint32_t rule = 0;  // index into Engine::rules()
};

class Engine {
 public:
  // Compiles every rule that can be compiled; the others are listed in `problems`. Rules whose
  // log source the mapping does not know are kept but never apply (see unmapped()).
  // A placeholder without values makes the values that name it match nothing (a warning).
  // With a `cache_dir`, Vectorscan databases compiled before from the same patterns are loaded
  // from there, and new ones kept there (detect/hs_cache.h).
  static std::unique_ptr<Engine> compile(std::vector<sigma::Rule> rules, const Mapping& mapping,
                                         std::vector<RuleProblem>& problems, const Placeholders& placeholders = {},
                                         const std::filesystem::path& cache_dir = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const std::vector<sigma::Rule>& rules() const;
  // Indexes of the rules whose log source has no entry in the mapping.
  const std::vector<std::uint32_t>& unmapped() const;
  // Whether some rule applies to events of this channel, from any provider, of any event id (an
  // EVTX log holds one channel, written by several providers: the Security log by
  // Security-Auditing and by Eventlog, whose "log cleared" record often comes first).
  bool wants_channel(std::string_view channel) const;
  // How many Vectorscan databases compile() read from the cache, and how many it compiled.
  unsigned databases_loaded() const;
  unsigned databases_compiled() const;

  // Per-thread matching state. Matches of one event, in rule order.
  class Scanner {
   public:
    explicit Scanner(const Engine& engine);
    ~Scanner();
    Scanner(Scanner&&) noexcept;
    void match(const Event& event, std::vector<Match>& out);
    // The (field, value) pairs of the event that satisfied string tests of the rule, after match()
    // (views into the event).
    std::vector<std::pair<std::string_view, std::string_view>> matched_fields(const Event& event, std::uint32_t rule) const;
    // The event's value of a field as rules name it (renamed for the source through which the
    // rule matched), after match(); empty when the event has no such field.
    std::string_view field_value(const Event& event, std::uint32_t rule, std::string_view sigma_field) const;

   private:
    struct State;
    std::unique_ptr<State> state_;
  };
  Scanner scanner() const { return Scanner(*this); }

  struct Compiled;

 private:
  Engine();
  std::unique_ptr<Compiled> c_;
};

}  // namespace khien::detect
