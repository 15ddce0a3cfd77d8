#include "http/router.h"

namespace khien::http {

namespace {
std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    auto end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(pos, end - pos));
    pos = end;
  }
  return out;
}
}  // namespace

void Router::add(std::string_view method, std::string_view pattern, int id) {
  Route r{std::string(method), {}, id};
  for (auto s : split(pattern)) r.segments.emplace_back(s);
  routes_.push_back(std::move(r));
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match out;
  const auto segments = split(path);
  if (!path.empty() && path.back() == '/' && path.size() > 1) return out;  // no trailing slashes
  for (const auto& r : routes_) {
    if (r.segments.size() != segments.size()) continue;
    Fields params;
    bool ok = true;
    for (std::size_t i = 0; i < segments.size() && ok; ++i) {
      const auto& p = r.segments[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
        params.emplace_back(p.substr(1, p.size() - 2), std::string(segments[i]));
      } else {
        ok = p == segments[i];
      }
    }
    if (!ok) continue;
    if (r.method == method || (method == "HEAD" && r.method == "GET")) {
      out.kind = Match::Kind::kFound;
      out.id = r.id;
      out.params = std::move(params);
      return out;
    }
    out.kind = Match::Kind::kWrongMethod;
    out.allowed_methods.push_back(r.method);
  }
  return out;
}

}  // namespace khien::http
