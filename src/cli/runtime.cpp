#include "cli/runtime.h"

#include "cli/text.h"

#include <fmt/format.h>

#include <cstdlib>
#include <iostream>

#include "base/crypto.h"
#include "cli/text.h"
#include "store/evidence_dir.h"
#include "store/sqlite/sqlite_store.h"

namespace khien::cli {

Result<std::unique_ptr<Runtime>> open_runtime(const Config& config, int pool_size) {
  crypto::init();
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec)
    return Error("data_dir", fmt::format("cannot create the data directory {}: {}", config.data_dir.string(), ec.message()));
  std::filesystem::permissions(config.data_dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace,
                               ec);
  const auto db = config.data_dir / "khien.db";
  auto migrated = store::migrate_sqlite(db);
  if (!migrated.ok()) return migrated.error();
  auto store = store::open_sqlite_store(db, pool_size);
  if (!store.ok()) return store.error();
  auto catalog = service::builtin_catalog();
  if (!catalog.ok()) return catalog.error();
  auto rt = std::make_unique<Runtime>();
  rt->store = std::move(store).value();
  rt->catalog = std::move(catalog).value();
  rt->evidence = std::make_unique<store::EvidenceDirectory>(config.data_dir / "evidence");
  rt->services =
      std::make_unique<service::Services>(*rt->store, rt->clock, config.security, rt->catalog, *rt->evidence);
  return rt;
}

service::RequestMeta operator_meta() {
  const char* user = std::getenv("USER");
  return {"local", fmt::format("khien-cli (operator {})", user ? user : "unknown")};
}

void print_error(const Error& e) {
  // The error's title from the catalogue when it has one, then its code (for scripts and
  // searches), the detail, and each field's message.
  const std::string key = "error." + e.code();
  const std::string title = i18n::translate(language(), key);
  std::cerr << "khien: " << (title == key ? e.code() : title + " (" + e.code() + ")");
  if (!e.detail().empty()) std::cerr << ": " << e.detail();
  for (const auto& f : e.fields()) {
    std::cerr << "\n  " << f.field << ": " << f.code;
    const std::string message = i18n::field_message(language(), f.code, f.detail);
    if (message != "field." + f.code) std::cerr << " — " << message;
    if (!f.detail.empty() && f.code != "password_policy" && message.find(f.detail) == std::string::npos)
      std::cerr << " (" << f.detail << ")";
  }
  std::cerr << "\n";
}

}  // namespace khien::cli
