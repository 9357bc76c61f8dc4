// The quantization error of layers' inputs (error_probe.h).
#include "moo/error_probe.h"

#include <cmath>

namespace strata {
namespace moo {

ErrorProbe::ErrorProbe(models::QuantHooks* inner, std::vector<int> layers)
    : inner_(inner),
      layers_(std::move(layers)),
      sum_(layers_.size(), 0.0),
      count_(layers_.size(), 0) {}

Tensor ErrorProbe::Weight(const models::Layer& layer, const Tensor& w,
                          const models::ForwardContext& ctx) {
  return inner_->Weight(layer, w, ctx);
}

Tensor ErrorProbe::Input(const models::Layer& layer, const Tensor& x,
                         const models::ForwardContext& ctx) {
  const Tensor q = inner_->Input(layer, x, ctx);
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (layers_[i] != layer.info().index) continue;
    double s = 0;  // in order, in double: the same bits for any thread count
    for (int64_t k = 0; k < x.numel(); ++k) {
      const double d = static_cast<double>(x.data()[k]) - q.data()[k];
      s += d * d;
    }
    sum_[i] += s;
    count_[i] += x.numel();
  }
  return q;
}

std::vector<double> ErrorProbe::Mse() const {
  std::vector<double> out;
  for (size_t i = 0; i < sum_.size(); ++i) {
    out.push_back(count_[i] == 0 ? std::nan("") : sum_[i] / static_cast<double>(count_[i]));
  }
  return out;
}

}  // namespace moo
}  // namespace strata
