// One once-QAT training step (moo::OnceQatRecipe: forward at 2, 3 and 4 bits, three losses,
// one joint backward with US, SGD) against one FP step, ResNet-20 (width 1, CIFAR-sized) at
// batch 128. The once-QAT/FP ratio is the cost of training three widths at once (issue
// [onceqat]: <= 3.2x, i.e. three FP steps plus the quantizers' overhead).
//
//   bazel run -c opt //benchmarks:onceqat -- --benchmark_filter=Step
#include <memory>
#include <vector>

#include "benchmark/benchmark.h"
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
  models::ModelSpec spec;
  spec.name = "resnet20", spec.in_channels = 3, spec.num_classes = 10, spec.input_size = 32;
  spec.seed = 1, spec.bn_variants = mode > 0 ? o.num_widths() : 1;
  std::unique_ptr<models::Network> net = std::move(models::Build(spec)).value();
  Sgd sgd(SgdOptions{.momentum = 0.9f});
  sgd.AddGroup(net->params());
  std::unique_ptr<moo::Recipe> recipe = std::make_unique<moo::FpRecipe>();
  if (mode > 0) {
    std::unique_ptr<moo::OnceQatRecipe> r = std::move(moo::OnceQatRecipe::Create(o, *net)).value();
    CHECK(r->BeginStage(0, false, *net).ok());
    sgd.AddGroup(r->Parameters(), 0.f);
    recipe = std::move(r);
  }
  const int batch = 128;
  Tensor x = Tensor::Empty({batch, 3, 32, 32});
  const Philox rng(1, Stream("bench.onceqat_step"));
  for (int64_t i = 0; i < x.numel(); ++i) x.data()[i] = rng.Normal(i);
  std::vector<int32_t> labels(batch);
  for (int i = 0; i < batch; ++i) labels[i] = i % 10;
  for (auto _ : state) {
    net->params().ZeroGrads();
    recipe->Parameters().ZeroGrads();
    moo::StepInput in{net.get(), x, &labels, models::ForwardContext()};
    in.ctx.training = true;
    benchmark::DoNotOptimize(recipe->Step(in).loss);
    sgd.Step(0.01f);
  }
  state.counters["img/s"] = benchmark::Counter(batch, benchmark::Counter::kIsIterationInvariantRate);
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
