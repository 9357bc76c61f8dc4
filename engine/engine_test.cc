// The façade's worked example (engine.h) compiles against engine.h alone and trains: a
// few SGD steps on one fixed batch lower the loss.
#include "engine/engine.h"

#include "gtest/gtest.h"

namespace strata {
namespace {

TEST(Engine, WorkedExampleTrains) {
  ParameterSet params, buffers;
  nn::Conv2dOptions co;
  co.padding = 1, co.bias = false;
  nn::Conv2d conv("conv", 3, 8, 3, co, /*seed=*/1);
  nn::BatchNorm2d bn("bn", 8);
  nn::Linear fc("fc", 8, 10, /*bias=*/true, /*seed=*/1);
  conv.Register(&params);
  bn.Register(&params, &buffers);
  fc.Register(&params);
  SgdOptions so;
  so.momentum = 0.9f, so.weight_decay = 5e-4f;
  Sgd sgd(so);
  sgd.AddGroup(params);
  const LrSchedule lr = LinearWarmup(2, CosineLr(0.1, 100));

  Tensor x = Tensor::Empty({32, 3, 28, 28});
  const Philox rng(3, Stream("x"));
  for (int64_t i = 0; i < x.numel(); ++i) x.data()[i] = rng.Normal(i);
  std::vector<int32_t> labels(32);
  for (int i = 0; i < 32; ++i) labels[i] = i % 10;
  float first = 0, last = 0;
  for (int step = 0; step < 8; ++step) {
    params.ZeroGrads();
    const Tensor h = bn.Forward(conv.Forward(x), Act::kRelu);
    const Tensor loss = CrossEntropy(fc.Forward(GlobalAvgPool(h)), labels);
    Backward({loss});
    sgd.Step(lr(sgd.steps()));
    (step == 0 ? first : last) = loss.item();
  }
  EXPECT_LT(last, first);
}

}  // namespace
}  // namespace strata
