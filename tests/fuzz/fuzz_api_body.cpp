// A request body as the API receives it: parsed with the API's limits, then validated against
// every request schema of the document.
#include <boost/json.hpp>

#include "api/openapi.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  boost::json::parse_options options;
  options.max_depth = 32;
  boost::system::error_code ec;
  auto value = boost::json::parse({reinterpret_cast<const char*>(data), size}, ec, {}, options);
  if (ec) return 0;
  const auto& doc = khien::api::ApiDocument::instance();
  for (const auto& op : doc.operations()) {
    if (!op.request_schema) continue;
    std::vector<khien::FieldError> errors;
    doc.validate(value, *op.request_schema, "", errors);
    for (const auto& q : op.query) doc.validate_query({reinterpret_cast<const char*>(data), size}, *q.schema, q.name, errors);
  }
  return 0;
}
