#pragma once
// Reading Khiên's YAML data files (taxonomy, regulatory profiles, playbooks) into values, with
// errors that name the file, the path inside it and the line. Internal to domain/.
#include <yaml-cpp/yaml.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "domain/localized_text.h"

namespace khien::domain::yaml {

// Collects the first error; every reader returns a default value after an error so a parse
// function can read on and report once at the end.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  // Parses `text`; on a syntax error records it and returns a null node.
  YAML::Node load(std::string_view text);

  std::string string(const YAML::Node& map, const std::string& key, const std::string& path);
  std::optional<std::string> optional_string(const YAML::Node& map, const std::string& key, const std::string& path);
  int integer(const YAML::Node& map, const std::string& key, const std::string& path, int min, int max);
  bool boolean(const YAML::Node& map, const std::string& key, const std::string& path, std::optional<bool> fallback = {});
  LocalizedText text(const YAML::Node& map, const std::string& key, const std::string& path);
  std::optional<LocalizedText> optional_text(const YAML::Node& map, const std::string& key, const std::string& path);
  std::vector<std::string> strings(const YAML::Node& map, const std::string& key, const std::string& path,
                                   bool required = true);
  // The sequence at `key` (an empty node and an error when it is missing or not a sequence).
  YAML::Node sequence(const YAML::Node& map, const std::string& key, const std::string& path);
  YAML::Node mapping(const YAML::Node& map, const std::string& key, const std::string& path);

  // An identifier: [a-z0-9] words joined by '-' or '_'.
  std::string id(const YAML::Node& map, const std::string& key, const std::string& path);
  // Records that `value` at `path` is not one of `allowed`.
  void check_member(const std::string& value, const std::set<std::string>& allowed, const std::string& path);
  // Records that an id repeats.
  void check_unique(std::set<std::string>& seen, const std::string& value, const std::string& path);

  void fail(const YAML::Node& at, const std::string& path, const std::string& what);
  bool ok() const { return error_.empty(); }
  // invalid_data with "<source>: <path> (line N): <what>" as its detail.
  Error error() const { return Error("invalid_data", error_); }

 private:
  std::string source_;
  std::string error_;
};

}  // namespace khien::domain::yaml
