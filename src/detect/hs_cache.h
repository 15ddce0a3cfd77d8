#pragma once
// Vectorscan databases kept on disk, by what they were compiled from. Compiling all of
// SigmaHQ's Windows rules takes about a second, nearly all of it in Vectorscan; a hunt that
// is run again with the same rules loads the databases instead (as Suricata 8 caches its
// Hyperscan databases).
//
// The key is SHA-256 over the Vectorscan version, the platform, and every expression with its
// flags and id, so any change to the rules, the mapping or the library compiles afresh. A file
// that cannot be read or deserialized is compiled afresh and written again; failing to write
// costs nothing but the next compile. Files are written whole then renamed, so that processes
// sharing the directory never read half a file. Bounded: once the directory holds more than
// kMaxBytes, the files used least recently are removed.
#include <hs/hs.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace khien::detect {

class DatabaseCache {
 public:
  static constexpr std::uintmax_t kMaxBytes = 256u << 20;

  // No directory: nothing is kept, every database is compiled.
  explicit DatabaseCache(std::filesystem::path dir = {}) : dir_(std::move(dir)) {}

  // hs_compile_multi (lengths == nullptr) or hs_compile_lit_multi, in block mode, through the
  // cache. Same contract as those: on failure *error is set and must be freed by the caller.
  hs_error_t compile(const char* const* texts, const std::size_t* lengths, const unsigned* flags, const unsigned* ids,
                     unsigned count, hs_database_t** db, hs_compile_error_t** error);

  unsigned loaded() const { return loaded_; }      // databases read from the directory
  unsigned compiled() const { return compiled_; }  // databases compiled

 private:
  void prune() const;

  std::filesystem::path dir_;
  unsigned loaded_ = 0, compiled_ = 0;
};

}  // namespace khien::detect
