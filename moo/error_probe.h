// The quantization error of layers' inputs as a network runs (seed 001 Fig. 7(c)): a
// QuantHooks wrapper that passes everything to the recipe's hooks and accumulates, for the
// listed layers, the squared error between each input x and its quantized x̂.
//
//   models::ForwardContext ctx = recipe->WidthContext(2);
//   ErrorProbe probe(ctx.hooks, {layer_a, layer_b});   // models::LayerInfo::index
//   ctx.hooks = &probe;
//   ... evaluate the test set with ctx ...
//   std::vector<double> mse = probe.Mse();             // per listed layer
#ifndef STRATA_MOO_ERROR_PROBE_H_
#define STRATA_MOO_ERROR_PROBE_H_

#include <cstdint>
#include <vector>

#include "engine/engine.h"
#include "models/models.h"

namespace strata {
namespace moo {

class ErrorProbe : public models::QuantHooks {
 public:
  // `inner` is not owned and must outlive the probe.
  ErrorProbe(models::QuantHooks* inner, std::vector<int> layers);
  Tensor Weight(const models::Layer& layer, const Tensor& w,
                const models::ForwardContext& ctx) override;
  Tensor Input(const models::Layer& layer, const Tensor& x,
               const models::ForwardContext& ctx) override;
  // Per listed layer (in the given order): sum (x - x̂)^2 / number of elements seen, NaN
  // for a layer that saw no input. Sums in order, in double: the same bits for any thread
  // count.
  std::vector<double> Mse() const;

 private:
  models::QuantHooks* inner_;
  std::vector<int> layers_;
  std::vector<double> sum_;
  std::vector<int64_t> count_;
};

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_ERROR_PROBE_H_
