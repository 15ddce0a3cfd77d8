#pragma once
// A data file compiled into the binary (see cmake/embed.cmake).
#include <string_view>

namespace khien::embedded {

struct File {
  std::string_view name;     // the file's name, e.g. "01-malware.yml"
  std::string_view content;
};

}  // namespace khien::embedded
