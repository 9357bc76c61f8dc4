// Network topology: SCALE-Sim topology CSVs (conv rows, depthwise `DP` rows, GEMM rows) and
// the GEMM view of a conv layer (HWSIM.md §1).
//
// Conv CSV (first line is a header, a trailing comma is optional):
//   Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter,
//   Strides[, Stride width],
// A row whose name contains "DP" (case-sensitive) is a depthwise layer and is expanded into
// `Channels` layers "<name>Channel_<i>" with Channels = 1 (HWSIM.md §1), as SCALE-Sim does.
// GEMM CSV: `Layer name, M, N, K,` -> H = M, W = K, Fh = 1, Fw = K, Cin = 1, N = N, s = 1.
#ifndef STRATA_HWSIM_TOPOLOGY_H_
#define STRATA_HWSIM_TOPOLOGY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "hwsim/status.h"

namespace strata::hwsim {

struct Layer {
  std::string name;         // as SCALE-Sim names it (DP copies get "Channel_<i>")
  std::string source_name;  // the CSV row's name (equal to `name` except for DP copies)
  int64_t ifmap_h = 1, ifmap_w = 1;
  int64_t filter_h = 1, filter_w = 1;
  int64_t channels = 1, num_filters = 1;
  int64_t stride_h = 1, stride_w = 1;
};

// GEMM dimensions of a conv layer, HWSIM.md §1 (no padding: Eh = ceil((H - Fh + s) / s)).
struct GemmDims {
  int64_t eh = 1, ew = 1;
  int64_t m = 1;  // output pixels Eh*Ew
  int64_t n = 1;  // filters
  int64_t k = 1;  // window Fh*Fw*Cin
  int64_t macs() const { return m * n * k; }
};
GemmDims Dims(const Layer& layer);

// A GEMM row (name, M, N, K) as the conv SCALE-Sim makes of it.
Layer GemmLayer(const std::string& name, int64_t m, int64_t n, int64_t k);

enum class TopologyFormat { kAuto, kConv, kGemm };

// Every field of a layer (and of a CSV row) is at most this; so is each operand's size in
// words (IFMAP H*W*Cin, FILTER K*N, OFMAP M*N, and M*K): SCALE-Sim's addresses are int32.
constexpr int64_t kMaxOperandWords = int64_t{1} << 28;
// At most this many layers per topology, counting each DP copy (MobileNetV2 has 7,136).
constexpr int64_t kMaxTopologyLayers = 1000000;

// Range checks (1 <= field <= kMaxOperandWords, filter no larger than the input, operand
// sizes); `where` prefixes messages ("net.csv:3: "). Dims() of a valid layer cannot overflow.
Status ValidateLayer(const Layer& layer, const std::string& where);

// Appends `layer` to `layers`; a depthwise layer as one single-channel copy
// "<name>Channel_<i>" per channel. Fails (naming the layer, prefixed by `where`) when
// `layers` would exceed kMaxTopologyLayers.
Status AppendLayer(const Layer& layer, bool depthwise, const std::string& where,
                   std::vector<Layer>* layers);

// Parses CSV text; kAuto picks GEMM when the header's columns 2-4 are M, N, K.
Status ParseTopologyText(const std::string& text, const std::string& filename,
                         TopologyFormat format, std::vector<Layer>* layers);
Status ParseTopologyFile(const std::string& path, TopologyFormat format,
                         std::vector<Layer>* layers);
// Conv CSV text for `layers` (one row per layer, no DP re-grouping).
std::string FormatTopology(const std::vector<Layer>& layers);

}  // namespace strata::hwsim

#endif  // STRATA_HWSIM_TOPOLOGY_H_
