// ResNet-20 (CIFAR, He et al. 2016 §4.2) training step and inference through strata's
// engine: the op/tape layer's bar is >= 0.8x PyTorch's images/s on the same machine
// (benchmarks/pytorch_compare.py measures PyTorch on the identical network).
//
// Network: 3x3 conv 16 + BN + ReLU; three stages of three basic blocks (16, 32, 64
// channels; stride 2 at the first block of stages 2 and 3); global average pooling;
// linear 64 -> 10. Shortcuts where the shape changes are option B (1x1 stride-2 conv +
// BN), identity elsewhere. BN+ReLU are fused wherever a ReLU directly follows a BN.
// Train step = zero grads + forward + cross-entropy + backward + SGD (momentum 0.9,
// weight decay 5e-4). Counters: img/s, per-phase ms (forward, backward, step incl. graph
// release) and the storage pool's hit rate.
#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "engine/engine.h"

namespace strata {
namespace {

nn::Conv2dOptions Conv(int stride, int padding) {
  nn::Conv2dOptions o;
  o.stride = stride, o.padding = padding, o.bias = false;
  o.init = nn::Init::kKaimingNormalFanOut;
  return o;
}

class BasicBlock {
 public:
  BasicBlock(const std::string& name, int cin, int cout, int stride, ParameterSet* params,
             ParameterSet* buffers)
      : conv1_(name + ".conv1", cin, cout, 3, Conv(stride, 1), 1),
        conv2_(name + ".conv2", cout, cout, 3, Conv(1, 1), 1),
        bn1_(name + ".bn1", cout),
        bn2_(name + ".bn2", cout) {
    if (stride != 1 || cin != cout) {
      sc_conv_ = std::make_unique<nn::Conv2d>(name + ".sc_conv", cin, cout, 1, Conv(stride, 0), 1);
      sc_bn_ = std::make_unique<nn::BatchNorm2d>(name + ".sc_bn", cout);
    }
    conv1_.Register(params);
    bn1_.Register(params, buffers);
    conv2_.Register(params);
    bn2_.Register(params, buffers);
    if (sc_conv_) {
      sc_conv_->Register(params);
      sc_bn_->Register(params, buffers);
    }
  }
  Tensor Forward(const Tensor& x) const {
    Tensor y = bn1_.Forward(conv1_.Forward(x), Act::kRelu);
    y = bn2_.Forward(conv2_.Forward(y));
    return Relu(Add(y, sc_conv_ ? sc_bn_->Forward(sc_conv_->Forward(x)) : x));
  }
  void SetTraining(bool t) {
    bn1_.training = bn2_.training = t;
    if (sc_bn_) sc_bn_->training = t;
  }

 private:
  nn::Conv2d conv1_, conv2_;
  nn::BatchNorm2d bn1_, bn2_;
  std::unique_ptr<nn::Conv2d> sc_conv_;
  std::unique_ptr<nn::BatchNorm2d> sc_bn_;
};

class ResNet20 {
 public:
  ResNet20() : stem_("conv1", 3, 16, 3, Conv(1, 1), 1), bn_("bn1", 16), fc_("fc", 64, 10, true, 1) {
    stem_.Register(&params);
    bn_.Register(&params, &buffers);
    int cin = 16;
    for (int stage = 0; stage < 3; ++stage) {
      const int cout = 16 << stage;
      for (int b = 0; b < 3; ++b) {
        const std::string name = "layer" + std::to_string(stage + 1) + "." + std::to_string(b);
        blocks_.push_back(std::make_unique<BasicBlock>(name, cin, cout, stage > 0 && b == 0 ? 2 : 1,
                                                       &params, &buffers));
        cin = cout;
      }
    }
    fc_.Register(&params);
  }
  Tensor Forward(const Tensor& x) const {
    Tensor y = bn_.Forward(stem_.Forward(x), Act::kRelu);
    for (const auto& b : blocks_) y = b->Forward(y);
    return fc_.Forward(GlobalAvgPool(y));
  }
  void SetTraining(bool t) {
    bn_.training = t;
    for (auto& b : blocks_) b->SetTraining(t);
  }
  ParameterSet params, buffers;

 private:
  nn::Conv2d stem_;
  nn::BatchNorm2d bn_;
  std::vector<std::unique_ptr<BasicBlock>> blocks_;
  nn::Linear fc_;
};

Tensor RandomBatch(int n) {
  Tensor x = Tensor::Empty({n, 3, 32, 32});
  const Philox rng(1, Stream("bench.x"));
  for (int64_t i = 0; i < x.numel(); ++i) x.data()[i] = rng.Normal(i);
  return x;
}

double Ms(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

void BM_ResNet20Train(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  SetNumThreads(static_cast<int>(state.range(1)));
  const bool trim_pool = state.range(2) != 0;
  ResNet20 net;
  SgdOptions o;
  o.momentum = 0.9f, o.weight_decay = 5e-4f;
  Sgd sgd(o);
  sgd.AddGroup(net.params);
  const Tensor x = RandomBatch(batch);
  std::vector<int32_t> labels(batch);
  for (int i = 0; i < batch; ++i) labels[i] = i % 10;
  double fwd = 0, bwd = 0, step = 0;
  using Clock = std::chrono::steady_clock;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    net.params.ZeroGrads();
    Tensor loss = CrossEntropy(net.Forward(x), labels);
    const auto t1 = Clock::now();
    Backward({loss});
    const auto t2 = Clock::now();
    sgd.Step(0.01f);
    loss = Tensor();                   // releases the graph (and returns its buffers to the pool)
    if (trim_pool) TrimStoragePool();  // what a step costs with plain malloc/free
    const auto t3 = Clock::now();
    fwd += Ms(t0, t1), bwd += Ms(t1, t2), step += Ms(t2, t3);
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["img/s"] =
      benchmark::Counter(batch, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["fwd_ms"] = fwd / n;
  state.counters["bwd_ms"] = bwd / n;
  state.counters["sgd_ms"] = step / n;
  const StoragePoolStats pool = GetStoragePoolStats();
  state.counters["pool_hit_%"] = 100.0 * pool.pool_hits / std::max<int64_t>(pool.requests, 1);
}
// Args: batch, threads, trim the storage pool after every step (1 = measure without it).
BENCHMARK(BM_ResNet20Train)
    ->Args({128, 2, 0})
    ->Args({128, 1, 0})
    ->Args({128, 2, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(5.0);

void BM_ResNet20Infer(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  SetNumThreads(static_cast<int>(state.range(1)));
  ResNet20 net;
  net.SetTraining(false);
  const Tensor x = RandomBatch(batch);
  NoGradGuard no_grad;
  for (auto _ : state) {
    Tensor logits = net.Forward(x);
    benchmark::DoNotOptimize(logits.data());
  }
  state.counters["img/s"] =
      benchmark::Counter(batch, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ResNet20Infer)
    ->Args({128, 2})
    ->Args({128, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3.0);

}  // namespace
}  // namespace strata
