#pragma once
// Serves the built web UI: hashed assets cached for a year, index.html never cached, and
// index.html for any other path without a file extension (the SPA's own routes).
#include <filesystem>
#include <optional>

#include "http/message.h"

namespace khien::http {

class StaticFiles {
 public:
  // An empty root serves nothing (every path is 404).
  explicit StaticFiles(std::filesystem::path root);

  // The answer for a GET/HEAD of `path` (percent-decoded). Never reads outside the root.
  Response serve(const Request& req) const;
  bool enabled() const { return !root_.empty(); }

 private:
  std::optional<std::filesystem::path> resolve(std::string_view path) const;
  std::filesystem::path root_;  // canonical
};

}  // namespace khien::http
