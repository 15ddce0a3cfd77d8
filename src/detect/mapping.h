#pragma once
// Which events a Sigma rule's log source stands for, and what its field names are called in
// them: data (data/mappings/*.yml), in the spirit of pySigma's processing pipelines. See the
// comment at the top of data/mappings/windows.yml for the format.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "detect/event.h"
#include "detect/sigma/rule.h"

namespace khien::detect {

// A set of events: a provider, a channel, event ids and field values, each optional.
struct Source {
  std::string provider;  // empty: any (compared ignoring ASCII case, as Windows does)
  std::string channel;   // empty: any (ignoring ASCII case)
  std::vector<std::uint32_t> event_ids;  // empty: any
  std::vector<std::pair<std::string, std::string>> where;   // field = value, each must hold
  std::vector<std::pair<std::string, std::string>> fields;  // Sigma name -> event field name

  // Whether the event belongs to this source by provider, channel and event id (not `where`).
  bool accepts_origin(std::string_view event_provider, std::string_view event_channel, std::uint32_t event_id) const;
  bool accepts(const Event& event) const;
  // The event's name for a field a rule names.
  std::string_view field(std::string_view sigma_name) const;
};

struct LogsourceEntry {
  sigma::Logsource logsource;
  std::vector<Source> sources;
};

// How the members of one JSON shape are named (see windows.yml).
struct JsonShape {
  std::string name;
  std::string detect;  // a dotted path whose presence identifies the shape
  std::vector<std::pair<std::string, std::string>> fields;  // dotted path (or prefix.*) -> field
};

struct Mapping {
  std::string name;
  std::vector<LogsourceEntry> logsources;
  std::vector<JsonShape> json;

  // The sources of every entry whose logsource equals the rule's (product, category and
  // service alike; `definition` is prose). Empty: the mapping does not know the log source.
  std::vector<const Source*> sources_for(const sigma::Logsource& logsource) const;
};

// The built-in mapping (data/mappings/windows.yml, compiled into the binary).
std::string_view builtin_windows_mapping();

// Errors (code "invalid_mapping") name the place and the reason.
Result<Mapping> parse_mapping(std::string_view yaml, std::string_view source);

bool equals_ignoring_case(std::string_view a, std::string_view b);

}  // namespace khien::detect
