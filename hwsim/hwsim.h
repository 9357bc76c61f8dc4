// strata hwsim: the one public header of //hwsim:sim — a systolic-array accelerator simulator
// with SCALE-Sim v2 semantics (../shared/docs/HWSIM.md), bit-width aware, thousands of times
// faster than the Python original.
//
// Overview
//   * Inputs: SCALE-Sim .cfg (config.h) or AcceleratorConfig .pbtxt, AMED Table 1 presets
//     (Preset("scalesim" | "scalesim_lowmem" | "eyeriss")); topology CSV with conv, depthwise
//     `DP` and GEMM rows (topology.h) or Topology .pbtxt (proto_io.h); a per-layer precision
//     plan (precision.h).
//   * Modes: `scalesim` (default: all 8 bits) reproduces SCALE-Sim v2 at commit 22f88b1
//     exactly for os/ws/is in USER and CALC modes; StallModel selects the older stall
//     accounting of d78b477 or v2.0.2. Bit-aware: per-layer weight/activation/output bits
//     change SRAM capacity in elements, DRAM elements per cycle and DRAM bytes (§7); 8 bits
//     is exactly `scalesim`. Latency: per layer max(compute, memory per operand) in ms, network
//     = sum (AMED §4.4).
//   * Outputs: SCALE-Sim's COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv, DETAILED_ACCESS_REPORT.csv
//     (reports.h) and summary.json (network.h); a field-by-field diff against a directory of
//     SCALE-Sim reports (CompareWithReferenceDir).
//
// Worked example (HWSIM.md §6)
//   AcceleratorConfig cfg;
//   Preset("scalesim", &cfg);                       // 32x32, 64 kB, os, USER, BW 10, 0.2 GHz
//   std::vector<Layer> net;
//   ParseTopologyText("name,H,W,Fh,Fw,C,N,S,\nlayer4.0.downsample,13,13,1,1,256,512,2,\n",
//                     "inline", TopologyFormat::kAuto, &net);
//   NetworkResult r = SimulateNetwork(cfg, net, SimOptions());
//   // r.layers[0].report.total_cycles == 130047, .stall_cycles == 119872,
//   // .dram_filter.words == 1310800; compute 130047 / 0.2e6 = 0.650235 ms, FILTER DRAM
//   // 1310800 B / 10 B per cycle / 0.2e6 = 0.6554 ms, so r.totals.latency_ms == 0.6554.
//
// Bit searches (AMED): NetworkSimCache (sim_cache.h) keeps every (layer shape, bits) result
// across samples, so re-evaluating a plan costs a lookup per layer.
//
// Thread safety: all functions are pure or write only their outputs; no global state. A
// NetworkSimCache is one caller's object (not shared between threads).
#ifndef STRATA_HWSIM_HWSIM_H_
#define STRATA_HWSIM_HWSIM_H_

#include "hwsim/config.h"     // AcceleratorConfig, ParseConfigFile, Preset
#include "hwsim/io.h"         // LoadConfig/LoadTopology/LoadPrecisionPlan, WriteOutputs
#include "hwsim/layer_sim.h"  // LayerReport, SimulateLayer, ScaleSimMemory
#include "hwsim/network.h"    // SimulateNetwork, NetworkResult, SummaryJson
#include "hwsim/precision.h"  // LayerPrecision, PrecisionPlan, BitAwareMemory, Latency
#include "hwsim/proto_io.h"   // proto::AcceleratorConfig / Topology / PrecisionPlan
#include "hwsim/reports.h"    // the three CSVs, CompareWithReferenceDir
#include "hwsim/sim_cache.h"  // NetworkSimCache: memoized SimulateNetwork for bit searches
#include "hwsim/status.h"
#include "hwsim/topology.h"  // Layer, GemmDims, ParseTopologyFile

#endif  // STRATA_HWSIM_HWSIM_H_
