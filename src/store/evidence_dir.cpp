#include "store/evidence_dir.h"

#include <algorithm>

#include "base/crypto.h"

namespace khien::store {

namespace {
bool is_sha256(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}
}  // namespace

std::string EvidenceDirectory::path_of(const std::string& sha256) const {
  return (root_ / sha256.substr(0, 2) / sha256).string();
}

Status EvidenceDirectory::adopt(const std::string& incoming, const std::string& sha256) {
  if (!is_sha256(sha256)) return Error("internal", "not a SHA-256");
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path target = path_of(sha256);
  fs::create_directories(target.parent_path(), ec);
  if (ec) return Error("store_error", "cannot create " + target.parent_path().string() + ": " + ec.message());
  if (fs::exists(target, ec)) {
    fs::remove(incoming, ec);  // the same content is already kept: never overwrite it
    return {};
  }
  fs::rename(incoming, target, ec);
  if (ec) return Error("store_error", "cannot store evidence: " + ec.message());
  fs::permissions(target, fs::perms::owner_read, fs::perm_options::replace, ec);
  return {};
}

std::optional<std::string> EvidenceDirectory::rehash(const std::string& sha256) const {
  if (!is_sha256(sha256)) return std::nullopt;
  return crypto::sha256_file(path_of(sha256));
}

}  // namespace khien::store
