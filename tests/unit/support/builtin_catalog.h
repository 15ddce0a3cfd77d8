#pragma once
// The catalogue built into the binary, loaded once for the tests that read it.
#include <stdexcept>

#include "service/catalog.h"

namespace khien::test_support {

inline const service::Catalog& builtin() {
  static const service::Catalog c = [] {
    auto r = service::builtin_catalog();
    if (!r) throw std::runtime_error(r.error().detail());
    return std::move(*r);
  }();
  return c;
}

}  // namespace khien::test_support
