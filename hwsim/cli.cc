#include "hwsim/cli.h"

#include <filesystem>
#include <map>

#include "hwsim/io.h"
#include "hwsim/pyfloat.h"
#include "hwsim/reports.h"
#include "hwsim/text_util.h"

namespace strata::hwsim {
namespace {

const char* const kUsage =
    "usage: hwsim --config=<file.cfg|file.pbtxt|preset> --topology=<file.csv|file.pbtxt> "
    "--out=<dir> [--bits=<plan>] [--gemm] [--stall_model=22f88b1|d78b477|v2.0.2] "
    "[--word_bits=8] [--pe_packing] [--reference=<dir of SCALE-Sim reports>]\n"
    "presets: scalesim, scalesim_lowmem, eyeriss (AMED Table 1)\n";

using Flags = std::map<std::string, std::string>;

Status ParseFlags(const std::vector<std::string>& args, Flags* f) {
  static const char* const kKnown[] = {"config",    "topology",  "out",  "bits",      "stall_model",
                                       "word_bits", "reference", "gemm", "pe_packing"};
  for (const std::string& a : args) {
    const size_t eq = a.find('=');
    if (a.rfind("--", 0) != 0)
      return Status::Error("bad argument '" + a + "' (expected --name=value)");
    const std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    bool known = false;
    for (const char* k : kKnown) known = known || name == k;
    if (!known) return Status::Error("unknown flag '--" + name + "'");
    if (eq == std::string::npos && name != "gemm" && name != "pe_packing") {
      return Status::Error("flag --" + name + " needs a value (--" + name + "=...)");
    }
    (*f)[name] = eq == std::string::npos ? "true" : a.substr(eq + 1);
  }
  for (const char* required : {"config", "topology", "out"}) {
    if ((*f)[required].empty()) return Status::Error(std::string("missing flag --") + required);
  }
  return Status::Ok();
}

// bazel run executes in the runfiles tree; paths are the user's, relative to `cwd`.
std::string Resolve(const std::string& path, const std::string& cwd) {
  if (path.empty() || path[0] == '/' || cwd.empty()) return path;
  return cwd + "/" + path;
}

std::string ResolveIfExists(const std::string& spec, const std::string& cwd) {
  const std::string r = Resolve(spec, cwd);
  return std::filesystem::exists(r) ? r : spec;  // else a preset name or an inline plan
}

Status MakeOptions(Flags& f, const std::string& cwd, SimOptions* opt) {
  if (!f["bits"].empty()) {
    HWSIM_RETURN_IF_ERROR(LoadPrecisionPlan(ResolveIfExists(f["bits"], cwd), &opt->plan));
  }
  opt->pe_packing = !f["pe_packing"].empty() && f["pe_packing"] != "false";
  const std::string model = f["stall_model"];
  if (model == "d78b477")
    opt->stall_model = StallModel::kD78b477;
  else if (model == "v2.0.2")
    opt->stall_model = StallModel::kV202;
  else if (!model.empty() && model != "22f88b1") {
    return Status::Error("flag --stall_model: value '" + model +
                         "' is not one of 22f88b1, d78b477, v2.0.2");
  }
  if (!f["word_bits"].empty() &&
      (!ParseDouble(f["word_bits"], &opt->word_bits) || !(opt->word_bits > 0))) {
    return Status::Error("flag --word_bits: value '" + f["word_bits"] +
                         "' is not a positive number");
  }
  return Status::Ok();
}

int Fail(const Status& s, std::ostream& err) {
  err << "hwsim: error: " << s.message() << "\n" << kUsage;
  return 2;
}

}  // namespace

int RunCli(const std::vector<std::string>& args, const std::string& cwd, std::ostream& out,
           std::ostream& err) {
  Flags f;
  Status s = ParseFlags(args, &f);
  if (!s.ok()) return Fail(s, err);
  AcceleratorConfig config;
  std::vector<Layer> layers;
  SimOptions options;
  s = LoadConfig(ResolveIfExists(f["config"], cwd), &config);
  if (s.ok()) {
    const TopologyFormat fmt = f["gemm"].empty() ? TopologyFormat::kAuto : TopologyFormat::kGemm;
    s = LoadTopology(Resolve(f["topology"], cwd), fmt, &layers);
  }
  if (s.ok()) s = MakeOptions(f, cwd, &options);
  if (!s.ok()) return Fail(s, err);
  const NetworkResult result = SimulateNetwork(config, layers, options);
  const std::string dir = Resolve(f["out"], cwd);
  s = WriteOutputs(dir, config, options, result);
  if (!s.ok()) return Fail(s, err);
  out << "hwsim: " << layers.size() << " layers, " << result.totals.cycles << " cycles ("
      << result.totals.stall_cycles << " stall), latency " << PyFloat(result.totals.latency_ms)
      << " ms at " << PyFloat(config.clock_ghz) << " GHz; reports in " << dir << "\n";
  if (f["reference"].empty()) return 0;
  ReportComparison cmp;
  s = CompareWithReferenceDir(result.reports(), Resolve(f["reference"], cwd), &cmp);
  if (s.ok()) s = WriteFileAtomic(dir + "/COMPARISON.csv", ComparisonCsv(cmp));
  if (!s.ok()) return Fail(s, err);
  out << "hwsim: reference comparison: " << cmp.fields_equal << " of " << cmp.fields_compared
      << " fields equal, " << cmp.diffs.size() << " differ (max rel diff "
      << PyFloat(cmp.max_rel_diff) << ")" << (cmp.layers_match ? "" : ", layer counts differ")
      << "; see COMPARISON.csv\n";
  return cmp.diffs.empty() && cmp.layers_match ? 0 : 3;
}

}  // namespace strata::hwsim
