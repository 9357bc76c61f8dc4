// hwsim speed: one ResNet-18 (ImageNet, hwsim/testdata/resnet18.csv) through the whole
// simulator — mapping, memory system, reports — per AMED Table 1 preset. The Python SCALE-Sim
// v2 needs 8-17 minutes for one ResNet-18 on this machine.
//
// AMED's use (one bit allocation per sample): a bit-aware 20-layer plan (ResNet-18's convs at
// random bits from {2, 3, 4, 8}, weights = activations = outputs; fc at 8) evaluated fresh
// (SimulateNetwork: a new cache per sample) and through one NetworkSimCache kept across
// samples (scalesim preset; fresh also on the other two). Every iteration is a new random
// plan (fixed seed).
//   bazel run -c opt //benchmarks:hwsim
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <string>

#include "hwsim/hwsim.h"

namespace {

std::vector<strata::hwsim::Layer> ResNet18() {
  std::vector<strata::hwsim::Layer> layers;
  for (const std::string& dir :
       {std::string("."), std::string(std::getenv("BUILD_WORKSPACE_DIRECTORY")
                                          ? std::getenv("BUILD_WORKSPACE_DIRECTORY")
                                          : ".")}) {
    if (strata::hwsim::ParseTopologyFile(dir + "/hwsim/testdata/resnet18.csv",
                                         strata::hwsim::TopologyFormat::kAuto, &layers)
            .ok()) {
      return layers;
    }
  }
  std::abort();
}

void BM_ResNet18(benchmark::State& state, const char* preset, int bits) {
  strata::hwsim::AcceleratorConfig config;
  if (!strata::hwsim::Preset(preset, &config).ok()) std::abort();
  const std::vector<strata::hwsim::Layer> layers = ResNet18();
  strata::hwsim::SimOptions options;
  options.plan.default_bits = {bits, bits, bits};
  int64_t cycles = 0;
  for (auto _ : state) {
    strata::hwsim::NetworkResult r = strata::hwsim::SimulateNetwork(config, layers, options);
    cycles = r.totals.cycles;
    benchmark::DoNotOptimize(r);
  }
  state.counters["sim_cycles"] = static_cast<double>(cycles);
}

BENCHMARK_CAPTURE(BM_ResNet18, scalesim_8bit, "scalesim", 8)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ResNet18, scalesim_lowmem_8bit, "scalesim_lowmem", 8)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ResNet18, eyeriss_8bit, "eyeriss", 8)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ResNet18, scalesim_4bit, "scalesim", 4)->Unit(benchmark::kMillisecond);

// ResNet-18's 20 convs at random bits from {2, 3, 4, 8}; the fc layer stays at 8 (AMED
// does not quantize the classifier).
std::vector<strata::hwsim::LayerPrecision> RandomPlan(size_t layers, std::mt19937* rng) {
  static const int kBits[] = {2, 3, 4, 8};
  std::vector<strata::hwsim::LayerPrecision> bits(layers);
  for (size_t i = 0; i + 1 < layers; ++i) {
    const int b = kBits[(*rng)() % 4];
    bits[i] = {b, b, b};
  }
  return bits;
}

void BM_BitAwarePlan(benchmark::State& state, const char* preset, bool cached) {
  strata::hwsim::AcceleratorConfig config;
  if (!strata::hwsim::Preset(preset, &config).ok()) std::abort();
  const std::vector<strata::hwsim::Layer> layers = ResNet18();
  std::mt19937 rng(2024);
  strata::hwsim::NetworkSimCache across(config, strata::hwsim::SimOptions());  // AMED's cache
  double latency_ms = 0;
  int64_t simulated = 0;
  for (auto _ : state) {
    const std::vector<strata::hwsim::LayerPrecision> bits = RandomPlan(layers.size(), &rng);
    strata::hwsim::NetworkSimCache fresh(config, strata::hwsim::SimOptions());
    strata::hwsim::NetworkSimCache& cache = cached ? across : fresh;
    latency_ms = cache.Simulate(layers, bits).totals.latency_ms;
    benchmark::DoNotOptimize(latency_ms);
    if (!cached) simulated += fresh.misses();
  }
  if (cached) simulated = across.misses();
  state.counters["last_latency_ms"] = latency_ms;
  state.counters["layers_simulated_per_sample"] =
      static_cast<double>(simulated) / static_cast<double>(state.iterations());
  if (cached) state.counters["cache_entries"] = static_cast<double>(across.size());
}

// Fresh: every sample simulates all 21 layers (identical shapes at equal bits once). The
// bar for AMED (one simulation per sample, from nothing) is < 50 ms.
BENCHMARK_CAPTURE(BM_BitAwarePlan, plan20_fresh, "scalesim", false)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_BitAwarePlan, plan20_fresh_lowmem, "scalesim_lowmem", false)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_BitAwarePlan, plan20_fresh_eyeriss, "eyeriss", false)
    ->Unit(benchmark::kMillisecond);
// Cached across samples, cold cache at the start, amortized over the iterations: at most
// 11 distinct conv shapes x 4 bit-widths + the fc are ever simulated.
BENCHMARK_CAPTURE(BM_BitAwarePlan, plan20_cached_across_samples, "scalesim", true)
    ->Unit(benchmark::kMillisecond);
// The same over exactly 200 samples (a short AMED run), warm-up included.
BENCHMARK_CAPTURE(BM_BitAwarePlan, plan20_cached_200_samples, "scalesim", true)
    ->Iterations(200)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
