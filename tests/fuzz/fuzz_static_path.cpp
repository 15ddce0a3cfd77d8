// A decoded request path must never resolve outside the web root.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "http/static_files.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto root = [] {
    auto dir = std::filesystem::temp_directory_path() / "khien-fuzz-web";
    std::filesystem::create_directories(dir / "assets");
    std::ofstream(dir / "index.html") << "index";
    std::ofstream(dir / "assets" / "app.js") << "app";
    std::ofstream(dir.parent_path() / "khien-fuzz-secret") << "SECRET";
    return dir;
  }();
  static const khien::http::StaticFiles files(root);
  khien::http::Request req;
  req.method = "GET";
  req.path.assign(reinterpret_cast<const char*>(data), size);
  const auto res = files.serve(req);
  if (res.body.find("SECRET") != std::string::npos) std::abort();
  return 0;
}
