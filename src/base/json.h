#pragma once
// JSON helpers over Boost.JSON, the API's JSON library.
#include <boost/json/value.hpp>

#include <string>

namespace khien::json {

// Serialises with object keys sorted by their UTF-8 bytes and no whitespace, so that equal
// values always give equal text (the canonical form hashed by the audit chain).
std::string canonical(const boost::json::value& v);

}  // namespace khien::json
