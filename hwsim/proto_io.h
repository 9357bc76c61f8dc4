// Conversions between hwsim.proto messages and hwsim's structs, and text-format readers.
// Each conversion validates like the CSV/.cfg parsers and names the field and value.
#ifndef STRATA_HWSIM_PROTO_IO_H_
#define STRATA_HWSIM_PROTO_IO_H_

#include <string>
#include <vector>

#include "hwsim/config.h"
#include "hwsim/hwsim.pb.h"
#include "hwsim/precision.h"
#include "hwsim/topology.h"

namespace strata::hwsim {

Status ConfigFromProto(const proto::AcceleratorConfig& p, const std::string& where,
                       AcceleratorConfig* config);
proto::AcceleratorConfig ConfigToProto(const AcceleratorConfig& config);
Status TopologyFromProto(const proto::Topology& p, const std::string& where,
                         std::vector<Layer>* layers);
Status PlanFromProto(const proto::PrecisionPlan& p, const std::string& where, PrecisionPlan* plan);

// Text-format files (.pbtxt / .textproto).
Status ReadConfigPbtxt(const std::string& path, AcceleratorConfig* config);
Status ReadTopologyPbtxt(const std::string& path, std::vector<Layer>* layers);
Status ReadPlanPbtxt(const std::string& path, PrecisionPlan* plan);

}  // namespace strata::hwsim

#endif  // STRATA_HWSIM_PROTO_IO_H_
