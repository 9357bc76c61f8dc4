// main() of one table target: `bazel run //reports:<target> -- --preset=... --out=...`.
// The target name is baked in by the strata_table macro (tables.bzl) as STRATA_TABLE.
#include <cstdio>

#include "reports/runfiles.h"
#include "reports/table.h"

#define STRATA_STRINGIFY_INNER(x) #x
#define STRATA_STRINGIFY(x) STRATA_STRINGIFY_INNER(x)

int main(int argc, char** argv) {
  using namespace strata::reports;
  SetProgramPath(argv[0]);
  const char* target = STRATA_STRINGIFY(STRATA_TABLE);
  const TableDef* def = FindTable(target);
  if (def == nullptr || !def->build) {
    std::fprintf(stderr, "%s: not a table, or not implemented yet\n", target);
    return 2;
  }
  auto ctx = ParseTableFlags(argc, argv, def->extra_flags, def->dir);
  if (!ctx.ok()) {
    std::fprintf(stderr, "%s: %s\n", target, ctx.status().ToString().c_str());
    return 2;
  }
  auto report = RunTable(*def, *ctx);
  if (!report.ok()) {
    std::fprintf(stderr, "%s\n", report.status().ToString().c_str());
    return 1;
  }
  std::printf("%s", ReportToMarkdown(*report).c_str());
  std::printf("\nwrote %s/%s.{json,md,csv} in %.1f s\n", ctx->out_dir.c_str(), target,
              report->seconds());
  return 0;
}
