#include "hwsim/network.h"

#include <algorithm>
#include <sstream>

#include "hwsim/pyfloat.h"
#include "hwsim/sim_cache.h"

namespace strata::hwsim {

std::vector<LayerReport> NetworkResult::reports() const {
  std::vector<LayerReport> out;
  out.reserve(layers.size());
  for (const LayerResult& l : layers) out.push_back(l.report);
  return out;
}

int PackingFactor(const Layer& layer, const LayerPrecision& bits, bool pe_packing) {
  const int widest = std::max(bits.weight_bits, bits.activation_bits);
  if (!pe_packing || layer.channels < 2 || widest >= 8) return 1;
  return 8 / widest;
}

LayerResult SimulateNetworkLayer(const AcceleratorConfig& config, const Layer& layer,
                                 const LayerPrecision& bits, const SimOptions& options,
                                 LayerWorkspace* workspace) {
  LayerResult lr;
  lr.bits = bits;
  lr.pack = PackingFactor(layer, bits, options.pe_packing);
  Layer packed = layer;
  LayerPrecision memory_bits = bits;
  if (lr.pack > 1) {  // p channels per 8-bit word, §7's explicit packing option
    packed.channels = (packed.channels + lr.pack - 1) / lr.pack;
    memory_bits.weight_bits = memory_bits.activation_bits = 8;
  }
  MemoryParams mem = BitAwareMemory(config, memory_bits);
  mem.stall_model = options.stall_model;
  lr.report = SimulateLayer(packed, config, mem, workspace);
  lr.report.name = layer.name;
  lr.latency = Latency(lr.report, memory_bits, config, options.word_bits);
  return lr;
}

void AppendLayer(LayerResult lr, NetworkResult* net) {
  NetworkTotals& t = net->totals;
  t.cycles += lr.report.total_cycles;
  t.stall_cycles += lr.report.stall_cycles;
  t.macs += lr.report.dims.macs();
  t.compute_ms += lr.latency.compute_ms;
  t.latency_ms += lr.latency.latency_ms;  // AMED §4.4: network = sum of per-layer max
  t.energy_uj += lr.latency.energy_uj;
  t.ifmap_bytes += lr.latency.ifmap_bytes;
  t.filter_bytes += lr.latency.filter_bytes;
  t.ofmap_bytes += lr.latency.ofmap_bytes;
  net->layers.push_back(std::move(lr));
}

NetworkResult SimulateNetwork(const AcceleratorConfig& config, const std::vector<Layer>& layers,
                              const SimOptions& options) {
  NetworkSimCache cache(config, options);
  return cache.Simulate(layers, options.plan);
}

namespace {

std::string Quote(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) o += c;
  }
  return o + "\"";
}

const char* StallModelName(StallModel m) {
  switch (m) {
    case StallModel::kHead:
      return "22f88b1";
    case StallModel::kD78b477:
      return "d78b477";
    case StallModel::kV202:
      return "v2.0.2";
  }
  return "?";
}

void LayerJson(const LayerResult& l, size_t i, std::ostringstream& o) {
  const LayerReport& r = l.report;
  const LayerLatency& t = l.latency;
  o << "    {\"id\": " << i << ", \"name\": " << Quote(r.name) << ", \"M\": " << r.dims.m
    << ", \"N\": " << r.dims.n << ", \"K\": " << r.dims.k << ", \"macs\": " << r.dims.macs()
    << ", \"weight_bits\": " << l.bits.weight_bits
    << ", \"activation_bits\": " << l.bits.activation_bits
    << ", \"output_bits\": " << l.bits.output_bits << ", \"pe_pack\": " << l.pack
    << ", \"cycles\": " << r.total_cycles << ", \"stall_cycles\": " << r.stall_cycles
    << ", \"compute_ms\": " << PyFloat(t.compute_ms) << ", \"ifmap_ms\": " << PyFloat(t.ifmap_ms)
    << ", \"filter_ms\": " << PyFloat(t.filter_ms) << ", \"ofmap_ms\": " << PyFloat(t.ofmap_ms)
    << ", \"latency_ms\": " << PyFloat(t.latency_ms)
    << ", \"dram_bytes\": {\"ifmap\": " << PyFloat(t.ifmap_bytes)
    << ", \"filter\": " << PyFloat(t.filter_bytes) << ", \"ofmap\": " << PyFloat(t.ofmap_bytes)
    << "}, \"dram_words\": {\"ifmap\": " << r.dram_ifmap.words
    << ", \"filter\": " << r.dram_filter.words << ", \"ofmap\": " << r.dram_ofmap.words
    << "}, \"energy_uj\": " << PyFloat(t.energy_uj) << "}";
}

}  // namespace

std::string SummaryJson(const AcceleratorConfig& c, const SimOptions& opt,
                        const NetworkResult& net) {
  std::ostringstream o;
  o << "{\n  \"config\": {\"run_name\": " << Quote(c.run_name) << ", \"array\": [" << c.array_rows
    << ", " << c.array_cols << "], \"sram_kb\": [" << c.ifmap_sram_kb << ", " << c.filter_sram_kb
    << ", " << c.ofmap_sram_kb << "], \"dataflow\": \"" << DataflowName(c.dataflow)
    << "\", \"interface_bandwidth\": \""
    << (c.bandwidth_mode == BandwidthMode::kUser ? "USER" : "CALC")
    << "\", \"bandwidth\": " << c.user_bandwidth() << ", \"clock_ghz\": " << PyFloat(c.clock_ghz)
    << "},\n  \"stall_model\": \"" << StallModelName(opt.stall_model)
    << "\",\n  \"word_bits\": " << PyFloat(opt.word_bits)
    << ",\n  \"pe_packing\": " << (opt.pe_packing ? "true" : "false") << ",\n  \"layers\": [\n";
  for (size_t i = 0; i < net.layers.size(); ++i) {
    LayerJson(net.layers[i], i, o);
    o << (i + 1 < net.layers.size() ? ",\n" : "\n");
  }
  const NetworkTotals& t = net.totals;
  o << "  ],\n  \"totals\": {\"layers\": " << net.layers.size() << ", \"cycles\": " << t.cycles
    << ", \"stall_cycles\": " << t.stall_cycles << ", \"macs\": " << t.macs
    << ", \"compute_ms\": " << PyFloat(t.compute_ms)
    << ", \"latency_ms\": " << PyFloat(t.latency_ms)
    << ", \"dram_bytes\": {\"ifmap\": " << PyFloat(t.ifmap_bytes)
    << ", \"filter\": " << PyFloat(t.filter_bytes) << ", \"ofmap\": " << PyFloat(t.ofmap_bytes)
    << "}, \"energy_uj\": " << PyFloat(t.energy_uj) << "}\n}\n";
  return o.str();
}

}  // namespace strata::hwsim
