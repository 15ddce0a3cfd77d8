#include "detect/mapping.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "detect/sigma/yaml.h"

namespace khien::embedded {
std::string_view windows_mapping_yml();
}

namespace khien::detect {

std::string_view builtin_windows_mapping() { return embedded::windows_mapping_yml(); }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool Source::accepts_origin(std::string_view event_provider, std::string_view event_channel,
                            std::uint32_t event_id) const {
  if (!provider.empty() && !equals_ignoring_case(provider, event_provider)) return false;
  if (!channel.empty() && !equals_ignoring_case(channel, event_channel)) return false;
  return event_ids.empty() || std::find(event_ids.begin(), event_ids.end(), event_id) != event_ids.end();
}

bool Source::accepts(const Event& event) const {
  if (!accepts_origin(event.provider(), event.channel(), event.event_id)) return false;
  for (const auto& [field_name, value] : where) {
    const auto v = event.get(field_name);
    if (!v || !equals_ignoring_case(*v, value)) return false;
  }
  return true;
}

std::string_view Source::field(std::string_view sigma_name) const {
  for (const auto& [from, to] : fields)
    if (from == sigma_name) return to;
  return sigma_name;
}

std::vector<const Source*> Mapping::sources_for(const sigma::Logsource& logsource) const {
  std::vector<const Source*> out;
  for (const auto& entry : logsources) {
    const auto& l = entry.logsource;
    if (l.product == logsource.product && l.category == logsource.category && l.service == logsource.service)
      for (const auto& s : entry.sources) out.push_back(&s);
  }
  return out;
}

namespace {

struct Failure {
  std::string where, why;
};

std::string scalar(const yaml::Node& n, const std::string& where) {
  if (!n.is_scalar()) throw Failure{where, "expected a text"};
  return n.scalar();
}

std::vector<std::pair<std::string, std::string>> pairs(const yaml::Node& n, const std::string& where) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!n) return out;
  if (!n.is_map()) throw Failure{where, "expected a map"};
  for (const auto& kv : n) {
    const auto key = scalar(kv.first, where);
    out.emplace_back(key, scalar(kv.second, where + "." + key));
  }
  return out;
}

Source parse_source(const yaml::Node& n, const std::string& where) {
  if (!n.is_map()) throw Failure{where, "expected a map"};
  Source s;
  for (const auto& kv : n) {
    const auto key = scalar(kv.first, where);
    const auto at = where + "." + key;
    if (key == "provider") s.provider = scalar(kv.second, at);
    else if (key == "channel") s.channel = scalar(kv.second, at);
    else if (key == "event_ids") {
      if (!kv.second.is_sequence()) throw Failure{at, "expected a list of numbers"};
      for (const auto& id : kv.second) {
        const auto text = scalar(id, at);
        std::uint32_t v = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc() || end != text.data() + text.size()) throw Failure{at, fmt::format("'{}' is not an event id", text)};
        s.event_ids.push_back(v);
      }
    } else if (key == "where") s.where = pairs(kv.second, at);
    else if (key == "fields") s.fields = pairs(kv.second, at);
    else throw Failure{at, "unknown key"};
  }
  return s;
}

Mapping parse(const yaml::Node& root) {
  if (!root.is_map()) throw Failure{"(top)", "expected a map"};
  Mapping m;
  if (root["name"]) m.name = scalar(root["name"], "name");
  const auto logsources = root["logsources"];
  if (!logsources.is_sequence()) throw Failure{"logsources", "expected a list"};
  std::size_t i = 0;
  for (const auto& e : logsources) {
    const auto where = fmt::format("logsources[{}]", i++);
    if (!e.is_map() || !e["logsource"].is_map()) throw Failure{where, "expected logsource and sources"};
    LogsourceEntry entry;
    for (const auto& kv : e["logsource"]) {
      const auto key = scalar(kv.first, where);
      const auto value = scalar(kv.second, where + ".logsource." + key);
      if (key == "product") entry.logsource.product = value;
      else if (key == "category") entry.logsource.category = value;
      else if (key == "service") entry.logsource.service = value;
      else throw Failure{where + ".logsource." + key, "unknown key"};
    }
    const auto sources = e["sources"];
    if (!sources.is_sequence() || sources.size() == 0) throw Failure{where + ".sources", "expected a list of sources"};
    std::size_t k = 0;
    for (const auto& source : sources) entry.sources.push_back(parse_source(source, fmt::format("{}.sources[{}]", where, k++)));
    m.logsources.push_back(std::move(entry));
  }
  if (const auto json = root["json"]) {
    if (!json.is_sequence()) throw Failure{"json", "expected a list"};
    std::size_t n = 0;
    for (const auto& e : json) {
      const auto where = fmt::format("json[{}]", n++);
      if (!e.is_map() || !e["detect"]) throw Failure{where, "expected name, detect and fields"};
      JsonShape shape;
      if (e["name"]) shape.name = scalar(e["name"], where + ".name");
      shape.detect = scalar(e["detect"], where + ".detect");
      shape.fields = pairs(e["fields"], where + ".fields");
      m.json.push_back(std::move(shape));
    }
  }
  return m;
}

}  // namespace

Result<Mapping> parse_mapping(std::string_view text, std::string_view source) {
  auto docs = yaml::parse(text);
  if (!docs) return Error("invalid_mapping", fmt::format("{}: {}", source, docs.error().detail()));
  if (docs->documents().size() != 1) return Error("invalid_mapping", fmt::format("{}: expected one YAML document", source));
  try {
    return parse(docs->documents().front());
  } catch (const Failure& f) {
    return Error("invalid_mapping", fmt::format("{}: {}: {}", source, f.where, f.why));
  }
}

}  // namespace khien::detect
