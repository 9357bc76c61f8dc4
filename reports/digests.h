// The reproducibility manifest: every planned run's final-parameter digest per table at one
// preset, as committed in reports/results/<preset>_digests.json and checked by
// //reports:tables_smoke_test at 1 and at 2 threads from empty caches (the same bytes for
// any thread count, DESIGN.md principle 2).
//
//   bazel run //reports -- --preset=smoke --write_digests   # rewrites the smoke manifest
//
// {"<table>": {"<run id>_s<seed>": "<SHA-256>", "<run id>_s<seed>.pretrained": "<SHA-256 of
// the run it started from>", ...}, ...}, one entry a line, keys sorted.
#ifndef STRATA_REPORTS_DIGESTS_H_
#define STRATA_REPORTS_DIGESTS_H_

#include <map>
#include <string>
#include <vector>

#include "reports/table.h"

namespace strata {
namespace reports {

using Digests = std::map<std::string, std::map<std::string, std::string>>;

// The digests of every run the implemented tables plan at ctx's preset, through ctx.runner
// (training what the cache lacks).
StatusOr<Digests> PlannedDigests(const TableContext& ctx);

std::string DigestsJson(const Digests& d);
// Errors name `source` and what does not parse.
StatusOr<Digests> ParseDigestsJson(const std::string& text, const std::string& source);

// "table run: want <a>, got <b>" for each difference (a missing entry reads "none"); empty
// when equal.
std::vector<std::string> DiffDigests(const Digests& want, const Digests& got);

// The committed manifest's path, workspace-relative.
std::string DigestsPath(const std::string& preset);

}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_DIGESTS_H_
