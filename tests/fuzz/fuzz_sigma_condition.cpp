// Any bytes as a Sigma condition over a fixed set of searches; after a '|', as an aggregation.
#include <string>
#include <vector>

#include "detect/sigma/condition.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace khien::detect::sigma;
  static const std::vector<std::string> kSearches = {"selection", "selection_img", "selection_cli", "filter_main_a",
                                                     "filter_optional", "_hidden", "keywords"};
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto bar = text.find('|');
  (void)parse_condition(text.substr(0, bar), kSearches);
  if (bar != std::string_view::npos) (void)parse_aggregation(text.substr(bar + 1));
  return 0;
}
