#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/app.h"
#include "api/openapi.h"

using namespace khien;
using namespace khien::api;

TEST(OpenApi, EveryRouteIsDocumentedAndEveryOperationServed) {
  const auto mismatches = route_document_mismatches();
  for (const auto& m : mismatches) ADD_FAILURE() << m;
  EXPECT_FALSE(ApiDocument::instance().operations().empty());
}

TEST(OpenApi, OnlyHealthMetricsDocumentAndLoginArePublic) {
  std::vector<std::string> open;
  for (const auto& op : ApiDocument::instance().operations())
    if (op.is_public) open.push_back(op.method + " " + op.path);
  std::sort(open.begin(), open.end());
  EXPECT_EQ(open, (std::vector<std::string>{"GET /api/v1/openapi.json", "GET /healthz", "GET /metrics",
                                            "GET /readyz", "POST /api/v1/auth/login"}));
}

namespace {
std::vector<FieldError> validate(std::string_view method, std::string_view path, std::string_view body) {
  const auto& doc = ApiDocument::instance();
  const auto* op = doc.find(method, path);
  std::vector<FieldError> errors;
  doc.validate(boost::json::parse(body), *op->request_schema, "", errors);
  return errors;
}
}  // namespace

TEST(SchemaValidation, ReportsEachFieldProblemWithItsCode) {
  const auto errors = validate("POST", "/api/v1/users",
                               R"({"username": "A B", "display_name": 5, "role": "root", "organization_id": "4",
                                   "password": "", "extra": true})");
  std::map<std::string, std::string> by_field;
  for (const auto& e : errors) by_field[e.field] = e.code;
  EXPECT_EQ(by_field["username"], "pattern");
  EXPECT_EQ(by_field["display_name"], "wrong_type");
  EXPECT_EQ(by_field["role"], "enum");
  EXPECT_EQ(by_field["password"], "required");
  EXPECT_EQ(by_field["extra"], "unknown_field");
}

TEST(SchemaValidation, ReportsMissingRequiredFieldsAndOverLongStrings) {
  const auto errors = validate("POST", "/api/v1/organizations", R"({"name": ")" + std::string(201, 'x') + R"("})");
  std::map<std::string, std::string> by_field;
  for (const auto& e : errors) by_field[e.field] = e.code;
  EXPECT_EQ(by_field["name"], "too_long");
  EXPECT_EQ(by_field["slug"], "required");
  EXPECT_EQ(by_field["kind"], "required");
  EXPECT_EQ(by_field["parent_id"], "required");
}

TEST(SchemaValidation, CountsCharactersNotBytesForLengthLimits) {
  // 200 Vietnamese characters are 400+ bytes and still fit a 200-character name.
  std::string name;
  for (int i = 0; i < 200; ++i) name += "ệ";
  EXPECT_TRUE(validate("PATCH", "/api/v1/organizations/{id}", R"({"name": ")" + name + R"("})").empty());
}

TEST(SchemaValidation, AcceptsAValidBody) {
  EXPECT_TRUE(validate("POST", "/api/v1/tokens", R"({"name": "siem", "scope": "read", "expires_in_days": 30})").empty());
}

TEST(Problems, StatusFollowsTheCode) {
  EXPECT_EQ(status_of("validation_failed"), 400);
  EXPECT_EQ(status_of("unauthenticated"), 401);
  EXPECT_EQ(status_of("csrf_failed"), 403);
  EXPECT_EQ(status_of("not_found"), 404);
  EXPECT_EQ(status_of("payload_too_large"), 413);
  EXPECT_EQ(status_of("unsupported_media_type"), 415);
  EXPECT_EQ(status_of("rate_limited"), 429);
  EXPECT_EQ(status_of("something_new"), 500);
}

TEST(Problems, TitleAndFieldMessagesAreTranslated) {
  http::Request req;
  req.path = "/api/v1/users";
  req.request_id = "r1";
  const auto e = Error("validation_failed", {}, {{"name", "too_long", "64"}});
  const auto vi = boost::json::parse(problem(e, i18n::Locale::kVi, req).body);
  const auto en = boost::json::parse(problem(e, i18n::Locale::kEn, req).body);
  EXPECT_EQ(vi.at("title"), "Dữ liệu gửi lên không hợp lệ");
  EXPECT_EQ(en.at("errors").at(0).at("message"), "Too long: at most 64 characters");
  EXPECT_EQ(en.at("status"), 400);
  EXPECT_EQ(en.at("request_id"), "r1");
}

TEST(Problems, ServerErrorsDoNotLeakDetails) {
  http::Request req;
  const auto body = boost::json::parse(problem(Error("store_error", "SQL: no such table"), i18n::Locale::kEn, req).body);
  EXPECT_FALSE(body.as_object().contains("detail"));
}
