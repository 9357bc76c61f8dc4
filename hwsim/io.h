// Loading inputs by file type and writing the output directory.
#ifndef STRATA_HWSIM_IO_H_
#define STRATA_HWSIM_IO_H_

#include <string>
#include <vector>

#include "hwsim/config.h"
#include "hwsim/network.h"
#include "hwsim/precision.h"
#include "hwsim/topology.h"

namespace strata::hwsim {

// A SCALE-Sim .cfg, an AcceleratorConfig .pbtxt/.textproto, or a preset name
// ("scalesim", "scalesim_lowmem", "eyeriss") when no such file exists.
Status LoadConfig(const std::string& spec, AcceleratorConfig* config);
// A topology CSV (conv or GEMM, see topology.h) or a Topology .pbtxt/.textproto.
Status LoadTopology(const std::string& path, TopologyFormat format, std::vector<Layer>* layers);
// A plan file (.csv lines or PrecisionPlan .pbtxt) or an inline spec ("w4a8", "4").
Status LoadPrecisionPlan(const std::string& spec, PrecisionPlan* plan);

// Creates `dir` if needed and writes COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv,
// DETAILED_ACCESS_REPORT.csv and summary.json, each atomically.
Status WriteOutputs(const std::string& dir, const AcceleratorConfig& config,
                    const SimOptions& options, const NetworkResult& result);

}  // namespace strata::hwsim

#endif  // STRATA_HWSIM_IO_H_
