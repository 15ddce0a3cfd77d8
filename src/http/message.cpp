#include "http/message.h"

#include <algorithm>
#include <cctype>

namespace khien::http {

namespace {
bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}
std::optional<std::string_view> find(const Fields& fields, std::string_view name, bool case_insensitive) {
  for (const auto& [k, v] : fields)
    if (case_insensitive ? iequals(k, name) : k == name) return std::string_view(v);
  return std::nullopt;
}
}  // namespace

std::optional<std::string_view> Request::header(std::string_view lower_name) const {
  return find(headers, lower_name, false);
}
std::optional<std::string_view> Request::query_param(std::string_view name) const { return find(query, name, false); }
std::optional<std::string_view> Request::path_param(std::string_view name) const {
  return find(path_params, name, false);
}

std::optional<std::string> Request::cookie(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k != "cookie") continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      auto end = rest.find(';');
      auto item = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      auto eq = item.find('=');
      if (eq != std::string_view::npos && item.substr(0, eq) == name) return std::string(item.substr(eq + 1));
    }
  }
  return std::nullopt;
}

void Response::set(std::string name, std::string value) {
  for (auto& [k, v] : headers)
    if (iequals(k, name)) {
      v = std::move(value);
      return;
    }
  headers.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string_view> Response::header(std::string_view name) const { return find(headers, name, true); }

}  // namespace khien::http
