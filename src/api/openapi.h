#pragma once
// The API document (openapi.json, compiled in): the contract the routes must match, and the
// request schemas every body and query is validated against.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace re2 {
class RE2;
}

namespace khien::api {

struct QueryParameter {
  std::string name;
  const boost::json::object* schema;
};

struct Operation {
  std::string method;  // upper case
  std::string path;    // /api/v1/users/{id}
  bool is_public = false;
  const boost::json::object* request_schema = nullptr;  // application/json body, if any
  std::vector<QueryParameter> query;
};

class ApiDocument {
 public:
  static const ApiDocument& instance();

  std::string_view text() const { return text_; }
  const std::vector<Operation>& operations() const { return operations_; }
  const Operation* find(std::string_view method, std::string_view path) const;

  // Checks `value` against `schema` and appends every problem found, with its field path.
  void validate(const boost::json::value& value, const boost::json::object& schema, const std::string& path,
                std::vector<FieldError>& errors) const;
  // Checks one query-string value (always text on the wire) against a parameter schema.
  void validate_query(std::string_view value, const boost::json::object& schema, const std::string& name,
                      std::vector<FieldError>& errors) const;

  ~ApiDocument();

 private:
  explicit ApiDocument(std::string_view text);
  const boost::json::object& resolve(const boost::json::object& schema) const;
  bool matches_pattern(std::string_view pattern, std::string_view value) const;

  std::string text_;
  boost::json::value doc_;
  std::vector<Operation> operations_;
  std::vector<std::pair<std::string, std::unique_ptr<re2::RE2>>> patterns_;
};

}  // namespace khien::api
