#pragma once
// What every subcommand that touches the database opens: the migrated store and the services.
#include <memory>

#include "base/result.h"
#include "base/time.h"
#include "cli/config.h"
#include "service/services.h"
#include "service/store.h"

namespace khien::cli {

struct Runtime {
  std::unique_ptr<service::Store> store;
  SystemClock clock;
  service::Catalog catalog;
  std::unique_ptr<service::EvidenceFiles> evidence;
  std::unique_ptr<service::Services> services;
};

// Creates the data directory if needed, applies migrations and opens the store with
// `pool_size` connections. Prints nothing.
Result<std::unique_ptr<Runtime>> open_runtime(const Config& config, int pool_size);

// The origin of changes made from the command line, for the audit log.
service::RequestMeta operator_meta();

// Prints an error for the operator on stderr.
void print_error(const Error& e);

}  // namespace khien::cli
