// Engine speed: the machine's own sgemm figure (the ceiling every kernel is compared to).
#include <cblas.h>

#include <vector>

#include "benchmark/benchmark.h"
#include "engine/engine.h"

namespace strata {
namespace {

// sgemm at n^3 on the threads given; counter: GFLOP/s.
void BM_Sgemm(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  SetNumThreads(static_cast<int>(state.range(1)));
  std::vector<float> a(size_t(n) * n), b(size_t(n) * n), c(size_t(n) * n);
  Philox rng(1, 1);
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = rng.Uniform(2 * i) - 0.5f;
    b[i] = rng.Uniform(2 * i + 1) - 0.5f;
  }
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.f, a.data(), n, b.data(), n,
                0.f, c.data(), n);
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * n * n * n, benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
}
BENCHMARK(BM_Sgemm)->Args({1024, 1})->Args({1024, 2})->Args({2048, 2})->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace strata


