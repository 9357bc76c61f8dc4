#include "reports/table.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>

#include "reports/runfiles.h"

namespace strata {
namespace reports {

const TableDef* FindTable(const std::string& target) {
  for (const TableDef& t : AllTables()) {
    if (t.target == target) return &t;
  }
  return nullptr;
}

TableDef DefineTable(const char* source_file, TableParts parts) {
  const std::filesystem::path path(source_file);
  TableDef t;
  t.target = path.stem().string();
  t.dir = path.parent_path().filename().string();
  static const std::map<std::string, std::string> kPapers = {{"vl", "vertical layering"},
                                                             {"amed", "AMED"},
                                                             {"edge", "accurate edge computing"},
                                                             {"strata", "strata"}};
  const auto it = kPapers.find(t.dir);
  CHECK(it != kPapers.end()) << "DefineTable: " << source_file
                             << " is not in reports/{vl,amed,edge,strata}/";
  t.paper = it->second;
  t.what = std::move(parts.what);
  t.title = std::move(parts.title);
  t.claims = std::move(parts.claims);
  t.extra_flags = std::move(parts.extra_flags);
  t.plan = std::move(parts.plan);
  t.build = std::move(parts.build);
  return t;
}

const SeededRuns& TableInput::Run(const std::string& id) const {
  for (const SeededRuns& r : runs) {
    if (r.id == id) return r;
  }
  CHECK(false) << "TableInput::Run: no planned run '" << id << "'";
  return runs.front();
}

namespace {

Status ParseThreads(const std::string& value, int* threads) {
  char* end = nullptr;
  const long n = std::strtol(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || n < 1 || n > 1024) {
    return InvalidArgumentError("flag --threads: value '" + value +
                                "' must be an integer in [1, 1024]");
  }
  *threads = static_cast<int>(n);
  return Status::Ok();
}

}  // namespace

StatusOr<TableContext> ParseTableFlags(int argc, char** argv, const std::vector<std::string>& extra,
                                       const std::string& default_subdir) {
  TableContext ctx;
  ctx.out_dir = WorkspaceRoot() + "/reports/out/" + default_subdir;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    const std::string key = arg.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    if (key == "--preset") {
      ctx.preset = value;
    } else if (key == "--out") {
      if (value.empty()) return InvalidArgumentError("flag --out: empty directory");
      ctx.out_dir = UserPath(value);
    } else if (key == "--threads") {
      STRATA_RETURN_IF_ERROR(ParseThreads(value, &ctx.threads));
    } else if (arg == "--fresh") {
      ctx.fresh = true;
    } else if (key == "--cache") {
      if (value.empty()) return InvalidArgumentError("flag --cache: empty directory");
      ctx.cache_dir = UserPath(value);
    } else if (key == "--runs_from") {
      ctx.runs_from = UserPath(value);
      if (!std::filesystem::is_directory(ctx.runs_from)) {
        return InvalidArgumentError("flag --runs_from: '" + value +
                                    "' is not a directory (the Bazel run actions' outputs, "
                                    "bazel-bin/reports/runs)");
      }
    } else if (key == "--data") {
      ctx.data.dir = UserPath(value);
    } else if (key == "--data_kind") {
      ctx.data.kind = value;
    } else if (key.rfind("--", 0) == 0 &&
               std::find(extra.begin(), extra.end(), key.substr(2)) != extra.end()) {
      ctx.flags[key.substr(2)] = value;
    } else {
      std::string known =
          "--preset= --out= --threads= --fresh --cache= --runs_from= --data= --data_kind=";
      for (const std::string& e : extra) known += " --" + e + "=";
      return InvalidArgumentError("unknown flag '" + arg + "' (known: " + known + ")");
    }
  }
  STRATA_ASSIGN_OR_RETURN(ctx.preset_config, LoadPreset(ctx.preset));
  if (ctx.cache_dir.empty()) ctx.cache_dir = WorkspaceRoot() + "/reports/out/cache";
  return ctx;
}

StatusOr<std::string> CodeVersion() {
  const std::string path = RunfilePath("reports/code_version.txt");
  STRATA_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.size() != 64) return DataLossError(path + ": not a SHA-256: '" + text + "'");
  return text;
}

