#include "domain/yaml_reader.h"

#include <algorithm>

namespace khien::domain::yaml {

namespace {
std::string join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

bool is_id(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}
}  // namespace

YAML::Node Reader::load(std::string_view text) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    if (error_.empty()) error_ = source_ + ": " + e.what();
    return YAML::Node();
  }
}

void Reader::fail(const YAML::Node& at, const std::string& path, const std::string& what) {
  if (!error_.empty()) return;
  error_ = source_ + ": " + path;
  if (at && at.Mark().line >= 0) error_ += " (line " + std::to_string(at.Mark().line + 1) + ")";
  error_ += ": " + what;
}

std::optional<std::string> Reader::optional_string(const YAML::Node& map, const std::string& key,
                                                   const std::string& path) {
  if (!map.IsMap()) return std::nullopt;
  const YAML::Node n = map[key];
  if (!n || n.IsNull()) return std::nullopt;
  if (!n.IsScalar()) {
    fail(n, join(path, key), "must be a text");
    return std::nullopt;
  }
  return n.Scalar();
}

std::string Reader::string(const YAML::Node& map, const std::string& key, const std::string& path) {
  auto s = optional_string(map, key, path);
  if (!s || s->empty()) {
    fail(map, join(path, key), "is required");
    return {};
  }
  return *s;
}

int Reader::integer(const YAML::Node& map, const std::string& key, const std::string& path, int min, int max) {
  const std::string s = string(map, key, path);
  if (s.empty()) return min;
  try {
    std::size_t used = 0;
    const int v = std::stoi(s, &used);
    if (used == s.size() && v >= min && v <= max) return v;
  } catch (const std::exception&) {
  }
  fail(map[key], join(path, key), "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  return min;
}

bool Reader::boolean(const YAML::Node& map, const std::string& key, const std::string& path,
                     std::optional<bool> fallback) {
  auto s = optional_string(map, key, path);
  if (!s && fallback) return *fallback;
  if (s == "true") return true;
  if (s == "false") return false;
  fail(map, join(path, key), "must be true or false");
  return false;
}

std::optional<LocalizedText> Reader::optional_text(const YAML::Node& map, const std::string& key,
                                                   const std::string& path) {
  if (!map.IsMap() || !map[key] || map[key].IsNull()) return std::nullopt;
  const YAML::Node n = map[key];
  const std::string p = join(path, key);
  if (!n.IsMap()) {
    fail(n, p, "must be a map {vi: …, en: …}");
    return std::nullopt;
  }
  for (const auto& kv : n) {
    const auto k = kv.first.Scalar();
    if (k != "vi" && k != "en") fail(kv.first, p, "has an unknown language '" + k + "'");
  }
  LocalizedText t{string(n, "vi", p), string(n, "en", p)};
  return t;
}

LocalizedText Reader::text(const YAML::Node& map, const std::string& key, const std::string& path) {
  auto t = optional_text(map, key, path);
  if (!t) {
    fail(map, join(path, key), "is required");
    return {};
  }
  return *t;
}

YAML::Node Reader::sequence(const YAML::Node& map, const std::string& key, const std::string& path) {
  const YAML::Node n = map.IsMap() ? map[key] : YAML::Node();
  if (!n || !n.IsSequence()) {
    fail(n ? n : map, join(path, key), "must be a list");
    return YAML::Node(YAML::NodeType::Sequence);
  }
  return n;
}

YAML::Node Reader::mapping(const YAML::Node& map, const std::string& key, const std::string& path) {
  const YAML::Node n = map.IsMap() ? map[key] : YAML::Node();
  if (!n || !n.IsMap()) {
    fail(n ? n : map, join(path, key), "must be a map");
    return YAML::Node(YAML::NodeType::Map);
  }
  return n;
}

std::vector<std::string> Reader::strings(const YAML::Node& map, const std::string& key, const std::string& path,
                                         bool required) {
  std::vector<std::string> out;
  const YAML::Node n = map.IsMap() ? map[key] : YAML::Node();
  if (!n || n.IsNull()) {
    if (required) fail(map, join(path, key), "is required");
    return out;
  }
  if (!n.IsSequence()) {
    fail(n, join(path, key), "must be a list");
    return out;
  }
  for (std::size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsScalar()) {
      fail(n[i], join(path, key) + "[" + std::to_string(i) + "]", "must be a text");
      continue;
    }
    out.push_back(n[i].Scalar());
  }
  return out;
}

std::string Reader::id(const YAML::Node& map, const std::string& key, const std::string& path) {
  std::string s = string(map, key, path);
  if (!s.empty() && !is_id(s)) fail(map[key], join(path, key), "'" + s + "' is not an identifier ([a-z0-9-])");
  return s;
}

void Reader::check_member(const std::string& value, const std::set<std::string>& allowed, const std::string& path) {
  if (allowed.count(value)) return;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  fail(YAML::Node(), path, "'" + value + "' is not one of: " + list);
}

void Reader::check_unique(std::set<std::string>& seen, const std::string& value, const std::string& path) {
  if (!seen.insert(value).second) fail(YAML::Node(), path, "'" + value + "' appears twice");
}

}  // namespace khien::domain::yaml
