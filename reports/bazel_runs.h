// The Bazel run actions' manifest (runs.bzl): every planned run of every table at the
// smoke, quick and full presets, each named by the SHA-256 of its config text.
//
//   bazel run //reports -- --write_bazel_runs     # rewrites reports/runs_manifest.bzl
//
// //reports:runs_manifest_test fails when the committed manifest differs from what the
// tables plan now (a table's plan changed without regenerating it). The paper preset is
// left out: it needs the user's data.
#ifndef STRATA_REPORTS_BAZEL_RUNS_H_
#define STRATA_REPORTS_BAZEL_RUNS_H_

#include <string>

#include "reports/table.h"

namespace strata {
namespace reports {

// The text of runs_manifest.bzl (Starlark: RUNS = {hash: (config, pretrained hash)},
// TABLES = {table: {preset: [hash, ...]}}); deterministic.
StatusOr<std::string> BazelRunsManifest(const TableContext& base);

}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_BAZEL_RUNS_H_
