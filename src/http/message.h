#pragma once
// Requests and responses as the application sees them: no Boost.Beast types, so only the
// server's own translation unit includes Beast.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace khien::http {

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // upper case: GET, POST, ...
  std::string target;  // as received
  std::string path;    // percent-decoded
  Fields query;        // decoded, in order
  Fields headers;      // names lower case
  std::string body;
  std::string remote_address;
  bool tls = false;
  std::string request_id;
  Fields path_params;  // filled by the router
  // A body the server streamed to a file instead of memory (uploads; see Handler::spool_directory),
  // with its SHA-256 and size computed on the way. The handler moves or removes the file.
  std::string body_file;
  std::string body_sha256;
  std::uint64_t body_size = 0;

  std::optional<std::string_view> header(std::string_view lower_name) const;
  std::optional<std::string_view> query_param(std::string_view name) const;
  std::optional<std::string_view> path_param(std::string_view name) const;
  std::optional<std::string> cookie(std::string_view name) const;
};

struct Response {
  int status = 200;
  Fields headers;
  std::string body;
  std::string body_file;  // when set, the answer's body is this file, sent in chunks (body is ignored)
  // For the access log and metrics: the route pattern that answered and who asked.
  std::string route;
  std::string actor;

  void set(std::string name, std::string value);
  std::optional<std::string_view> header(std::string_view name) const;  // case-insensitive
};

}  // namespace khien::http
