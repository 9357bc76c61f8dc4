// A table target, declared in one file named after it (reports/<paper dir>/<target>.cc):
// its plan (the training runs, configs before the preset), its build (rows, figures and
// claims from the runs' results), its declared claims. RunTable owns the opening steps:
// it runs the plan through the cached Runner (per the preset's seeds), loads the paper's
// numbers (reports/paper/<target>.csv) and starts the report (target, preset, paper,
// title), then calls the build and writes <out>/<target>.{json,md,csv}.
//
//   TableDef VlTable1() {   // in reports/vl/vl_table1.cc
//     return DefineTable(__FILE__, {Plan, Build, "LSQ vs ascending vs co-training", "<title>",
//                                   {vl::kAscendingBelowLsq, vl::kCotrainDiverges}});
//   }   // Plan: std::vector<PlannedRun>(const TableContext&); Build: Status(TableInput, report)
//
// Stable command line (README, "Tables"):
//   bazel run //reports:<target> -- --preset=<p> --out=<dir> [--threads=<n>] [--fresh]
//       [--cache=<dir>] [--runs_from=<bazel-bin>/reports/runs]
//       [--data=<dir> --data_kind=cifar10|cifar100|imagenet] [--<table-specific flag>=<value> ...]
// Relative paths are taken from where `bazel run` was called (UserPath). The same plans
// feed the Bazel run actions (`bazel build //reports:<target>_results`, runs.bzl).
#ifndef STRATA_REPORTS_TABLE_H_
#define STRATA_REPORTS_TABLE_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "reports/catalog.h"
#include "reports/claims.h"
#include "reports/paper_numbers.h"
#include "reports/preset.h"
#include "reports/report_table.h"
#include "reports/runner.h"
#include "reports/table_util.h"

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
  Preset preset_config;                      // the loaded preset
  Runner* runner = nullptr;                  // set by RunTable
};

using PlanFn = std::function<std::vector<PlannedRun>(const TableContext&)>;

// What a table's build gets: the context, the plan's runs (plan order, a record per seed)
// and the paper's numbers (empty when the table has no reports/paper/<target>.csv).
struct TableInput {
  const TableContext& ctx;
  std::vector<SeededRuns> runs;
  PaperTable paper;
  // The planned run `id`; CHECKs that the plan has it.
  const SeededRuns& Run(const std::string& id) const;
  const Preset& preset() const { return ctx.preset_config; }
};
using BuildFn = std::function<Status(const TableInput& in, TableReport* report)>;

struct TableDef {
  std::string target;  // "vl_table1": TABLES.md's name, the source file's name
  std::string paper;   // "vertical layering", "AMED", "accurate edge computing", "strata"
  std::string dir;     // output subdirectory of reports/out, the source folder: "vl"
  std::string what;    // REPORT.md's index line
  std::string title;   // the report's title
  std::vector<ClaimSpec> claims;         // TABLES.md's claims, every one reported
  std::vector<std::string> extra_flags;  // table-specific flags it accepts
  PlanFn plan;                           // the training runs (empty: the table trains nothing)
  BuildFn build;                         // empty: not implemented yet
};

// What a table file declares; DefineTable adds target and dir from `source_file` (__FILE__,
// ".../reports/<dir>/<target>.cc") and the paper from the dir.
struct TableParts {
  PlanFn plan;  // null: the table trains nothing
  BuildFn build;
  std::string what, title;
  std::vector<ClaimSpec> claims;
  std::vector<std::string> extra_flags = {};
};
TableDef DefineTable(const char* source_file, TableParts parts);

// Every target of TABLES.md, in its order (registry.cc).
const std::vector<TableDef>& AllTables();
const TableDef* FindTable(const std::string& target);

// Parses argv (after argv[0]) into ctx. `extra` lists accepted table-specific flags; the
// default out dir is <workspace>/reports/out/<default_subdir>.
StatusOr<TableContext> ParseTableFlags(int argc, char** argv, const std::vector<std::string>& extra,
                                       const std::string& default_subdir);

// Runs def (which must be implemented) with a Runner on ctx.cache_dir (unless ctx.runner
// is set) and writes its report into ctx.out_dir.
StatusOr<TableReport> RunTable(const TableDef& def, const TableContext& ctx);

// The runner tables share: ctx.cache_dir, the train binary from the runfiles, the code
// version, ctx.threads, ctx.fresh and ctx.runs_from.
StatusOr<std::unique_ptr<Runner>> MakeRunner(const TableContext& ctx);

// Every planned run of `def` at ctx's preset, each repeated per seed, through ctx.runner.
StatusOr<std::vector<SeededRuns>> RunPlanned(const TableDef& def, const TableContext& ctx);

// The plan of `def` at ctx's preset: (id, seed) -> config, without running anything.
StatusOr<std::vector<std::pair<std::string, ExperimentConfig>>> PresetPlan(const TableDef& def,
                                                                           const TableContext& ctx);

// The runner's code version: reports/code_version.txt from the runfiles (the SHA-256 of
// the train binary, made by the //reports:code_version genrule).
StatusOr<std::string> CodeVersion();

}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_TABLE_H_