StatusOr<std::unique_ptr<Runner>> MakeRunner(const TableContext& ctx) {
  RunnerOptions o;
  o.cache_dir = ctx.cache_dir;
  o.train_binary = RunfilePath("reports/train");
  if (!FileExists(o.train_binary)) {
    return NotFoundError(o.train_binary +
                         ": the train binary is missing; run tables through `bazel run`");
  }
  STRATA_ASSIGN_OR_RETURN(o.code_version, CodeVersion());
  o.threads = ctx.threads;
  o.fresh = ctx.fresh;
  o.adopt_dir = ctx.runs_from;
  return std::make_unique<Runner>(o);
}

namespace {

// A planned run at ctx's preset and `seed`, adjusted by the run's after_preset.
StatusOr<ExperimentConfig> Configure(const TableDef& def, const TableContext& ctx,
                                     const PlannedRun& run, uint64_t seed) {
  STRATA_ASSIGN_OR_RETURN(ExperimentConfig c,
                          ApplyPreset(ctx.preset_config, def.target, ctx.data, run.config, seed));
  if (run.after_preset) run.after_preset(seed, &c);
  return c;
}

}  // namespace

StatusOr<std::vector<std::pair<std::string, ExperimentConfig>>> PresetPlan(
    const TableDef& def, const TableContext& ctx) {
  std::vector<std::pair<std::string, ExperimentConfig>> out;
  if (!def.plan) return out;
  for (const PlannedRun& run : def.plan(ctx)) {
    for (uint64_t seed : PresetSeeds(ctx.preset_config, run.config)) {
      STRATA_ASSIGN_OR_RETURN(ExperimentConfig c, Configure(def, ctx, run, seed));
      out.emplace_back(run.id + "_s" + std::to_string(seed), std::move(c));
    }
  }
  return out;
}

StatusOr<std::vector<SeededRuns>> RunPlanned(const TableDef& def, const TableContext& ctx) {
  CHECK(ctx.runner != nullptr) << "RunPlanned: no runner (call through RunTable)";
  std::vector<SeededRuns> out;
  for (const PlannedRun& run : def.plan(ctx)) {
    SeededRuns s;
    s.id = run.id;
    for (uint64_t seed : PresetSeeds(ctx.preset_config, run.config)) {
      STRATA_ASSIGN_OR_RETURN(ExperimentConfig c, Configure(def, ctx, run, seed));
      StatusOr<RunRecord> r = ctx.runner->Get(c);
      if (!r.ok()) return r.status().Annotate("run " + run.id + ": ");
      s.seeds.push_back(*std::move(r));
    }
    out.push_back(std::move(s));
  }
  return out;
}

namespace {

// The paper's numbers of a table: reports/paper/<target>.csv, or none.
StatusOr<PaperTable> PaperOf(const TableDef& def) {
  const std::string path = "reports/paper/" + def.target + ".csv";
  if (!FileExists(RunfilePath(path))) return PaperTable({});
  return LoadPaperTable(path);
}

StatusOr<TableReport> BuildReport(const TableDef& def, const TableContext& ctx) {
  std::vector<SeededRuns> runs;
  if (def.plan) {
    STRATA_ASSIGN_OR_RETURN(runs, RunPlanned(def, ctx));
  }
  STRATA_ASSIGN_OR_RETURN(PaperTable paper, PaperOf(def));
  const TableInput in{ctx, std::move(runs), std::move(paper)};
  TableReport report = NewReport(def.target, ctx.preset, def.paper, def.title);
  STRATA_RETURN_IF_ERROR(def.build(in, &report));
  return report;
}

}  // namespace

StatusOr<TableReport> RunTable(const TableDef& def, const TableContext& ctx_in) {
  CHECK(def.build) << "RunTable: " << def.target << " is not implemented";
  TableContext ctx = ctx_in;
  if (ctx.threads > 0) SetNumThreads(ctx.threads);
  // Fail on an unwritable output directory before any run starts.
  STRATA_RETURN_IF_ERROR(MakeDirs(ctx.out_dir));
  STRATA_RETURN_IF_ERROR(WriteFileAtomic(ctx.out_dir + "/.strata_write_check", ""));
  std::remove((ctx.out_dir + "/.strata_write_check").c_str());
  std::unique_ptr<Runner> runner;
  if (ctx.runner == nullptr && def.plan) {
    STRATA_ASSIGN_OR_RETURN(runner, MakeRunner(ctx));
    ctx.runner = runner.get();
  }
  const auto start = std::chrono::steady_clock::now();
  StatusOr<TableReport> report = BuildReport(def, ctx);
  if (!report.ok()) return report.status().Annotate(def.target + ": ");
  report->set_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  STRATA_RETURN_IF_ERROR(WriteReport(*report, ctx.out_dir));
  return report;
}

}  // namespace reports
}  // namespace strata
