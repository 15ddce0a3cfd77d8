#pragma once
// Expected failures as values. An Error carries a stable machine code (also the i18n key of
// its title), an optional detail for humans and logs, and per-field validation errors.
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace khien {

struct FieldError {
  std::string field;  // JSON path of the field, e.g. "password" or "items[2].name"
  std::string code;   // stable: required, unknown_field, wrong_type, too_long, ...
  std::string detail; // optional extra facts (a limit, a pattern), not translated
};

class Error {
 public:
  Error() = default;
  explicit Error(std::string code, std::string detail = {}, std::vector<FieldError> fields = {})
      : code_(std::move(code)), detail_(std::move(detail)), fields_(std::move(fields)) {}

  const std::string& code() const { return code_; }
  const std::string& detail() const { return detail_; }
  const std::vector<FieldError>& fields() const { return fields_; }

  // Seconds the caller should wait before retrying (rate limiting); 0 when not relevant.
  int retry_after_seconds() const { return retry_after_; }
  Error& with_retry_after(int seconds) {
    retry_after_ = seconds;
    return *this;
  }

 private:
  std::string code_;
  std::string detail_;
  std::vector<FieldError> fields_;
  int retry_after_ = 0;
};

inline Error validation_error(std::string field, std::string code, std::string detail = {}) {
  return Error("validation_failed", {}, {FieldError{std::move(field), std::move(code), std::move(detail)}});
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}     // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace khien

// Propagates an error from an expression returning Result<...>. Each use names its own
// variable, so a KHIEN_TRY inside a lambda inside another KHIEN_TRY shadows nothing.
#define KHIEN_TRY_CONCAT_(a, b) a##b
#define KHIEN_TRY_CONCAT(a, b) KHIEN_TRY_CONCAT_(a, b)
#define KHIEN_TRY_IMPL_(expr, name)        \
  do {                                     \
    auto name = (expr);                    \
    if (!name.ok()) return name.error();   \
  } while (false)
#define KHIEN_TRY(expr) KHIEN_TRY_IMPL_(expr, KHIEN_TRY_CONCAT(khien_try_result_, __COUNTER__))
