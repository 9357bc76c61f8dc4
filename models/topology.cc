#include "models/topology.h"

#include <sstream>

namespace strata {
namespace models {

std::vector<TopologyRow> Topology(const Network& net) {
  std::vector<TopologyRow> rows;
  for (const Layer* layer : net.layers()) {
    const LayerInfo& l = layer->info();
    TopologyRow r;
    r.layer_index = l.index;
    r.name = l.kind == LayerKind::kDepthwise ? l.name + ".DP" : l.name;
    r.filter_h = r.filter_w = l.kernel;
    r.stride = l.stride;
    r.channels = l.in_channels;
    r.num_filter = l.kind == LayerKind::kDepthwise ? 1 : l.out_channels;
    if (l.kind == LayerKind::kLinear) {
      r.ifmap_h = r.ifmap_w = 1;
    } else {
      r.ifmap_h = (l.out_h - 1) * l.stride + l.kernel;
      r.ifmap_w = (l.out_w - 1) * l.stride + l.kernel;
    }
    rows.push_back(r);
  }
  return rows;
}

std::string TopologyCsv(const std::vector<TopologyRow>& rows) {
  std::ostringstream o;
  o << "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
       "Num Filter, Strides,\n";
  for (const TopologyRow& r : rows) {
    o << r.name << ", " << r.ifmap_h << ", " << r.ifmap_w << ", " << r.filter_h << ", "
      << r.filter_w << ", " << r.channels << ", " << r.num_filter << ", " << r.stride << ",\n";
  }
  return o.str();
}

}  // namespace models
}  // namespace strata
