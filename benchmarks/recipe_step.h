// What the recipe-step benchmarks share (quant_benchmark.cc, onceqat_benchmark.cc): the
// ResNet-20 they time and the training loop's own step (moo::TrainStep: zero grads, the
// recipe's Step, SGD, AfterStep) at batch 128 on fixed random CIFAR-sized data.
//
//   std::unique_ptr<models::Network> net = BenchResNet20(/*bn_variants=*/1);
//   Sgd sgd(SgdOptions{.momentum = 0.9f});
//   sgd.AddGroup(net->params());
//   moo::FpRecipe fp;
//   TimeRecipeSteps(state, RecipeStepper(*net, &fp, &sgd));   // counters["img/s"]
//   TimeRecipeRatio(state, fp_stepper, lsq_stepper);           // counters["ratio"] = lsq / fp
//
// Both time the steady state: one untimed step first (a recipe's first step initialises its
// activation steps from the batch, once per run).
#ifndef STRATA_BENCHMARKS_RECIPE_STEP_H_
#define STRATA_BENCHMARKS_RECIPE_STEP_H_

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "benchmark/benchmark.h"
#include "engine/engine.h"
#include "models/models.h"
#include "moo/moo.h"
#include "moo/train/train.h"

namespace strata {

constexpr int kBenchBatch = 128;

// ResNet-20 at width 1 for 3x32x32 inputs and 10 classes, seed 1.
inline std::unique_ptr<models::Network> BenchResNet20(int bn_variants) {
  models::ModelSpec spec;
  spec.name = "resnet20", spec.in_channels = 3, spec.num_classes = 10, spec.input_size = 32;
  spec.seed = 1, spec.bn_variants = bn_variants;
  return std::move(models::Build(spec)).value();
}

// Training steps of `recipe` on `net` (sgd holds the parameters to step) on one fixed batch.
class RecipeStepper {
 public:
  RecipeStepper(const models::Network& net, moo::Recipe* recipe, Sgd* sgd)
      : net_(net), recipe_(recipe), sgd_(sgd), x_(Tensor::Empty({kBenchBatch, 3, 32, 32})),
        labels_(kBenchBatch) {
    const Philox rng(1, Stream("bench.recipe_step"));
    for (int64_t i = 0; i < x_.numel(); ++i) x_.data()[i] = rng.Normal(i);
    for (int i = 0; i < kBenchBatch; ++i) labels_[i] = i % 10;
  }
  void Step() const {
    moo::StepInput in{&net_, x_, &labels_, models::ForwardContext()};
    in.ctx.training = true;
    benchmark::DoNotOptimize(moo::TrainStep(in, recipe_, sgd_, 0.01f).loss);
  }

 private:
  const models::Network& net_;
  moo::Recipe* recipe_;
  Sgd* sgd_;
  Tensor x_;
  std::vector<int32_t> labels_;
};

// A BenchResNet20, its SGD (momentum 0.9: the weights, and the recipe's parameters without
// decay) and the recipe `make` builds for it (started with BeginStage), or FP when `make` is
// empty. Stepper() steps it.
struct BenchTrainee {
  using MakeRecipe = std::function<std::unique_ptr<moo::Recipe>(const models::Network&)>;
  BenchTrainee(int bn_variants, const MakeRecipe& make)
      : net(BenchResNet20(bn_variants)), sgd(SgdOptions{.momentum = 0.9f}) {
    sgd.AddGroup(net->params());
    if (!make) {
      recipe = std::make_unique<moo::FpRecipe>();
      return;
    }
    recipe = make(*net);
    CHECK(recipe->BeginStage(0, /*resumed=*/false, *net).ok());
    sgd.AddGroup(recipe->Parameters(), 0.f);
  }
  RecipeStepper Stepper() { return RecipeStepper(*net, recipe.get(), &sgd); }

  std::unique_ptr<models::Network> net;
  Sgd sgd;
  std::unique_ptr<moo::Recipe> recipe;
};

// Times steps (after one untimed step); counters["img/s"].
inline void TimeRecipeSteps(benchmark::State& state, const RecipeStepper& stepper) {
  stepper.Step();
  for (auto _ : state) stepper.Step();
  state.counters["img/s"] =
      benchmark::Counter(kBenchBatch, benchmark::Counter::kIsIterationInvariantRate);
}

// One iteration = one step of `base` then one of `other`, alternating so that a machine
// whose speed drifts (shared cores, frequency) slows both alike. counters: "ratio" = total
// time of other's steps / base's, "base_ms" and "other_ms" per step.
inline void TimeRecipeRatio(benchmark::State& state, const RecipeStepper& base,
                            const RecipeStepper& other) {
  using Clock = std::chrono::steady_clock;
  base.Step();
  other.Step();
  double base_s = 0, other_s = 0;
  for (auto _ : state) {
    const Clock::time_point t0 = Clock::now();
    base.Step();
    const Clock::time_point t1 = Clock::now();
    other.Step();
    const Clock::time_point t2 = Clock::now();
    base_s += std::chrono::duration<double>(t1 - t0).count();
    other_s += std::chrono::duration<double>(t2 - t1).count();
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["ratio"] = other_s / base_s;
  state.counters["base_ms"] = 1e3 * base_s / n;
  state.counters["other_ms"] = 1e3 * other_s / n;
}

}  // namespace strata

#endif  // STRATA_BENCHMARKS_RECIPE_STEP_H_
