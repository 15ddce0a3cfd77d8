#pragma once
// Where evidence files live: content-addressed by SHA-256, written once, never overwritten.
// Implemented on the data directory by store/evidence_dir.
#include <optional>
#include <string>

#include "base/result.h"

namespace khien::service {

class EvidenceFiles {
 public:
  virtual ~EvidenceFiles() = default;
  // Takes the file at `incoming` (already hashed to `sha256`) into the store. When the same
  // content is already there, the stored file stays as it is and `incoming` is removed.
  virtual Status adopt(const std::string& incoming, const std::string& sha256) = 0;
  // The path of the stored content.
  virtual std::string path_of(const std::string& sha256) const = 0;
  // The SHA-256 of the stored content as it is now on disk; nullopt when it is missing.
  virtual std::optional<std::string> rehash(const std::string& sha256) const = 0;
};

}  // namespace khien::service
