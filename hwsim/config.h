// Accelerator configuration: SCALE-Sim v2 `.cfg` files and AMED's Table 1 presets.
//
// A `.cfg` is an INI file read like Python's configparser (SCALE-Sim uses it): sections
// `[general]`, `[architecture_presets]`, `[run_presets]`; `key = value` or `key : value`;
// keys are case-insensitive; `#`/`;` start comment lines. Fields read (HWSIM.md §5):
//   [general]              run_name
//   [architecture_presets] ArrayHeight ArrayWidth IfmapSramSzkB FilterSramSzkB OfmapSramSzkB
//                          IfmapOffset FilterOffset OfmapOffset Dataflow (os|ws|is)
//                          Bandwidth (words/cycle; USER mode uses the FIRST number and
//                                     requires every number >= 1)
//                          ClockGHz   (hwsim extension for latency in ms; SCALE-Sim ignores it;
//                                     finite, > 0)
//   [run_presets]          InterfaceBandwidth (USER|CALC)
// Other keys (banks, layouts, sparsity) are accepted and ignored.
#ifndef STRATA_HWSIM_CONFIG_H_
#define STRATA_HWSIM_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "hwsim/status.h"

namespace strata::hwsim {

enum class Dataflow { kOs, kWs, kIs };
enum class BandwidthMode { kUser, kCalc };

const char* DataflowName(Dataflow df);  // "os", "ws", "is"

struct AcceleratorConfig {
  std::string run_name = "hwsim_run";
  int64_t array_rows = 32;  // R, ArrayHeight
  int64_t array_cols = 32;  // C, ArrayWidth
  int64_t ifmap_sram_kb = 64;
  int64_t filter_sram_kb = 64;
  int64_t ofmap_sram_kb = 64;
  int64_t ifmap_offset = 0;
  int64_t filter_offset = 10000000;
  int64_t ofmap_offset = 20000000;
  Dataflow dataflow = Dataflow::kOs;
  BandwidthMode bandwidth_mode = BandwidthMode::kUser;
  std::vector<int64_t> bandwidths = {10};  // words (bytes at 8 bits) per cycle
  double clock_ghz = 0.2;                  // default when a .cfg has no ClockGHz

  // The interface bandwidth SCALE-Sim uses in USER mode (the first number), HWSIM.md §5.
  int64_t user_bandwidth() const { return bandwidths.empty() ? 0 : bandwidths[0]; }
};

bool operator==(const AcceleratorConfig& a, const AcceleratorConfig& b);

// Checks ranges (positive sizes, every bandwidth in USER mode, finite clock > 0); `where`
// prefixes errors.
Status ValidateConfig(const AcceleratorConfig& config, const std::string& where);

// Parses `.cfg` text; `filename` is only used in messages ("net.cfg:7: ...").
Status ParseConfigText(const std::string& text, const std::string& filename,
                       AcceleratorConfig* config);
Status ParseConfigFile(const std::string& path, AcceleratorConfig* config);
// The inverse of ParseConfigText (round-trips every field; the clock printed with the
// shortest of 15-17 significant digits that reads back exactly).
std::string FormatConfig(const AcceleratorConfig& config);

// AMED Table 1 presets, as data: "scalesim" (32x32, 64/64/64 kB, os, BW 10, 0.2 GHz),
// "scalesim_lowmem" (32x32, 4/4/4 kB, os, BW 10, 0.1 GHz), "eyeriss" (12x14, 108 kB each,
// ws, BW 10, 0.2 GHz). All USER bandwidth mode.
std::vector<std::string> PresetNames();
Status Preset(const std::string& name, AcceleratorConfig* config);

}  // namespace strata::hwsim

#endif  // STRATA_HWSIM_CONFIG_H_
