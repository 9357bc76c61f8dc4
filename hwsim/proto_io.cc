#include "hwsim/proto_io.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include "hwsim/text_util.h"

namespace strata::hwsim {
namespace {

class Collector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (first.empty())
      first = std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
  }
  std::string first;
};

template <typename Msg>
Status ParsePbtxt(const std::string& path, Msg* msg) {
  std::string text;
  HWSIM_RETURN_IF_ERROR(ReadFile(path, &text));
  google::protobuf::TextFormat::Parser parser;
  Collector errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, msg)) {
    return Status::Error(path + ":" + errors.first);
  }
  return Status::Ok();
}

}  // namespace

Status ConfigFromProto(const proto::AcceleratorConfig& p, const std::string& where,
                       AcceleratorConfig* out) {
  AcceleratorConfig c;
  if (!p.run_name().empty()) c.run_name = p.run_name();
  c.array_rows = p.array_rows(), c.array_cols = p.array_cols();
  c.ifmap_sram_kb = p.ifmap_sram_kb(), c.filter_sram_kb = p.filter_sram_kb();
  c.ofmap_sram_kb = p.ofmap_sram_kb();
  if (p.has_ifmap_offset()) c.ifmap_offset = p.ifmap_offset();
  if (p.has_filter_offset()) c.filter_offset = p.filter_offset();
  if (p.has_ofmap_offset()) c.ofmap_offset = p.ofmap_offset();
  if (p.dataflow() == "os")
    c.dataflow = Dataflow::kOs;
  else if (p.dataflow() == "ws")
    c.dataflow = Dataflow::kWs;
  else if (p.dataflow() == "is")
    c.dataflow = Dataflow::kIs;
  else
    return Status::Error(where + "field 'dataflow': value '" + p.dataflow() +
                         "' is not one of os, ws, is");
  if (p.interface_bandwidth() == "USER")
    c.bandwidth_mode = BandwidthMode::kUser;
  else if (p.interface_bandwidth() == "CALC")
    c.bandwidth_mode = BandwidthMode::kCalc;
  else
    return Status::Error(where + "field 'interface_bandwidth': value '" + p.interface_bandwidth() +
                         "' is not USER or CALC");
  c.bandwidths.assign(p.bandwidth().begin(), p.bandwidth().end());
  if (p.has_clock_ghz()) c.clock_ghz = p.clock_ghz();
  HWSIM_RETURN_IF_ERROR(ValidateConfig(c, where));
  *out = c;
  return Status::Ok();
}

proto::AcceleratorConfig ConfigToProto(const AcceleratorConfig& c) {
  proto::AcceleratorConfig p;
  p.set_run_name(c.run_name);
  p.set_array_rows(c.array_rows), p.set_array_cols(c.array_cols);
  p.set_ifmap_sram_kb(c.ifmap_sram_kb), p.set_filter_sram_kb(c.filter_sram_kb);
  p.set_ofmap_sram_kb(c.ofmap_sram_kb);
  p.set_ifmap_offset(c.ifmap_offset), p.set_filter_offset(c.filter_offset);
  p.set_ofmap_offset(c.ofmap_offset);
  p.set_dataflow(DataflowName(c.dataflow));
  p.set_interface_bandwidth(c.bandwidth_mode == BandwidthMode::kUser ? "USER" : "CALC");
  for (int64_t b : c.bandwidths) p.add_bandwidth(b);
  p.set_clock_ghz(c.clock_ghz);
  return p;
}

Status TopologyFromProto(const proto::Topology& p, const std::string& where,
                         std::vector<Layer>* layers) {
  std::vector<Layer> out;
  for (int i = 0; i < p.layers_size(); ++i) {
    const proto::Layer& q = p.layers(i);
    const std::string w = where + "layers[" + std::to_string(i) + "]: ";
    Layer l;
    if (q.gemm_m() > 0) {
      l = GemmLayer(q.name(), q.gemm_m(), q.gemm_n(), q.gemm_k());
    } else {
      l.name = l.source_name = q.name();
      l.ifmap_h = q.ifmap_height(), l.ifmap_w = q.ifmap_width();
      l.filter_h = q.filter_height(), l.filter_w = q.filter_width();
      l.channels = q.channels(), l.num_filters = q.num_filters();
      l.stride_h = q.stride_height() == 0 ? 1 : q.stride_height();
      l.stride_w = q.stride_width() == 0 ? l.stride_h : q.stride_width();
    }
    HWSIM_RETURN_IF_ERROR(ValidateLayer(l, w));
    HWSIM_RETURN_IF_ERROR(AppendLayer(l, q.depthwise(), w, &out));
  }
  if (out.empty()) return Status::Error(where + "topology has no layers");
  *layers = std::move(out);
  return Status::Ok();
}

Status PlanFromProto(const proto::PrecisionPlan& p, const std::string& where, PrecisionPlan* plan) {
  PrecisionPlan out;
  if (p.has_default_weight_bits()) out.default_bits.weight_bits = p.default_weight_bits();
  if (p.has_default_activation_bits()) {
    out.default_bits.activation_bits = out.default_bits.output_bits = p.default_activation_bits();
  }
  if (p.has_default_output_bits()) out.default_bits.output_bits = p.default_output_bits();
  HWSIM_RETURN_IF_ERROR(ValidatePrecision(out.default_bits, where + "defaults: "));
  for (int i = 0; i < p.layers_size(); ++i) {
    const proto::LayerPrecision& q = p.layers(i);
    LayerPrecision b{q.weight_bits(), q.activation_bits(),
                     q.has_output_bits() ? q.output_bits() : q.activation_bits()};
    HWSIM_RETURN_IF_ERROR(ValidatePrecision(b, where + "layers[" + std::to_string(i) + "]: "));
    if (q.name().empty())
      out.by_index[q.index()] = b;
    else
      out.by_name[q.name()] = b;
  }
  *plan = out;
  return Status::Ok();
}

Status ReadConfigPbtxt(const std::string& path, AcceleratorConfig* config) {
  proto::AcceleratorConfig p;
  HWSIM_RETURN_IF_ERROR(ParsePbtxt(path, &p));
  return ConfigFromProto(p, path + ": ", config);
}

Status ReadTopologyPbtxt(const std::string& path, std::vector<Layer>* layers) {
  proto::Topology p;
  HWSIM_RETURN_IF_ERROR(ParsePbtxt(path, &p));
  return TopologyFromProto(p, path + ": ", layers);
}

Status ReadPlanPbtxt(const std::string& path, PrecisionPlan* plan) {
  proto::PrecisionPlan p;
  HWSIM_RETURN_IF_ERROR(ParsePbtxt(path, &p));
  return PlanFromProto(p, path + ": ", plan);
}

}  // namespace strata::hwsim
