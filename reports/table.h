// A table target: a function from a TableContext (preset, threads, flags) to a TableReport,
// registered in AllTables() under its TABLES.md name. `bazel run //reports:<target>` and
// `bazel run //reports:all` both go through RunTable, which times the table and writes
// <out>/<target>.{json,md,csv} (report_table.h).
//
// Stable command line (README, "Table interface"):
//   bazel run //reports:<target> -- --preset=<p> --out=<dir> [--threads=<n>] [--fresh]
//       [--cache=<dir>] [--runs_from=<bazel-bin>/reports/runs]
//       [--data=<dir> --data_kind=cifar10|cifar100|imagenet] [--<table-specific flag>=<value> ...]
// Relative paths are taken from where `bazel run` was called (UserPath).
//
// A training table declares its runs in `plan` (configs before the preset; pure, no data
// access) and reads their results in `fn` through RunPlanned, which applies the preset
// (preset.h), repeats each run per seed and asks the cached Runner (runner.h). The same
// plan feeds the Bazel run actions (`bazel build //reports:<target>_results`, runs.bzl).
#ifndef STRATA_REPORTS_TABLE_H_
#define STRATA_REPORTS_TABLE_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "moo/train/experiment.pb.h"
#include "reports/preset.h"
#include "reports/report_table.h"
#include "reports/runner.h"

namespace strata {
namespace reports {

struct TableContext {
  std::string preset = "quick";  // smoke | quick | full | paper
  int threads = 0;               // 0: engine default (all cores)
  bool fresh = false;            // ignore the result cache
  std::string out_dir;           // where <target>.{json,md,csv} and figures go
  std::string cache_dir;         // the result cache (default <workspace>/reports/out/cache)
  std::string runs_from;         // --runs_from: Bazel run action outputs to adopt (runner.h)
  UserData data;                 // --data / --data_kind (the paper preset)
  std::map<std::string, std::string> flags;  // table-specific --key=value flags
  Preset preset_config;          // the loaded preset
  Runner* runner = nullptr;      // set by RunTable
};

// A planned run: an id unique within the table (used in row labels and Bazel target
// names: [a-z0-9_]) and its config before the preset.
struct PlannedRun {
  std::string id;
  ExperimentConfig config;
  // Optional: adjusts the config after the preset was applied for `preset_seed` (e.g. an
  // ensemble member's own seed, INQ's epochs per partition step). Pure.
  std::function<void(uint64_t preset_seed, ExperimentConfig* config)> after_preset;
};
using PlanFn = std::function<std::vector<PlannedRun>(const TableContext&)>;

// One planned run at the context's preset: a record per seed.
struct SeededRuns {
  std::string id;
  std::vector<RunRecord> seeds;
};

using TableFn = std::function<StatusOr<TableReport>(const TableContext&)>;

struct TableDef {
  std::string target;  // "amed_table1"
  std::string paper;   // "AMED"
  std::string dir;     // output subdirectory of reports/out: "amed"
  std::string what;
  TableFn fn;          // empty: not implemented yet
  std::vector<std::string> extra_flags;  // table-specific flags it accepts
  PlanFn plan;         // the training runs, for tables that train (else empty)
};

// Every target of TABLES.md, in its order.
const std::vector<TableDef>& AllTables();
// The claim ids each implemented table must report (its TABLES.md claims), target ->
// ids; checked at the smoke preset by //reports:tables_smoke_test.
const std::map<std::string, std::vector<std::string>>& DeclaredClaims();
const TableDef* FindTable(const std::string& target);

// Parses argv (after argv[0]) into ctx. `extra` lists accepted table-specific flags; the
// default out dir is <workspace>/reports/out/<default_subdir>.
StatusOr<TableContext> ParseTableFlags(int argc, char** argv,
                                       const std::vector<std::string>& extra,
                                       const std::string& default_subdir);

// Runs def.fn (which must be set) with a Runner on ctx.cache_dir and writes its report
// into ctx.out_dir.
StatusOr<TableReport> RunTable(const TableDef& def, const TableContext& ctx);

// The runner tables share: ctx.cache_dir, the train binary from the runfiles, the code
// version, ctx.threads, ctx.fresh and ctx.runs_from.
StatusOr<std::unique_ptr<Runner>> MakeRunner(const TableContext& ctx);

// Every planned run of `def` at ctx's preset, each repeated per seed, through ctx.runner.
StatusOr<std::vector<SeededRuns>> RunPlanned(const TableDef& def, const TableContext& ctx);

// The plan of `def` at ctx's preset: (id, seed) -> config, without running anything.
StatusOr<std::vector<std::pair<std::string, ExperimentConfig>>> PresetPlan(
    const TableDef& def, const TableContext& ctx);

// The runner's code version: reports/code_version.txt from the runfiles (the SHA-256 of
// the train binary, made by the //reports:code_version genrule).
StatusOr<std::string> CodeVersion();

}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_TABLE_H_
