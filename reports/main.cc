// `bazel run //reports -- [--preset=...] [--out=<dir>] [--threads=<n>] [--fresh]
//      [--cache=<dir>] [--runs_from=<dir>] [--data=<dir> --data_kind=...]`: the main job.
// (`--write_bazel_runs` / `--print_bazel_runs`: the Bazel run manifest, bazel_runs.h;
// `--write_digests`: also rewrite the preset's committed run digests, digests.h):
// runs every implemented table (one cached Runner shared by all, so a run two tables
// share is trained once) and writes REPORT.md: preset, machine, code version, runs
// computed/reused, total time, an index of tables with claim verdicts, then every claim
// and figure; tables not implemented yet are listed as such.
// Without --out, table files go to reports/out/<paper>/ and REPORT.md to reports/out/;
// with --out=<dir>, all of them go into <dir>.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "reports/bazel_runs.h"
#include "reports/digests.h"
#include "reports/runfiles.h"
#include "reports/table.h"

namespace strata {
namespace reports {
namespace {

std::string CommandOutput(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof(buf), p) != nullptr) out += buf;
    ::pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out.empty() ? "unknown" : out;
}

std::string Machine() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, model = "unknown CPU";
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  return model + ", " + std::to_string(std::thread::hardware_concurrency()) + " cores";
}

std::string Verdicts(const TableReport& r) {
  int yes = 0, no = 0, open = 0;
  for (const Claim& c : r.claims()) {
    if (c.holds().kind_case() != Cell::kBoolValue)
      ++open;
    else
      (c.holds().bool_value() ? yes : no)++;
  }
  return std::to_string(yes) + " ✓, " + std::to_string(no) + " ✗, " + std::to_string(open) + " –";
}

// Every claim of a table and its figures, for REPORT.md.
std::string Details(const TableReport& r, const std::string& dir_prefix) {
  std::string md = "### " + r.target() + ": " + r.title() + "\n\n";
  if (!r.note().empty()) md += r.note() + "\n\n";
  for (const Claim& c : r.claims()) {
    const char* mark = c.holds().kind_case() != Cell::kBoolValue ? "–"
                       : c.holds().bool_value()                  ? "✓"
                                                                 : "✗";
    md += std::string("- ") + mark + " " + c.text() + " — " + c.evidence() + "\n";
  }
  for (const std::string& f : r.figures()) {
    if (f.size() > 4 && f.compare(f.size() - 4, 4, ".png") == 0) {
      md += "\n![" + f + "](" + dir_prefix + f + ")\n";
    }
  }
  return md + "\n";
}

// --print_bazel_runs / --write_bazel_runs: the Bazel run manifest (bazel_runs.h).
int BazelRuns(const TableContext& ctx) {
  StatusOr<std::string> manifest = BazelRunsManifest(ctx);
  Status s = manifest.status();
  if (s.ok() && ctx.flags.count("write_bazel_runs")) {
    const std::string path = WorkspaceRoot() + "/reports/runs_manifest.bzl";
    s = WriteFileAtomic(path, *manifest);
    if (s.ok()) std::printf("wrote %s\n", path.c_str());
  } else if (s.ok()) {
    std::printf("%s", manifest->c_str());
  }
  if (!s.ok()) std::fprintf(stderr, "reports: %s\n", s.ToString().c_str());
  return s.ok() ? 0 : 1;
}

// The preset's run digests (all cached by now) into reports/results/<preset>_digests.json.
Status WriteDigests(const TableContext& ctx) {
  STRATA_ASSIGN_OR_RETURN(Digests d, PlannedDigests(ctx));
  const std::string path = WorkspaceRoot() + "/" + DigestsPath(ctx.preset);
  STRATA_RETURN_IF_ERROR(MakeDirs(path.substr(0, path.rfind('/'))));
  STRATA_RETURN_IF_ERROR(WriteFileAtomic(path, DigestsJson(d)));
  std::printf("wrote %s\n", path.c_str());
  return Status::Ok();
}

