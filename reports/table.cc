#include "reports/table.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>

namespace strata {
namespace reports {

const TableDef* FindTable(const std::string& target) {
  for (const TableDef& t : AllTables()) {
    if (t.target == target) return &t;
  }
  return nullptr;
}

std::string WorkspaceRoot() {
  const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  return ws != nullptr ? ws : ".";
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

StatusOr<TableContext> ParseTableFlags(int argc, char** argv,
                                       const std::vector<std::string>& extra,
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
      ctx.out_dir = value;
    } else if (key == "--threads") {
      STRATA_RETURN_IF_ERROR(ParseThreads(value, &ctx.threads));
    } else if (arg == "--fresh") {
      ctx.fresh = true;
    } else if (key.rfind("--", 0) == 0 &&
               std::find(extra.begin(), extra.end(), key.substr(2)) != extra.end()) {
      ctx.flags[key.substr(2)] = value;
    } else {
      std::string known = "--preset= --out= --threads= --fresh";
      for (const std::string& e : extra) known += " --" + e + "=";
      return InvalidArgumentError("unknown flag '" + arg + "' (known: " + known + ")");
    }
  }
  static const char* const kPresets[] = {"smoke", "quick", "full", "paper"};
  if (std::find(std::begin(kPresets), std::end(kPresets), ctx.preset) == std::end(kPresets)) {
    return InvalidArgumentError("flag --preset: value '" + ctx.preset +
                                "' is not one of smoke, quick, full, paper");
  }
  return ctx;
}

StatusOr<TableReport> RunTable(const TableDef& def, const TableContext& ctx) {
  CHECK(def.fn) << "RunTable: " << def.target << " is not implemented";
  if (ctx.threads > 0) SetNumThreads(ctx.threads);
  const auto start = std::chrono::steady_clock::now();
  StatusOr<TableReport> report = def.fn(ctx);
  if (!report.ok()) return report.status().Annotate(def.target + ": ");
  report->set_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  STRATA_RETURN_IF_ERROR(WriteReport(*report, ctx.out_dir));
  return report;
}

}  // namespace reports
}  // namespace strata
