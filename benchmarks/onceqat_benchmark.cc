// One once-QAT training step (moo::OnceQatRecipe: forward at 2, 3 and 4 bits, three losses,
// one joint backward with US or MGD, SGD) against one FP step, ResNet-20 (width 1,
// CIFAR-sized) at batch 128. The once-QAT/FP ratio is the cost of training three widths at
// once (issue [onceqat]: <= 3.2x, i.e. three FP steps plus the quantizers' overhead).
//
//   bazel run -c opt //benchmarks:onceqat -- --benchmark_filter=Ratio   # the bar: "ratio"
//   bazel run -c opt //benchmarks:onceqat -- --benchmark_filter=Step    # each alone
#include <memory>
#include <vector>

#include "benchmark/benchmark.h"
#include "benchmarks/recipe_step.h"
#include "engine/engine.h"
#include "models/models.h"
#include "moo/moo.h"

namespace strata {
namespace {

// FP (mode 0), once-QAT US (1) or once-QAT MGD (2) on a BenchResNet20.
BenchTrainee::MakeRecipe OnceQat(int mode) {
  if (mode == 0) return nullptr;
  return [mode](const models::Network& net) -> std::unique_ptr<moo::Recipe> {
    moo::OnceQatOptions o;
    if (mode == 2) o.moo = moo::MooMethod::kMgd;
    return std::move(moo::OnceQatRecipe::Create(o, net)).value();
  };
}
int BnVariants(int mode) { return mode == 0 ? 1 : moo::OnceQatOptions().num_widths(); }

// Arg 0: 0 = FP, 1 = once-QAT US, 2 = once-QAT MGD; arg 1: threads.
void BM_OnceQatStep(benchmark::State& state) {
  SetNumThreads(static_cast<int>(state.range(1)));
  const int mode = static_cast<int>(state.range(0));
  BenchTrainee t(BnVariants(mode), OnceQat(mode));
  TimeRecipeSteps(state, t.Stepper());
}
BENCHMARK(BM_OnceQatStep)
    ->ArgNames({"mode", "threads"})
    ->Args({0, 2})
    ->Args({1, 2})
    ->Args({2, 2})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3.0);

// FP and once-QAT steps alternated (arg 0: 1 = US, 2 = MGD; arg 1: threads); "ratio" is
// the bar's number, robust to a machine whose speed drifts during the run.
void BM_OnceQatRatio(benchmark::State& state) {
  SetNumThreads(static_cast<int>(state.range(1)));
  const int mode = static_cast<int>(state.range(0));
  BenchTrainee fp(1, nullptr), once(BnVariants(mode), OnceQat(mode));
  TimeRecipeRatio(state, fp.Stepper(), once.Stepper());
}
BENCHMARK(BM_OnceQatRatio)
    ->ArgNames({"mode", "threads"})
    ->Args({1, 2})
    ->Args({2, 2})
    ->Args({1, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(10.0);

}  // namespace
}  // namespace strata

BENCHMARK_MAIN();
