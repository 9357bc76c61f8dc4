// Training and inference throughput (throughput.h).
#include "moo/train/throughput.h"

#include <time.h>

#include <algorithm>
#include <chrono>

#include "moo/train/trainer.h"

namespace strata {
namespace moo {
namespace {

double CpuSeconds() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

double Median(std::vector<double> v) {
  CHECK(!v.empty()) << "Median of nothing";
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

Timing TimeSteps(int batch, const Repetitions& r, const std::function<void()>& step) {
  for (int i = 0; i < r.warmup; ++i) step();
  std::vector<double> rates, cpu_ms;
  for (int i = 0; i < r.reps; ++i) {
    const double c0 = CpuSeconds();
    const auto t0 = std::chrono::steady_clock::now();
    step();
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    cpu_ms.push_back(1000 * (CpuSeconds() - c0));
    rates.push_back(batch / wall);
  }
  Timing t;
  t.img_s = Median(rates);
  t.img_s_min = *std::min_element(rates.begin(), rates.end());
  t.img_s_max = *std::max_element(rates.begin(), rates.end());
  t.cpu_ms = Median(cpu_ms);
  return t;
}

StatusOr<Timing> TimeTraining(const models::Network& net, Recipe* recipe, const Tensor& x,
                              const std::vector<int32_t>& labels, const Repetitions& r, float lr) {
  STRATA_RETURN_IF_ERROR(recipe->BeginStage(0, /*resumed=*/false, net));
  SgdOptions o;
  o.momentum = 0.9f, o.weight_decay = 5e-4f;
  Sgd sgd(o);
  sgd.AddGroup(net.params());
  if (recipe->Parameters().size() > 0) sgd.AddGroup(recipe->Parameters(), /*weight_decay=*/0.f);
  StepInput in{&net, x, &labels, models::ForwardContext()};
  in.ctx.training = true, in.ctx.seed = 1;
  return TimeSteps(static_cast<int>(labels.size()), r, [&] {
    TrainStep(in, recipe, &sgd, lr);
    ++in.ctx.step;
  });
}

Timing TimeInference(const models::Network& net, const Tensor& x, const Repetitions& r) {
  NoGradGuard no_grad;
  models::ForwardContext ctx;  // eval mode
  return TimeSteps(static_cast<int>(x.shape()[0]), r, [&] { Tensor y = net.Forward(x, ctx); });
}

double SgemmGflops(int n, int reps) {
  Tensor a = Tensor::Empty({n, n}), b = Tensor::Empty({n, n});
  const Philox rng(1, Stream("strata_speed.sgemm"));
  for (int64_t i = 0; i < a.numel(); ++i) {
    a.data()[i] = rng.Normal(2 * i);
    b.data()[i] = rng.Normal(2 * i + 1);
  }
  NoGradGuard no_grad;
  double best = 0;
  for (int i = 0; i <= reps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    Tensor c = Linear(a, b, Tensor());
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (i > 0) best = std::max(best, 2.0 * n * n * n / s * 1e-9);
  }
  return best;
}

double ForwardGflopPerImage(const models::Network& net) {
  double macs = 0;
  for (const models::Layer* l : net.layers()) {
    const models::LayerInfo& i = l->info();
    macs += static_cast<double>(i.num_weights) * i.out_h * i.out_w;
  }
  return 2 * macs * 1e-9;
}

}  // namespace moo
}  // namespace strata
