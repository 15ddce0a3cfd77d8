#include "api/openapi.h"

#include <re2/re2.h>

#include <boost/json.hpp>

#include <algorithm>
#include <stdexcept>

#include "domain/password_policy.h"

namespace khien::embedded {
std::string_view openapi_json();
}

namespace khien::api {

namespace {
std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

bool type_matches(const boost::json::value& v, std::string_view type) {
  if (type == "string") return v.is_string();
  if (type == "integer") return v.is_int64() || v.is_uint64();
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_bool();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "null") return v.is_null();
  return false;
}

void collect_patterns(const boost::json::value& v, std::vector<std::string>& out) {
  if (v.is_object()) {
    for (const auto& kv : v.get_object()) {
      if (kv.key() == "pattern" && kv.value().is_string()) out.emplace_back(kv.value().get_string());
      collect_patterns(kv.value(), out);
    }
  } else if (v.is_array()) {
    for (const auto& x : v.get_array()) collect_patterns(x, out);
  }
}
}  // namespace

const ApiDocument& ApiDocument::instance() {
  static const ApiDocument doc(embedded::openapi_json());
  return doc;
}

ApiDocument::~ApiDocument() = default;

ApiDocument::ApiDocument(std::string_view text) : text_(text), doc_(boost::json::parse(text)) {
  std::vector<std::string> patterns;
  collect_patterns(doc_, patterns);
  for (auto& p : patterns) {
    if (std::any_of(patterns_.begin(), patterns_.end(), [&](auto& e) { return e.first == p; })) continue;
    auto re = std::make_unique<re2::RE2>(p, re2::RE2::Quiet);
    if (!re->ok()) throw std::runtime_error("openapi.json: bad pattern " + p);
    patterns_.emplace_back(p, std::move(re));
  }
  const auto& root = doc_.as_object();
  const bool default_public = false;
  for (const auto& path : root.at("paths").as_object()) {
    for (const auto& m : path.value().as_object()) {
      const auto& op = m.value().as_object();
      Operation o;
      o.method = upper(m.key());
      o.path = std::string(path.key());
      o.is_public = default_public;
      if (auto* sec = op.if_contains("security")) o.is_public = sec->as_array().empty();
      if (auto* body = op.if_contains("requestBody"))  // an upload (any other media type) has no JSON schema
        if (auto* json = body->at("content").as_object().if_contains("application/json"))
          o.request_schema = &json->at("schema").as_object();
      if (auto* params = op.if_contains("parameters")) {
        for (const auto& p : params->as_array()) {
          if (p.at("in") == "query")
            o.query.push_back({std::string(p.at("name").as_string()), &p.at("schema").as_object()});
        }
      }
      operations_.push_back(std::move(o));
    }
  }
}

const Operation* ApiDocument::find(std::string_view method, std::string_view path) const {
  for (const auto& o : operations_)
    if (o.method == method && o.path == path) return &o;
  return nullptr;
}

const boost::json::object& ApiDocument::resolve(const boost::json::object& schema) const {
  const auto* ref = schema.if_contains("$ref");
  if (!ref) return schema;
  // Only local references of the form #/components/schemas/Name are used.
  const std::string_view r = ref->as_string();
  const auto name = r.substr(r.rfind('/') + 1);
  return doc_.at("components").at("schemas").at(name).as_object();
}

bool ApiDocument::matches_pattern(std::string_view pattern, std::string_view value) const {
  for (const auto& [p, re] : patterns_)
    if (p == pattern) return re2::RE2::PartialMatch(value, *re);
  return false;
}

