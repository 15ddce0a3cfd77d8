#pragma once
// The JSON shapes of the API's objects (openapi.json, components/schemas).
#include <boost/json/object.hpp>

#include "service/identity.h"
#include "service/records.h"

namespace khien::api {

boost::json::object to_json(const service::Organization& o);
boost::json::object to_json(const service::User& u);
boost::json::object to_json(const service::ApiToken& t);
boost::json::object to_json(const service::AuditRecord& a);
// csrf_token is included when the caller uses the session cookie.
boost::json::object to_json(const service::Me& me, const std::string& csrf_token);

}  // namespace khien::api
