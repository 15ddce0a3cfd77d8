#pragma once
// EvidenceFiles on a directory: <root>/<first two hex digits>/<sha256>, read-only once stored.
#include <filesystem>

#include "service/evidence_files.h"

namespace khien::store {

class EvidenceDirectory final : public service::EvidenceFiles {
 public:
  explicit EvidenceDirectory(std::filesystem::path root) : root_(std::move(root)) {}
  Status adopt(const std::string& incoming, const std::string& sha256) override;
  std::string path_of(const std::string& sha256) const override;
  std::optional<std::string> rehash(const std::string& sha256) const override;

 private:
  std::filesystem::path root_;
};

}  // namespace khien::store
