// Engine speed: convolution (forward, backward-data, backward-weight) and batch norm at
// every ResNet-20 layer shape (CIFAR, batch 128), plus ResNet-18 (CIFAR) shapes at batch 32
// where the choice between direct and im2col + GEMM is made; VGG's 2x2 max pooling. Counters: GFLOP/s (2 * MACs) and
// images/s.
//   bazel run //benchmarks:engine -- --benchmark_filter=Conv --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
// Args: {layer, threads, algorithm (0 auto = what Conv2dForward picks, 1 direct, 2 GEMM)}.
#include <algorithm>
#include <vector>

#include "benchmark/benchmark.h"
#include "engine/engine.h"
#include "engine/kernels/batchnorm.h"
#include "engine/kernels/conv2d.h"
#include "engine/kernels/conv2d_internal.h"
#include "engine/kernels/pool.h"

namespace strata {
namespace kernels {
namespace {

struct Layer {
  const char* name;
  int N, C, H, K, R, stride;
};

// ResNet-20 uses layers 0-5 (times 1, 6, 1, 5, 1, 5 per step; the stem needs no dx).
const Layer kLayers[] = {
    {"r20_stem_3-16_32", 128, 3, 32, 16, 3, 1},
    {"r20_s1_16-16_32", 128, 16, 32, 16, 3, 1},
    {"r20_s2_16-32_s2", 128, 16, 32, 32, 3, 2},
    {"r20_s2_32-32_16", 128, 32, 16, 32, 3, 1},
    {"r20_s3_32-64_s2", 128, 32, 16, 64, 3, 2},
    {"r20_s3_64-64_8", 128, 64, 8, 64, 3, 1},
    {"r20_short_16-32_1x1s2", 128, 16, 32, 32, 1, 2},
    {"r20_short_32-64_1x1s2", 128, 32, 16, 64, 1, 2},
    {"r18_l1_64-64_32", 32, 64, 32, 64, 3, 1},
    {"r18_l4_512-512_4", 32, 512, 4, 512, 3, 1},
    {"r18_l2_128-128_16", 32, 128, 16, 128, 3, 1},
    {"r18_l3_256-256_8", 32, 256, 8, 256, 3, 1},
};
constexpr int kNumLayers = sizeof(kLayers) / sizeof(kLayers[0]);

Conv2dShape ShapeOf(const Layer& l) {
  Conv2dShape s;
  s.N = l.N, s.C = l.C, s.H = s.W = l.H, s.K = l.K, s.R = s.S = l.R;
  s.stride_h = s.stride_w = l.stride;
  s.pad_h = s.pad_w = l.R / 2;
  return s;
}

std::vector<float> Random(int64_t n, uint64_t stream) {
  Philox rng(1, stream);
  std::vector<float> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = rng.Uniform(i) - 0.5f;
  return v;
}

enum Pass { kForward, kBackwardData, kBackwardWeight };

void RunConv(benchmark::State& state, Pass pass) {
  const Layer& l = kLayers[state.range(0)];
  SetNumThreads(static_cast<int>(state.range(1)));
  const Conv2dShape s = ShapeOf(l);
  using internal::ConvAlgo;
  const int algo = static_cast<int>(state.range(2));
  const bool direct = algo == 1 || (algo == 0 && internal::ChooseConvAlgo(s) == ConvAlgo::kDirect);
  const int slots = internal::NumSlots(s.N);
  std::vector<float> ws(direct ? internal::DirectWorkspaceFloats(s, slots)
                               : internal::GemmWorkspaceFloats(s, slots));
  const auto x = Random(s.XSize(), 1), w = Random(s.WSize(), 2), dy = Random(s.YSize(), 3);
  std::vector<float> y(s.YSize()), dx(s.XSize()), dw(s.WSize());
  for (auto _ : state) {
    if (pass == kForward) {
      (direct ? internal::DirectForward : internal::GemmForward)(s, x.data(), w.data(), nullptr,
                                                                 y.data(), ws.data());
    } else if (pass == kBackwardData) {
      // accumulate = false: Conv2d's backward writes a fresh input gradient this way.
      (direct ? internal::DirectBackwardData : internal::GemmBackwardData)(
          s, dy.data(), w.data(), dx.data(), ws.data(), /*accumulate=*/false);
    } else {
      (direct ? internal::DirectBackwardWeight : internal::GemmBackwardWeight)(
          s, x.data(), dy.data(), dw.data(), nullptr, ws.data());
    }
    benchmark::ClobberMemory();
  }
  state.SetLabel(std::string(l.name) + (direct ? " direct" : " gemm"));
  state.counters["GFLOP/s"] = benchmark::Counter(
      2.0 * s.Macs(), benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
  state.counters["img/s"] = benchmark::Counter(s.N, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_ConvForward(benchmark::State& state) { RunConv(state, kForward); }
void BM_ConvBackwardData(benchmark::State& state) { RunConv(state, kBackwardData); }
void BM_ConvBackwardWeight(benchmark::State& state) { RunConv(state, kBackwardWeight); }

void ConvArgs(benchmark::internal::Benchmark* b) {
  for (int threads : {1, 2}) {
    for (int layer = 0; layer < kNumLayers; ++layer) b->Args({layer, threads, 0});
  }
  for (int layer = 0; layer < kNumLayers; ++layer) b->Args({layer, 1, 1});  // direct
  for (int layer = 0; layer < kNumLayers; ++layer) b->Args({layer, 1, 2});  // GEMM
  b->UseRealTime()->Unit(benchmark::kMillisecond);
}
BENCHMARK(BM_ConvForward)->Apply(ConvArgs);
BENCHMARK(BM_ConvBackwardData)->Apply(ConvArgs);
BENCHMARK(BM_ConvBackwardWeight)->Apply(ConvArgs);

// Batch norm at the ResNet-20 activation shapes (fused ReLU): {stage 0-2, threads}.
const BatchNormShape kBnShapes[] = {{128, 16, 1024}, {128, 32, 256}, {128, 64, 64}};

void BM_BatchNormForwardTrain(benchmark::State& state) {
  const BatchNormShape s = kBnShapes[state.range(0)];
  SetNumThreads(static_cast<int>(state.range(1)));
  const int64_t n = int64_t(s.N) * s.C * s.HW;
  const auto x = Random(n, 1), gamma = Random(s.C, 2), beta = Random(s.C, 3);
  std::vector<float> y(n), mean(s.C), invstd(s.C), rm(s.C), rv(s.C, 1.f);
  for (auto _ : state) {
    BatchNormForwardTrain(s, x.data(), gamma.data(), beta.data(), 1e-5f, 0.1f, rm.data(), rv.data(),
                          Activation::kReLU, y.data(), mean.data(), invstd.data());
    benchmark::ClobberMemory();
  }
  state.counters["GB/s"] =
      benchmark::Counter(3.0 * n * sizeof(float), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_BatchNormBackward(benchmark::State& state) {
  const BatchNormShape s = kBnShapes[state.range(0)];
  SetNumThreads(static_cast<int>(state.range(1)));
  const int64_t n = int64_t(s.N) * s.C * s.HW;
  const auto x = Random(n, 1), y = Random(n, 2), dy = Random(n, 3), gamma = Random(s.C, 4);
  const auto mean = Random(s.C, 5);
  std::vector<float> invstd(s.C, 2.f), dx(n), dgamma(s.C), dbeta(s.C);
  for (auto _ : state) {
    BatchNormBackward(s, x.data(), y.data(), dy.data(), gamma.data(), mean.data(), invstd.data(),
                      Activation::kReLU, dx.data(), dgamma.data(), dbeta.data());
    benchmark::ClobberMemory();
  }
  // Two sweeps reading x, y, dy (the second from cache when a channel fits) + dx read/write.
  state.counters["GB/s"] =
      benchmark::Counter(5.0 * n * sizeof(float), benchmark::Counter::kIsIterationInvariantRate);
}

void BnArgs(benchmark::internal::Benchmark* b) {
  for (int threads : {1, 2}) {
    for (int i = 0; i < 3; ++i) b->Args({i, threads});
  }
  b->UseRealTime()->Unit(benchmark::kMillisecond);
}
BENCHMARK(BM_BatchNormForwardTrain)->Apply(BnArgs);
BENCHMARK(BM_BatchNormBackward)->Apply(BnArgs);

// VGG-16-BN's 2x2 / stride-2 max pools, batch 128: the first pool of the edge tables' model
// (width 1/8 on 28x28 Fashion-MNIST: 8 channels) and of the CIFAR VGG at width 1/4 (16
// channels, 32x32). Args: {shape, threads}. GB/s counts x read + y and argmax written.
PoolShape PoolOf(int C, int H) {
  PoolShape s;
  s.N = 128, s.C = C, s.H = s.W = H, s.R = s.S = 2, s.stride_h = s.stride_w = 2;
  return s;
}
const PoolShape kPoolShapes[] = {PoolOf(8, 28), PoolOf(16, 32)};

void BM_MaxPool2dForward(benchmark::State& state) {
  const PoolShape s = kPoolShapes[state.range(0)];
  SetNumThreads(static_cast<int>(state.range(1)));
  const int64_t xn = int64_t(s.N) * s.C * s.H * s.W, yn = int64_t(s.N) * s.C * s.P() * s.Q();
  const auto x = Random(xn, 1);
  std::vector<float> y(yn);
  std::vector<int32_t> arg(yn);
  for (auto _ : state) {
    MaxPool2dForward(s, x.data(), y.data(), arg.data());
    benchmark::ClobberMemory();
  }
  state.counters["GB/s"] = benchmark::Counter((xn + 2.0 * yn) * sizeof(float),
                                              benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_MaxPool2dForward)->ArgsProduct({{0, 1}, {1, 2}})->UseRealTime();

// Conv + BN(+ReLU) work of one ResNet-20 training step at batch 128 (option-A shortcuts, so
// no 1x1 convs; no elementwise adds, loss or optimizer): 19 convs forward, backward-weight,
// and backward-data (not for the stem), 19 batch norms forward and backward. Arg: threads.
void BM_ResNet20ConvBnStep(benchmark::State& state) {
  SetNumThreads(static_cast<int>(state.range(0)));
  const int counts[] = {1, 6, 1, 5, 1, 5};
  int64_t ws_floats = 0, max_act = 0;
  for (int l = 0; l < 6; ++l) {
    const Conv2dShape s = ShapeOf(kLayers[l]);
    ws_floats = std::max(ws_floats, Conv2dWorkspaceFloats(s));
    max_act = std::max({max_act, s.XSize(), s.YSize()});
  }
  std::vector<float> ws(ws_floats), w(64 * 64 * 9), dw(64 * 64 * 9), g(64, 1.f), b(64, 0.f);
  const auto x = Random(max_act, 1), dy = Random(max_act, 2);
  std::vector<float> y(max_act), dx(max_act), bn(max_act), dbn(max_act), stats(4 * 64);
  for (auto _ : state) {
    for (int l = 0; l < 6; ++l) {
      const Conv2dShape s = ShapeOf(kLayers[l]);
      const BatchNormShape bs{s.N, s.K, s.P() * s.Q()};
      for (int i = 0; i < counts[l]; ++i) {
        Conv2dForward(s, x.data(), w.data(), nullptr, y.data(), ws.data());
        BatchNormForwardTrain(bs, y.data(), g.data(), b.data(), 1e-5f, 0.1f, nullptr, nullptr,
                              Activation::kReLU, bn.data(), stats.data(), stats.data() + 64);
        BatchNormBackward(bs, y.data(), bn.data(), dy.data(), g.data(), stats.data(),
                          stats.data() + 64, Activation::kReLU, dbn.data(), stats.data() + 128,
                          stats.data() + 192);
        Conv2dBackwardWeight(s, x.data(), dbn.data(), dw.data(), nullptr, ws.data());
        if (l > 0) Conv2dBackwardData(s, dbn.data(), w.data(), dx.data(), ws.data());
      }
    }
    benchmark::ClobberMemory();
  }
  state.counters["img/s"] = benchmark::Counter(128, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ResNet20ConvBnStep)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kernels
}  // namespace strata
