#include "hwsim/sim_cache.h"

#include <cassert>
#include <utility>

namespace strata::hwsim {

NetworkSimCache::NetworkSimCache(const AcceleratorConfig& config, const SimOptions& options)
    : config_(config), options_(options) {
  options_.plan = PrecisionPlan();  // not used: keep no copy of a caller's plan
}

NetworkSimCache::Key NetworkSimCache::KeyOf(const Layer& l, const LayerPrecision& b) {
  return {l.ifmap_h,  l.ifmap_w,  l.filter_h,    l.filter_w,        l.channels,   l.num_filters,
          l.stride_h, l.stride_w, b.weight_bits, b.activation_bits, b.output_bits};
}

NetworkResult NetworkSimCache::Simulate(const std::vector<Layer>& layers,
                                        const PrecisionPlan& plan) {
  std::vector<LayerPrecision> bits(layers.size());
  for (size_t i = 0; i < layers.size(); ++i) {
    bits[i] = plan.For(static_cast<int64_t>(i), layers[i]);
  }
  return Simulate(layers, bits);
}

NetworkResult NetworkSimCache::Simulate(const std::vector<Layer>& layers,
                                        const std::vector<LayerPrecision>& bits) {
  assert(bits.size() == layers.size());
  NetworkResult net;
  net.layers.reserve(layers.size());
  for (size_t i = 0; i < layers.size(); ++i) {
    auto [it, inserted] = results_.try_emplace(KeyOf(layers[i], bits[i]));
    if (inserted) {
      it->second = SimulateNetworkLayer(config_, layers[i], bits[i], options_, &workspace_);
      ++misses_;
    } else {
      ++hits_;
    }
    LayerResult lr = it->second;
    lr.report.name = layers[i].name;  // the only field that is not a function of the key
    AppendLayer(std::move(lr), &net);
  }
  return net;
}

}  // namespace strata::hwsim
