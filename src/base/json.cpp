#include "base/json.h"

#include <boost/json.hpp>

#include <algorithm>
#include <vector>

namespace khien::json {

namespace {
void write(const boost::json::value& v, std::string& out) {
  if (v.is_object()) {
    const auto& obj = v.get_object();
    std::vector<const boost::json::key_value_pair*> items;
    items.reserve(obj.size());
    for (const auto& kv : obj) items.push_back(&kv);
    std::sort(items.begin(), items.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
    out.push_back('{');
    bool first = true;
    for (const auto* kv : items) {
      if (!first) out.push_back(',');
      first = false;
      out += boost::json::serialize(boost::json::string(kv->key()));
      out.push_back(':');
      write(kv->value(), out);
    }
    out.push_back('}');
  } else if (v.is_array()) {
    out.push_back('[');
    bool first = true;
    for (const auto& item : v.get_array()) {
      if (!first) out.push_back(',');
      first = false;
      write(item, out);
    }
    out.push_back(']');
  } else {
    out += boost::json::serialize(v);
  }
}
}  // namespace

std::string canonical(const boost::json::value& v) {
  std::string out;
  write(v, out);
  return out;
}

}  // namespace khien::json