// Runs every implemented table; the index and details REPORT.md lists.
struct Tables {
  std::string index = "| target | paper | what | claims | time (s) |\n|---|---|---|---|---|\n";
  std::string details;
  int failed = 0, missing = 0;
};
Tables RunAll(const TableContext& ctx, bool flat, const std::string& root) {
  Tables t;
  for (const TableDef& def : AllTables()) {
    if (!def.build) {
      ++t.missing;
      t.index += "| `" + def.target + "` | " + def.paper + " | " + def.what +
                 " | not implemented yet | |\n";
      continue;
    }
    TableContext table_ctx = ctx;
    table_ctx.out_dir = flat ? root : root + "/" + def.dir;
    std::printf("== %s\n", def.target.c_str());
    std::fflush(stdout);
    auto report = RunTable(def, table_ctx);
    const std::string link = flat ? def.target + ".md" : def.dir + "/" + def.target + ".md";
    if (!report.ok()) {
      ++t.failed;
      std::fprintf(stderr, "%s\n", report.status().ToString().c_str());
      t.index += "| `" + def.target + "` | " + def.paper + " | " + def.what +
                 " | FAILED: " + report.status().message() + " | |\n";
      continue;
    }
    t.index += "| [`" + def.target + "`](" + link + ") | " + def.paper + " | " + def.what + " | " +
               Verdicts(*report) + " | " + FormatCell(Number(report->seconds())) + " |\n";
    t.details += Details(*report, flat ? "" : def.dir + "/");
  }
  return t;
}

std::string RunsLine(const Runner& r, const TableContext& ctx) {
  return "- runs: " + std::to_string(r.computed()) + " trained, " + std::to_string(r.reused()) +
         " reused from the cache (" + ctx.cache_dir + ")" +
         (r.adopted() > 0 ? ", " + std::to_string(r.adopted()) +
                                " adopted from Bazel run actions (" + r.options().adopt_dir + ")"
                          : std::string()) +
         (r.recomputed_corrupt() > 0
              ? ", " + std::to_string(r.recomputed_corrupt()) + " corrupt entries recomputed"
              : std::string()) +
         "\n";
}

std::string ReportMd(const TableContext& ctx, const Runner& r, const Tables& t, double seconds) {
  return "# strata report\n\n- preset: `" + ctx.preset + "`\n- machine: " + Machine() +
         "\n- code version: train binary " + r.options().code_version.substr(0, 16) + ", git " +
         CommandOutput("git -C '" + WorkspaceRoot() + "' describe --always --dirty 2>/dev/null") +
         "\n" + RunsLine(r, ctx) + "- total time: " + FormatCell(Number(seconds)) +
         " s (preset budget for all tables: " +
         FormatCell(Number(ctx.preset_config.budget_minutes())) + " min)\n- " +
         std::to_string(t.missing) + " of " + std::to_string(AllTables().size()) +
         " targets not implemented yet\n\n" + t.index + "\n## Claims and figures\n\n" + t.details;
}

int Main(int argc, char** argv) {
  SetProgramPath(argv[0]);
  auto ctx =
      ParseTableFlags(argc, argv, {"print_bazel_runs", "write_bazel_runs", "write_digests"}, "");
  if (!ctx.ok()) {
    std::fprintf(stderr, "reports: %s\n", ctx.status().ToString().c_str());
    return 2;
  }
  if (ctx->flags.count("print_bazel_runs") || ctx->flags.count("write_bazel_runs")) {
    return BazelRuns(*ctx);
  }
  auto runner = MakeRunner(*ctx);
  if (!runner.ok()) {
    std::fprintf(stderr, "reports: %s\n", runner.status().ToString().c_str());
    return 1;
  }
  ctx->runner = runner->get();
  const bool flat = ctx->out_dir != WorkspaceRoot() + "/reports/out/";
  const std::string root = flat ? ctx->out_dir : WorkspaceRoot() + "/reports/out";
  const auto start = std::chrono::steady_clock::now();
  const Tables t = RunAll(*ctx, flat, root);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string md = ReportMd(*ctx, **runner, t, seconds);
  Status s = MakeDirs(root);
  if (s.ok()) s = WriteFileAtomic(root + "/REPORT.md", md);
  if (s.ok() && ctx->flags.count("write_digests")) s = WriteDigests(*ctx);
  if (!s.ok()) {
    std::fprintf(stderr, "reports: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("%s\nwrote %s/REPORT.md\n", md.c_str(), root.c_str());
  return t.failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace reports
}  // namespace strata

int main(int argc, char** argv) { return strata::reports::Main(argc, argv); }
