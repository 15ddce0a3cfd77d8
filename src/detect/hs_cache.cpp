#include "detect/hs_cache.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "base/crypto.h"

namespace khien::detect {

namespace fs = std::filesystem;

namespace {

void add(crypto::Sha256& h, const void* data, std::size_t size) {
  const auto n = static_cast<std::uint64_t>(size);
  h.update(&n, sizeof n);  // lengths first: no two inputs hash the same bytes
  h.update(data, size);
}

}  // namespace

hs_error_t DatabaseCache::compile(const char* const* texts, const std::size_t* lengths, const unsigned* flags,
                                  const unsigned* ids, unsigned count, hs_database_t** db, hs_compile_error_t** error) {
  auto compile_now = [&] {
    ++compiled_;
    return lengths == nullptr ? hs_compile_multi(texts, flags, ids, count, HS_MODE_BLOCK, nullptr, db, error)
                              : hs_compile_lit_multi(texts, flags, ids, lengths, count, HS_MODE_BLOCK, nullptr, db, error);
  };
  if (dir_.empty()) return compile_now();

  crypto::Sha256 h;
  const std::string_view what = lengths == nullptr ? "khien-hs-1 expressions" : "khien-hs-1 literals";
  add(h, what.data(), what.size());
  const std::string_view version = hs_version();
  add(h, version.data(), version.size());
  hs_platform_info_t platform{};
  if (hs_populate_platform(&platform) != HS_SUCCESS) return compile_now();
  add(h, &platform, sizeof platform);
  for (unsigned i = 0; i < count; ++i) {
    add(h, texts[i], lengths == nullptr ? std::strlen(texts[i]) : lengths[i]);
    const unsigned pair[2] = {flags[i], ids[i]};
    add(h, pair, sizeof pair);
  }
  const auto path = dir_ / (h.hex() + ".hsdb");

  std::error_code ec;
  if (std::ifstream in(path, std::ios::binary | std::ios::ate); in) {
    std::string bytes(static_cast<std::size_t>(std::max<std::streamoff>(in.tellg(), 0)), '\0');
    in.seekg(0);
    if (in.read(bytes.data(), static_cast<std::streamsize>(bytes.size())) &&
        hs_deserialize_database(bytes.data(), bytes.size(), db) == HS_SUCCESS) {
      ++loaded_;
      fs::last_write_time(path, fs::file_time_type::clock::now(), ec);  // used recently: pruned last
      return HS_SUCCESS;
    }
  }
  const auto status = compile_now();
  if (status != HS_SUCCESS) return status;
  char* bytes = nullptr;
  std::size_t size = 0;
  if (hs_serialize_database(*db, &bytes, &size) != HS_SUCCESS) return HS_SUCCESS;
  fs::create_directories(dir_, ec);
  const auto temporary = path.string() + ".tmp." + std::to_string(::getpid());
  bool written = false;
  if (std::ofstream out(temporary, std::ios::binary | std::ios::trunc); out) {
    out.write(bytes, static_cast<std::streamsize>(size));
    written = static_cast<bool>(out.flush());
  }
  std::free(bytes);
  if (written) fs::rename(temporary, path, ec);
  if (!written || ec) fs::remove(temporary, ec);
  else prune();
  return HS_SUCCESS;
}

void DatabaseCache::prune() const {
  struct File {
    fs::file_time_type used;
    std::uintmax_t size;
    fs::path path;
  };
  std::vector<File> files;
  std::uintmax_t total = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".hsdb") continue;
    std::error_code e1, e2;
    const auto size = it->file_size(e1);
    const auto used = it->last_write_time(e2);
    if (e1 || e2) continue;
    files.push_back({used, size, it->path()});
    total += size;
  }
  if (total <= kMaxBytes) return;
  std::sort(files.begin(), files.end(), [](const File& a, const File& b) { return a.used < b.used; });
  for (const auto& f : files) {
    if (total <= kMaxBytes) break;
    if (fs::remove(f.path, ec)) total -= f.size;
  }
}

}  // namespace khien::detect
