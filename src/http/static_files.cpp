#include "http/static_files.h"

#include <fstream>
#include <sstream>

namespace khien::http {

namespace {
std::string_view content_type(const std::filesystem::path& p) {
  const auto ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".woff") return "font/woff";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

std::optional<std::string> read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

Response not_found() {
  Response r;
  r.status = 404;
  r.set("Content-Type", "text/plain; charset=utf-8");
  r.body = "Not found\n";
  r.route = "static";
  return r;
}
}  // namespace

StaticFiles::StaticFiles(std::filesystem::path root) {
  std::error_code ec;
  if (!root.empty()) root_ = std::filesystem::canonical(root, ec);
  if (ec) root_.clear();
}

std::optional<std::filesystem::path> StaticFiles::resolve(std::string_view path) const {
  if (path.empty() || path.front() != '/') return std::nullopt;
  if (path.find('\0') != std::string_view::npos || path.find('\\') != std::string_view::npos) return std::nullopt;
  std::filesystem::path rel;
  std::size_t pos = 1;
  while (pos <= path.size()) {
    auto end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    const auto seg = path.substr(pos, end - pos);
    if (seg == "..") return std::nullopt;
    if (!seg.empty() && seg != ".") {
      if (seg.front() == '.') return std::nullopt;  // no hidden files
      rel /= std::string(seg);
    }
    pos = end + 1;
  }
  std::error_code ec;
  auto full = std::filesystem::weakly_canonical(root_ / rel, ec);
  if (ec) return std::nullopt;
  // Symbolic links must not lead out of the root either.
  const auto& r = root_.native();
  const auto& f = full.native();
  if (f.compare(0, r.size(), r) != 0 || (f.size() > r.size() && f[r.size()] != '/')) return std::nullopt;
  return full;
}

Response StaticFiles::serve(const Request& req) const {
  if (!enabled()) return not_found();
  auto file = resolve(req.path);
  const bool is_dir_or_missing =
      !file || !std::filesystem::is_regular_file(*file);
  if (is_dir_or_missing) {
    // Paths that look like files stay 404; everything else is a route of the SPA.
    const auto last = req.path.substr(req.path.find_last_of('/') + 1);
    if (!file || last.find('.') != std::string::npos) return not_found();
    file = root_ / "index.html";
  }
  auto body = read_file(*file);
  if (!body) return not_found();
  Response r;
  r.route = "static";
  r.set("Content-Type", std::string(content_type(*file)));
  const auto rel = file->lexically_relative(root_).generic_string();
  if (rel.rfind("assets/", 0) == 0) {
    r.set("Cache-Control", "public, max-age=31536000, immutable");
  } else if (file->filename() == "index.html") {
    r.set("Cache-Control", "no-cache");
  } else {
    r.set("Cache-Control", "public, max-age=3600");
  }
  r.body = std::move(*body);
  return r;
}

}  // namespace khien::http
