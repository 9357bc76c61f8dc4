// `bazel run //reports:all -- [--preset=...]`: regenerates every table that exists and
// writes reports/out/REPORT.md; tables not implemented yet are listed as such.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace strata {
namespace {

struct TableEntry {
  const char* target;
  const char* paper;
  const char* what;
  bool implemented;
};

// Every target of ../shared/docs/TABLES.md. A table flips `implemented` when its target
// lands; until then REPORT.md says it is missing.
const std::vector<TableEntry>& Tables() {
  static const std::vector<TableEntry> tables = {
      {"vl_table1", "vertical layering", "LSQ vs ascending vs co-training", false},
      {"vl_table2", "vertical layering", "ResNet-18: cited methods, LSQ vs once-QAT", false},
      {"vl_table3", "vertical layering", "five networks: LSQ vs once-QAT (w/o, w. KD)", false},
      {"vl_table4", "vertical layering", "BN variants", false},
      {"vl_table5", "vertical layering", "ResNet-50 baselines and weight size", false},
      {"vl_table6", "vertical layering", "US vs MGD", false},
      {"vl_table7", "vertical layering", "positive compensation", false},
      {"vl_table8", "vertical layering", "shared vs per-bit first/last layers", false},
      {"vl_table9", "vertical layering", "self-KD: none / KL / cosine", false},
      {"vl_fig5", "vertical layering", "weight histograms", false},
      {"vl_fig7", "vertical layering", "MGD alpha, gradient norms, activation error", false},
      {"vl_fig8", "vertical layering", "mixed precision from one model (Eq. 12)", false},
      {"amed_table1", "AMED", "accelerator configs", false},
      {"amed_table2", "AMED", "SCALE-Sim config: accuracy, latency, size", false},
      {"amed_table4", "AMED", "beta x eta ablation", false},
      {"amed_table5", "AMED", "Eyeriss v1 config", false},
      {"amed_table6", "AMED", "per-layer compute report", false},
      {"amed_fig_pareto", "AMED", "accuracy vs latency, Pareto front", false},
      {"amed_fig_bits", "AMED", "per-layer bit allocations", false},
      {"edge_table5", "accurate edge computing", "INQ 2-9 bits vs float (VGG-16)", false},
      {"edge_table6", "accurate edge computing", "ensembles, float and 8-bit", false},
      {"edge_table7", "accurate edge computing", "small VGGs: float, 4, 8 bits", false},
      {"edge_table1", "accurate edge computing", "FCN segmentation (SA/NT)", false},
      {"edge_table8", "accurate edge computing", "speech RNN with CTC", false},
      {"strata_speed", "strata", "engine throughput vs GEMM peak and PyTorch", false},
      {"strata_bits", "strata", "integer inference time per bit-width", false},
      {"strata_hwsim_validation", "strata", "hwsim vs SCALE-Sim v2", false},
  };
  return tables;
}

int Main(int argc, char** argv) {
  const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  const std::string root = ws ? ws : ".";
  std::string preset = "quick";
  std::string dir = root + "/reports/out";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--preset=", 0) == 0) {
      preset = arg.substr(9);
    } else if (arg.rfind("--out=", 0) == 0) {
      dir = arg.substr(6);
    } else if (arg.rfind("--threads=", 0) == 0) {
      const int threads = std::atoi(arg.c_str() + 10);
      if (threads < 1) {
        std::fprintf(stderr, "reports:all: flag --threads: value '%s' must be >= 1\n",
                     arg.c_str() + 10);
        return 2;
      }
      SetNumThreads(threads);
    } else if (arg != "--fresh") {
      std::fprintf(stderr,
                   "reports:all: unknown flag '%s' (known: --preset= --out= --threads= "
                   "--fresh)\n",
                   arg.c_str());
      return 2;
    }
  }
  if (preset != "smoke" && preset != "quick" && preset != "full" && preset != "paper") {
    std::fprintf(stderr,
                 "reports:all: flag --preset: value '%s' is not one of smoke, quick, full, "
                 "paper\n",
                 preset.c_str());
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();

  std::string md = "# strata report\n\npreset: `" + preset + "`\n\n";
  md += "| target | paper | what | status |\n|---|---|---|---|\n";
  int missing = 0;
  for (const TableEntry& t : Tables()) {
    md += std::string("| `") + t.target + "` | " + t.paper + " | " + t.what + " | " +
          (t.implemented ? "done" : "not implemented yet") + " |\n";
    if (!t.implemented) {
      ++missing;
      std::printf("%-26s not implemented yet\n", t.target);
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  md += "\n" + std::to_string(missing) + " of " + std::to_string(Tables().size()) +
        " targets not implemented yet. Total time " + std::to_string(seconds) + " s.\n";
  Status s = MakeDirs(dir);
  if (s.ok()) s = WriteFileAtomic(dir + "/REPORT.md", md);
  if (!s.ok()) {
    std::fprintf(stderr, "reports:all: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("wrote %s/REPORT.md\n", dir.c_str());
  return 0;
}

}  // namespace
}  // namespace strata

int main(int argc, char** argv) { return strata::Main(argc, argv); }
