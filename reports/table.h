// A table target: a function from a TableContext (preset, threads, flags) to a TableReport,
// registered in AllTables() under its TABLES.md name. `bazel run //reports:<target>` and
// `bazel run //reports:all` both go through RunTable, which times the table and writes
// <out>/<target>.{json,md,csv} (report_table.h).
//
// Stable command line (README, "Table interface"):
//   bazel run //reports:<target> -- --preset=<p> --out=<dir> [--threads=<n>] [--fresh]
//                                   [--<table-specific flag>=<value> ...]
#ifndef STRATA_REPORTS_TABLE_H_
#define STRATA_REPORTS_TABLE_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "reports/report_table.h"

namespace strata {
namespace reports {

struct TableContext {
  std::string preset = "quick";  // smoke | quick | full | paper
  int threads = 0;               // 0: engine default (all cores)
  bool fresh = false;            // ignore the result cache
  std::string out_dir;           // where <target>.{json,md,csv} and figures go
  std::map<std::string, std::string> flags;  // table-specific --key=value flags
};

using TableFn = std::function<StatusOr<TableReport>(const TableContext&)>;

struct TableDef {
  std::string target;  // "amed_table1"
  std::string paper;   // "AMED"
  std::string dir;     // output subdirectory of reports/out: "amed"
  std::string what;
  TableFn fn;          // empty: not implemented yet
  std::vector<std::string> extra_flags;  // table-specific flags it accepts
};

// Every target of TABLES.md, in its order.
const std::vector<TableDef>& AllTables();
const TableDef* FindTable(const std::string& target);

// Parses argv (after argv[0]) into ctx. `extra` lists accepted table-specific flags; the
// default out dir is <workspace>/reports/out/<default_subdir>.
StatusOr<TableContext> ParseTableFlags(int argc, char** argv,
                                       const std::vector<std::string>& extra,
                                       const std::string& default_subdir);

// Runs def.fn (which must be set) and writes its report into ctx.out_dir.
StatusOr<TableReport> RunTable(const TableDef& def, const TableContext& ctx);

// The workspace root under `bazel run` (BUILD_WORKSPACE_DIRECTORY), else ".".
std::string WorkspaceRoot();

}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_TABLE_H_
