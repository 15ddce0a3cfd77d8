#pragma once
// Matches a method and a path against patterns such as /api/v1/users/{id}.
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace khien::http {

class Router {
 public:
  // Adds a route; `id` is returned by match.
  void add(std::string_view method, std::string_view pattern, int id);

  struct Match {
    enum class Kind { kFound, kNoPath, kWrongMethod } kind = Kind::kNoPath;
    int id = -1;
    Fields params;
    std::vector<std::string> allowed_methods;  // for 405
  };
  Match match(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{name}" is a parameter
    int id;
  };
  std::vector<Route> routes_;
};

}  // namespace khien::http
