// ErrorProbe measures the MSE between each listed layer's input and what the wrapped hooks
// make of it, without changing the forward.
#include "moo/error_probe.h"

#include <cmath>
#include <map>
#include <memory>
#include <vector>

#include "gtest/gtest.h"

namespace strata {
namespace moo {
namespace {

// Inputs of the listed layers, recorded; x̂ = x / 2.
class HalfHooks : public models::QuantHooks {
 public:
  Tensor Input(const models::Layer& layer, const Tensor& x,
               const models::ForwardContext&) override {
    seen[layer.info().index].push_back(x);
    return Scale(x, 0.5f);
  }
  std::map<int, std::vector<Tensor>> seen;
};

TEST(ErrorProbe, IsTheMeanSquaredErrorOfEachListedLayerAndLeavesTheForwardAlone) {
  models::ModelSpec spec;
  spec.name = "resnet20", spec.width = 0.25, spec.in_channels = 1, spec.num_classes = 3;
  spec.input_size = 8, spec.seed = 3;
  std::unique_ptr<models::Network> net = std::move(models::Build(spec)).value();
  std::vector<float> v(2 * 64);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(std::sin(0.7 * i));
  const Tensor x = Tensor::FromVector({2, 1, 8, 8}, v);
  NoGradGuard no_grad;
  HalfHooks plain, inner;
  models::ForwardContext ctx;
  ctx.hooks = &plain;
  const Tensor want = net->Forward(x, ctx);
  const std::vector<int> layers = {3, static_cast<int>(net->layers().size()) - 2};
  ErrorProbe probe(&inner, layers);
  ctx.hooks = &probe;
  const Tensor got = net->Forward(x, ctx);
  net->Forward(x, ctx);  // a second batch accumulates
  for (int64_t k = 0; k < want.numel(); ++k) ASSERT_EQ(got.data()[k], want.data()[k]);
  const std::vector<double> mse = probe.Mse();
  ASSERT_EQ(mse.size(), 2u);
  for (size_t i = 0; i < layers.size(); ++i) {
    double ss = 0;
    int64_t n = 0;
    for (const Tensor& in : inner.seen[layers[i]]) {
      for (int64_t k = 0; k < in.numel(); ++k) ss += 0.25 * in.data()[k] * in.data()[k];
      n += in.numel();
    }
    ASSERT_EQ(inner.seen[layers[i]].size(), 2u);
    EXPECT_GT(ss, 0);
    EXPECT_NEAR(mse[i], ss / n, 1e-12 * ss / n) << layers[i];
  }
  ErrorProbe unused(&inner, {999});
  EXPECT_TRUE(std::isnan(unused.Mse()[0]));
}

}  // namespace
}  // namespace moo
}  // namespace strata
