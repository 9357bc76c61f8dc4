// One once-QAT training step (moo::OnceQatRecipe: forward at 2, 3 and 4 bits, three losses,
// one joint backward with US, SGD) against one FP step, ResNet-20 (width 1, CIFAR-sized) at
// batch 128. The once-QAT/FP ratio is the cost of training three widths at once (issue
// [onceqat]: <= 3.2x, i.e. three FP steps plus the quantizers' overhead).
//
//   bazel run -c opt //benchmarks:onceqat -- --benchmark_filter=Step
#include <memory>
#include <vector>

#include "benchmark/benchmark.h"
#include "benchmarks/recipe_step.h"
#include "engine/engine.h"
#include "models/models.h"
#include "moo/moo.h"

namespace strata {
namespace {

// Arg 0: 0 = FP, 1 = once-QAT US, 2 = once-QAT MGD; arg 1: threads.
void BM_OnceQatStep(benchmark::State& state) {
  const int mode = static_cast<int>(state.range(0));
  SetNumThreads(static_cast<int>(state.range(1)));
  moo::OnceQatOptions o;
  if (mode == 2) o.moo = moo::MooMethod::kMgd;
  std::unique_ptr<models::Network> net = BenchResNet20(mode > 0 ? o.num_widths() : 1);
  Sgd sgd(SgdOptions{.momentum = 0.9f});
  sgd.AddGroup(net->params());
  std::unique_ptr<moo::Recipe> recipe = std::make_unique<moo::FpRecipe>();
  if (mode > 0) {
    std::unique_ptr<moo::OnceQatRecipe> r = std::move(moo::OnceQatRecipe::Create(o, *net)).value();
    CHECK(r->BeginStage(0, false, *net).ok());
    sgd.AddGroup(r->Parameters(), 0.f);
    recipe = std::move(r);
  }
  TimeRecipeSteps(state, *net, recipe.get(), &sgd);
}
BENCHMARK(BM_OnceQatStep)
    ->ArgNames({"mode", "threads"})
    ->Args({0, 2})
    ->Args({1, 2})
    ->Args({2, 2})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3.0);

}  // namespace
}  // namespace strata

BENCHMARK_MAIN();
