// What the recipe-step benchmarks share (quant_benchmark.cc, onceqat_benchmark.cc): the
// ResNet-20 they time and the timed loop of one training step — zero grads, the recipe's
// Step (forward, loss(es), backward) and SGD — at batch 128 on fixed random CIFAR-sized data.
//
//   std::unique_ptr<models::Network> net = BenchResNet20(/*bn_variants=*/1);
//   Sgd sgd(SgdOptions{.momentum = 0.9f});
//   sgd.AddGroup(net->params());
//   moo::FpRecipe fp;
//   TimeRecipeSteps(state, *net, &fp, &sgd);   // counters["img/s"]
#ifndef STRATA_BENCHMARKS_RECIPE_STEP_H_
#define STRATA_BENCHMARKS_RECIPE_STEP_H_

#include <memory>
#include <vector>

#include "benchmark/benchmark.h"
#include "engine/engine.h"
#include "models/models.h"
#include "moo/moo.h"

namespace strata {

// ResNet-20 at width 1 for 3x32x32 inputs and 10 classes, seed 1.
inline std::unique_ptr<models::Network> BenchResNet20(int bn_variants) {
  models::ModelSpec spec;
  spec.name = "resnet20", spec.in_channels = 3, spec.num_classes = 10, spec.input_size = 32;
  spec.seed = 1, spec.bn_variants = bn_variants;
  return std::move(models::Build(spec)).value();
}

// Times training steps of `recipe` on `net` (sgd holds the parameters to step).
inline void TimeRecipeSteps(benchmark::State& state, const models::Network& net,
                            moo::Recipe* recipe, Sgd* sgd) {
  const int batch = 128;
  Tensor x = Tensor::Empty({batch, 3, 32, 32});
  const Philox rng(1, Stream("bench.recipe_step"));
  for (int64_t i = 0; i < x.numel(); ++i) x.data()[i] = rng.Normal(i);
  std::vector<int32_t> labels(batch);
  for (int i = 0; i < batch; ++i) labels[i] = i % 10;
  for (auto _ : state) {
    net.params().ZeroGrads();
    recipe->Parameters().ZeroGrads();
    moo::StepInput in{&net, x, &labels, models::ForwardContext()};
    in.ctx.training = true;
    benchmark::DoNotOptimize(recipe->Step(in).loss);
    sgd->Step(0.01f);
  }
  state.counters["img/s"] = benchmark::Counter(batch, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace strata

#endif  // STRATA_BENCHMARKS_RECIPE_STEP_H_
