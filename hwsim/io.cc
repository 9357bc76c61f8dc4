#include "hwsim/io.h"

#include <filesystem>
#include <system_error>

#include "hwsim/proto_io.h"
#include "hwsim/reports.h"
#include "hwsim/text_util.h"

namespace strata::hwsim {
namespace {

bool IsPbtxt(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  return ext == ".pbtxt" || ext == ".textproto";
}

}  // namespace

Status LoadConfig(const std::string& spec, AcceleratorConfig* config) {
  if (!std::filesystem::exists(spec)) {
    for (const std::string& name : PresetNames()) {
      if (spec == name) return Preset(name, config);
    }
    return Status::Error(spec + ": no such config file (and not a preset: scalesim, " +
                         "scalesim_lowmem, eyeriss)");
  }
  return IsPbtxt(spec) ? ReadConfigPbtxt(spec, config) : ParseConfigFile(spec, config);
}

Status LoadTopology(const std::string& path, TopologyFormat format, std::vector<Layer>* layers) {
  return IsPbtxt(path) ? ReadTopologyPbtxt(path, layers) : ParseTopologyFile(path, format, layers);
}

Status LoadPrecisionPlan(const std::string& spec, PrecisionPlan* plan) {
  if (!std::filesystem::exists(spec)) return ParsePrecisionText(spec, "--bits", plan);
  if (IsPbtxt(spec)) return ReadPlanPbtxt(spec, plan);
  std::string text;
  HWSIM_RETURN_IF_ERROR(ReadFile(spec, &text));
  return ParsePrecisionText(text, spec, plan);
}

Status WriteOutputs(const std::string& dir, const AcceleratorConfig& config,
                    const SimOptions& options, const NetworkResult& result) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir)) {
    return Status::Error(dir + ": cannot create output directory (" + ec.message() + ")");
  }
  HWSIM_RETURN_IF_ERROR(WriteReports(dir, result.reports()));
  return WriteFileAtomic(dir + "/summary.json", SummaryJson(config, options, result));
}

}  // namespace strata::hwsim
