// Quantizer speed: LSQ fake quantization (forward + backward through the op, as training pays
// it) against ReLU on the same tensor, the plain elementwise op whose cost is the floor; and
// the integer conv of the inference path against the engine's float conv on ResNet-20 layers;
// and a whole ResNet-20 training step (batch 128) in FP vs under LSQ QAT (strata_speed's QAT row).
//   bazel run //benchmarks:quant -- --benchmark_repetitions=5 --benchmark_report_aggregates_only
// The machine is shared: with 1 thread read the CPU column (per-thread CPU time); wall time
// ("real") is what 2 threads buy when the second core is free.
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "benchmarks/recipe_step.h"
#include "engine/engine.h"
#include "engine/kernels/conv2d.h"
#include "models/models.h"
#include "moo/moo.h"
#include "quant/kernels/int_conv.h"
#include "quant/kernels/lsq_kernels.h"
#include "quant/quant.h"

namespace strata {
namespace {

// Tensors quantized in a ResNet-20 (CIFAR) step: the largest weight (stage 3, 64x64x3x3) and
// a stage-1 activation at batch 128.
struct Operand {
  const char* name;
  Shape shape;
  bool is_weight;
};
const Operand kOperands[] = {
    {"w_64x64x3x3", {64, 64, 3, 3}, true},
    {"act_128x16x32x32", {128, 16, 32, 32}, false},
};

Tensor Random(const Shape& shape, uint64_t stream, float lo, float hi) {
  const Philox rng(1, stream);
  Tensor t = Tensor::Empty(shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = lo + (hi - lo) * rng.Uniform(i);
  return t;
}

// Args: {operand, threads, op (0 LsqQuantize 4-bit, 1 Relu)}. One iteration = the op's
// forward and its backward (Grad: fresh gradients, as the first use of a tensor in a step).
void BM_ElementwiseFwdBwd(benchmark::State& state) {
  const Operand& o = kOperands[state.range(0)];
  SetNumThreads(int(state.range(1)));
  const bool lsq = state.range(2) == 0;
  const quant::QuantRange r = o.is_weight ? quant::SignedRange(4) : quant::UnsignedRange(4);
  Tensor v = Random(o.shape, 1, -1.f, 1.f).set_requires_grad(true);
  const Tensor dy = Random(o.shape, 2, -1.f, 1.f);
  Tensor step = Tensor::Full({1}, quant::LsqInitStep(v, r).value()).set_requires_grad(true);
  const float g = o.is_weight ? quant::LsqWeightGradScale(v, r) : quant::LsqActivationGradScale(v, r);
  for (auto _ : state) {
    if (lsq) {
      const Tensor y = quant::LsqQuantize(v, step, r, g);
      benchmark::DoNotOptimize(Grad(y, {v, step}, dy));
    } else {
      const Tensor y = Relu(v);
      benchmark::DoNotOptimize(Grad(y, {v}, dy));
    }
  }
  state.SetLabel(std::string(o.name) + (lsq ? " LsqQuantize" : " Relu"));
  // Forward reads v, writes y; backward reads v (LSQ) or y (ReLU) and dy, writes dv.
  state.counters["GB/s"] = benchmark::Counter(5.0 * v.numel() * sizeof(float),
                                              benchmark::Counter::kIsIterationInvariantRate);
}

// The LSQ kernels alone: {operand, threads, pass (0 forward, 1 backward)}.
void BM_LsqKernel(benchmark::State& state) {
  const Operand& o = kOperands[state.range(0)];
  SetNumThreads(int(state.range(1)));
  const int64_t n = NumElements(o.shape);
  const Tensor v = Random(o.shape, 1, -1.f, 1.f), dy = Random(o.shape, 2, -1.f, 1.f);
  std::vector<float> out(n);
  std::vector<double> partials(quant::kernels::LsqBackwardPartials(n));
  for (auto _ : state) {
    if (state.range(2) == 0) {
      quant::kernels::LsqForward(n, v.data(), 0.1f, 8, 7, out.data());
    } else {
      benchmark::DoNotOptimize(quant::kernels::LsqBackward(n, v.data(), dy.data(), 0.1f, 8, 7,
                                                           out.data(), false, partials.data()));
    }
    benchmark::ClobberMemory();
  }
  state.SetLabel(std::string(o.name) + (state.range(2) == 0 ? " forward" : " backward"));
  state.counters["GB/s"] = benchmark::Counter((state.range(2) == 0 ? 2.0 : 3.0) * n * sizeof(float),
                                              benchmark::Counter::kIsIterationInvariantRate);
}

void ElementwiseArgs(benchmark::internal::Benchmark* b) {
  for (int threads : {1, 2})
    for (int o = 0; o < 2; ++o)
      for (int op = 0; op < 2; ++op) b->Args({o, threads, op});
  b->UseRealTime()->MeasureProcessCPUTime()->Unit(benchmark::kMicrosecond);
}
BENCHMARK(BM_ElementwiseFwdBwd)->Apply(ElementwiseArgs);
BENCHMARK(BM_LsqKernel)->Apply(ElementwiseArgs);

// ResNet-20 conv layers at batch 128 (pad 1 for 3x3).
struct ConvLayer {
  const char* name;
  int N, C, H, K, R, stride;
};
const ConvLayer kConvs[] = {
    {"r20_s1_16-16_32", 128, 16, 32, 16, 3, 1},
    {"r20_s2_16-32_s2", 128, 16, 32, 32, 3, 2},
    {"r20_s3_64-64_8", 128, 64, 8, 64, 3, 1},
    {"r20_short_16-32_1x1s2", 128, 16, 32, 32, 1, 2},
};

// Args: {layer, threads, path (0 float kernel, 1 int kernel on ready codes, 2 int op:
// QuantizeCodes of the activations + IntConv2d)}.
void BM_Conv(benchmark::State& state) {
  const ConvLayer& l = kConvs[state.range(0)];
  SetNumThreads(int(state.range(1)));
  const int path = int(state.range(2));
  kernels::Conv2dShape fs;
  fs.N = l.N, fs.C = l.C, fs.H = fs.W = l.H, fs.K = l.K, fs.R = fs.S = l.R;
  fs.stride_h = fs.stride_w = l.stride, fs.pad_h = fs.pad_w = l.R / 2;
  quant::kernels::IntConv2dShape is;
  is.N = l.N, is.C = l.C, is.H = is.W = l.H, is.K = l.K, is.R = is.S = l.R;
  is.stride_h = is.stride_w = l.stride, is.pad_h = is.pad_w = l.R / 2;
  const Tensor x = Random({l.N, l.C, l.H, l.H}, 3, 0.f, 2.f);
  const Tensor w = Random({l.K, l.C, l.R, l.R}, 4, -1.f, 1.f);
  const quant::QuantRange ar = quant::UnsignedRange(4), wr = quant::SignedRange(4);
  const quant::QuantizedTensor qx = quant::QuantizeCodes(x, 0.13f, ar);
  const quant::QuantizedTensor qw = quant::QuantizeCodes(w, 0.13f, wr);
  std::vector<float> y(fs.YSize()), fws(kernels::Conv2dWorkspaceFloats(fs));
  std::vector<int32_t> iws(quant::kernels::IntConv2dWorkspaceInts(is));
  const Conv2dParams p{l.stride, l.R / 2, 1};
  for (auto _ : state) {
    if (path == 0) {
      kernels::Conv2dForward(fs, x.data(), w.data(), nullptr, y.data(), fws.data());
    } else if (path == 1) {
      quant::kernels::IntConv2dForward(is, qx.bytes.data(),
                                       reinterpret_cast<const int8_t*>(qw.bytes.data()),
                                       qx.step * qw.step, nullptr, y.data(), iws.data());
    } else {
      benchmark::DoNotOptimize(quant::IntConv2d(quant::QuantizeCodes(x, 0.13f, ar), qw, Tensor(), p));
    }
    benchmark::ClobberMemory();
  }
  static const char* kPaths[] = {" float", " int8", " int8 op (+codes)"};
  state.SetLabel(std::string(l.name) + kPaths[path]);
  state.counters["GOP/s"] = benchmark::Counter(2.0 * fs.Macs(), benchmark::Counter::kIsIterationInvariantRate,
                                               benchmark::Counter::kIs1000);
}

void ConvArgs(benchmark::internal::Benchmark* b) {
  for (int threads : {1, 2})
    for (int l = 0; l < 4; ++l)
      for (int path = 0; path < 3; ++path) b->Args({l, threads, path});
  b->UseRealTime()->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);
}
BENCHMARK(BM_Conv)->Apply(ConvArgs);

// FP (bits 0) or LSQ at W/A bits/bits (moo::LsqRecipe: every layer but the first conv and
// last linear, weights and inputs) on a BenchResNet20 (models::Build, width 1, CIFAR-sized).
BenchTrainee::MakeRecipe Lsq(int bits) {
  if (bits == 0) return nullptr;
  return [bits](const models::Network& net) -> std::unique_ptr<moo::Recipe> {
    moo::PrecisionPlan plan;
    plan.w_bits = plan.a_bits = bits;
    return std::move(moo::LsqRecipe::Create(plan, net)).value();
  };
}

// One training step at batch 128: zero grads, forward, cross-entropy, backward, SGD.
// Arg 0: 0 = FP, b = LSQ b/b; arg 1: threads.
void BM_ResNet20Step(benchmark::State& state) {
  SetNumThreads(static_cast<int>(state.range(1)));
  BenchTrainee t(1, Lsq(static_cast<int>(state.range(0))));
  TimeRecipeSteps(state, t.Stepper());
}
BENCHMARK(BM_ResNet20Step)
    ->ArgNames({"bits", "threads"})
    ->Args({0, 2})
    ->Args({4, 2})
    ->Args({2, 2})
    ->Args({0, 1})
    ->Args({4, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3.0);

// FP and LSQ steps alternated: "ratio" = LSQ / FP, the QAT overhead (issue [lsq]: <= 1.3x).
// Arg 0: bits; arg 1: threads.
void BM_ResNet20LsqRatio(benchmark::State& state) {
  SetNumThreads(static_cast<int>(state.range(1)));
  BenchTrainee fp(1, nullptr), lsq(1, Lsq(static_cast<int>(state.range(0))));
  TimeRecipeRatio(state, fp.Stepper(), lsq.Stepper());
}
BENCHMARK(BM_ResNet20LsqRatio)
    ->ArgNames({"bits", "threads"})
    ->Args({4, 2})
    ->Args({4, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(5.0);

}  // namespace
}  // namespace strata

BENCHMARK_MAIN();
