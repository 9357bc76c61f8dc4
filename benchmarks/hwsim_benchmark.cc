// hwsim speed: one ResNet-18 (ImageNet, hwsim/testdata/resnet18.csv) through the whole
// simulator — mapping, memory system, reports — per AMED Table 1 preset. The Python SCALE-Sim
// v2 needs 8-17 minutes for one ResNet-18 on this machine.
//   bazel run -c opt //benchmarks:hwsim
#include <benchmark/benchmark.h>

#include <cstdlib>
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

}  // namespace

BENCHMARK_MAIN();
