// Layer shapes for hwsim (SCALE-Sim v2 topology CSV; ../shared/docs/HWSIM.md §1), as a
// plain struct and CSV text: //models does not depend on //hwsim.
//
// One row per quantizable layer, in forward order:
//   conv       IFMAP = the padded input the windows touch, (out - 1) * stride + kernel
//              (SCALE-Sim has no padding: with this extent its output size equals
//              PyTorch's); Channels = in channels; Num Filter = out channels
//   depthwise  the same, named "<name>.DP" (SCALE-Sim splits a row whose name contains
//              "DP" into Channels single-channel layers of Num Filter = 1)
//   linear     a 1x1 conv on a 1x1 IFMAP: Channels = in features, Num Filter = out features
#ifndef STRATA_MODELS_TOPOLOGY_H_
#define STRATA_MODELS_TOPOLOGY_H_

#include <string>
#include <vector>

#include "models/network.h"

namespace strata {
namespace models {

struct TopologyRow {
  std::string name;
  int ifmap_h = 0, ifmap_w = 0, filter_h = 0, filter_w = 0, channels = 0, num_filter = 0,
      stride = 1;
  int layer_index = 0;  // Network::layers() index (for per-layer bit-widths)
};

std::vector<TopologyRow> Topology(const Network& net);
// SCALE-Sim's header and one line per row:
//   Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter,
//   Strides, conv1, 33, 33, 3, 3, 1, 16, 1,
std::string TopologyCsv(const std::vector<TopologyRow>& rows);

}  // namespace models
}  // namespace strata

#endif  // STRATA_MODELS_TOPOLOGY_H_