void ApiDocument::validate(const boost::json::value& value, const boost::json::object& raw_schema,
                           const std::string& path, std::vector<FieldError>& errors) const {
  const auto& schema = resolve(raw_schema);
  if (const auto* type = schema.if_contains("type")) {
    bool ok = false;
    std::string expected;
    if (type->is_string()) {
      ok = type_matches(value, type->get_string());
      expected = type->get_string();
    } else {
      for (const auto& t : type->as_array()) {
        ok = ok || type_matches(value, t.as_string());
        if (t.as_string() != "null") expected = t.as_string();
      }
    }
    if (!ok) {
      errors.push_back({path, "wrong_type", expected});
      return;
    }
  }
  if (value.is_string()) {
    const std::string_view s = value.get_string();
    const auto length = domain::utf8_length(s);
    if (auto* max = schema.if_contains("maxLength"); max && length > max->to_number<std::size_t>()) {
      errors.push_back({path, "too_long", std::to_string(max->to_number<std::size_t>())});
      return;
    }
    if (auto* min = schema.if_contains("minLength"); min && length < min->to_number<std::size_t>()) {
      errors.push_back({path, min->to_number<std::size_t>() == 1 ? "required" : "too_short",
                        std::to_string(min->to_number<std::size_t>())});
      return;
    }
    if (auto* pattern = schema.if_contains("pattern"); pattern && !matches_pattern(pattern->as_string(), s)) {
      errors.push_back({path, "pattern", ""});
      return;
    }
    if (auto* allowed = schema.if_contains("enum")) {
      const auto& list = allowed->as_array();
      if (std::find(list.begin(), list.end(), value) == list.end()) {
        std::string names;
        for (const auto& a : list) names += (names.empty() ? "" : ", ") + std::string(a.as_string());
        errors.push_back({path, "enum", names});
      }
    }
  } else if (value.is_int64() || value.is_uint64()) {
    const double n = value.to_number<double>();
    const auto* min = schema.if_contains("minimum");
    const auto* max = schema.if_contains("maximum");
    if ((min && n < min->to_number<double>()) || (max && n > max->to_number<double>()))
      errors.push_back({path, "out_of_range",
                        (min ? std::to_string(min->to_number<std::int64_t>()) : std::string()) + ".." +
                            (max ? std::to_string(max->to_number<std::int64_t>()) : std::string())});
  } else if (value.is_object()) {
    const auto& obj = value.get_object();
    const auto* props = schema.if_contains("properties");
    const std::string prefix = path.empty() ? "" : path + ".";
    if (const auto* required = schema.if_contains("required")) {
      for (const auto& r : required->as_array())
        if (!obj.contains(r.as_string())) errors.push_back({prefix + std::string(r.as_string()), "required", ""});
    }
    const auto* additional = schema.if_contains("additionalProperties");
    for (const auto& kv : obj) {
      const auto* prop = props ? props->as_object().if_contains(kv.key()) : nullptr;
      if (prop) {
        validate(kv.value(), prop->as_object(), prefix + std::string(kv.key()), errors);
      } else if (additional && additional->is_bool() && !additional->get_bool()) {
        errors.push_back({prefix + std::string(kv.key()), "unknown_field", ""});
      }
    }
  } else if (value.is_array()) {
    if (const auto* items = schema.if_contains("items")) {
      std::size_t i = 0;
      for (const auto& item : value.get_array())
        validate(item, items->as_object(), path + "[" + std::to_string(i++) + "]", errors);
    }
  }
}

void ApiDocument::validate_query(std::string_view text, const boost::json::object& raw_schema, const std::string& name,
                                 std::vector<FieldError>& errors) const {
  const auto& schema = resolve(raw_schema);
  const auto* type = schema.if_contains("type");
  const std::string_view t = type && type->is_string() ? std::string_view(type->get_string()) : "string";
  if (t == "integer") {
    std::int64_t n = 0;
    if (text.empty() || text.size() > 18 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      errors.push_back({name, "wrong_type", "integer"});
      return;
    }
    for (char c : text) n = n * 10 + (c - '0');
    validate(boost::json::value(n), schema, name, errors);
  } else if (t == "boolean") {
    if (text != "true" && text != "false") errors.push_back({name, "wrong_type", "boolean"});
  } else {
    validate(boost::json::string(text), schema, name, errors);
  }
}

}  // namespace khien::api
