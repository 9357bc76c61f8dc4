// `bazel run //reports:train -- --config=<file.pbtxt> [--out=<dir>] [--resume] [--threads=N]`
//
// Runs one ExperimentConfig (reports/experiment.proto) and writes <out>/result.pb and
// <out>/result.json (RunResult), checkpointing at every epoch into <out>. --resume continues
// from <out>'s last checkpoint. Default <out>: reports/out/runs/<config name> in the
// workspace. Relative paths are taken from the directory `bazel run` was started in.
//
// OpenBLAS picks its kernel family when it loads, so when OPENBLAS_CORETYPE is unset the
// binary sets it to Haswell and re-executes itself (DESIGN.md principle 2); the value is
// recorded in the RunResult. It also defaults OMP_WAIT_POLICY to PASSIVE: on a shared
// 2-core machine spinning OpenMP workers burned ~60 % of the process's CPU time in
// libgomp (perf) and halved training throughput; results do not depend on it. Exit codes: 0 done (a
// diverged run included), 1 error, 2 usage.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "reports/progress.h"
#include "reports/trainer.h"

namespace strata {
namespace reports {
namespace {

struct Flags {
  std::string config, out;
  bool resume = false;
  int threads = -1;
};

bool ParseFlags(int argc, char** argv, Flags* f, std::string* error) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* name) -> const char* {
      const size_t n = std::strlen(name);
      return a.compare(0, n, name) == 0 ? a.c_str() + n : nullptr;
    };
    if (const char* v = value("--config=")) {
      f->config = v;
    } else if (const char* v = value("--out=")) {
      f->out = v;
    } else if (a == "--resume") {
      f->resume = true;
    } else if (const char* v = value("--threads=")) {
      char* end = nullptr;
      const long t = std::strtol(v, &end, 10);
      if (*v == '\0' || *end != '\0' || t < 1 || t > 1024) {
        *error = "--threads: '" + std::string(v) + "' is not a thread count in [1, 1024]";
        return false;
      }
      f->threads = static_cast<int>(t);
    } else {
      *error = "unknown flag '" + a + "'";
      return false;
    }
  }
  if (f->config.empty()) *error = "--config=<file.pbtxt> is required";
  return error->empty();
}

std::string FromDir(const char* env, const std::string& path) {
  const char* dir = std::getenv(env);
  if (path.empty() || path[0] == '/' || dir == nullptr) return path;
  return std::string(dir) + "/" + path;
}

int Main(int argc, char** argv) {
  Flags flags;
  std::string error;
  if (!ParseFlags(argc, argv, &flags, &error)) {
    std::fprintf(stderr,
                 "train: %s\nusage: train --config=<file.pbtxt> [--out=<dir>] "
                 "[--resume] [--threads=N]\n",
                 error.c_str());
    return 2;
  }
  StatusOr<ExperimentConfig> config =
      LoadExperimentConfig(FromDir("BUILD_WORKING_DIRECTORY", flags.config));
  if (!config.ok()) {
    std::fprintf(stderr, "train: %s\n", config.status().ToString().c_str());
    return 1;
  }
  if (flags.threads > 0) config->set_threads(flags.threads);
  TrainOptions options;
  options.out_dir =
      flags.out.empty()
          ? FromDir("BUILD_WORKSPACE_DIRECTORY",
                    "reports/out/runs/" +
                        (config->name().empty() ? std::string("unnamed") : config->name()))
          : FromDir("BUILD_WORKING_DIRECTORY", flags.out);
  options.resume = flags.resume;
  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  options.openblas_coretype = coretype ? coretype : "";
  ProgressPrinter printer(stdout, isatty(fileno(stdout)));
  options.progress = [&](const ProgressState& p, bool end) { printer.Update(p, end); };
  StatusOr<RunResult> result = RunExperiment(*config, options);
  if (!result.ok()) {
    std::fprintf(stderr, "train: %s\n", result.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "%s: test top-1 %.2f%%  top-5 %.2f%%  %d epochs  %s%s\nparam digest %s\nwrote "
      "%s/result.{pb,json}\n",
      config->name().c_str(), result->final_test_top1(), result->final_test_top5(),
      result->epochs_size(), FormatDuration(result->wall_seconds()).c_str(),
      result->diverged() ? "  DIVERGED" : "", result->param_digest().c_str(),
      options.out_dir.c_str());
  return 0;
}

}  // namespace
}  // namespace reports
}  // namespace strata

int main(int argc, char** argv) {
  // Both are read when OpenBLAS and libgomp load: set them, then restart this binary.
  const bool pin_blas = std::getenv("OPENBLAS_CORETYPE") == nullptr;
  const bool pin_omp = std::getenv("OMP_WAIT_POLICY") == nullptr;
  if (pin_blas) setenv("OPENBLAS_CORETYPE", "Haswell", 1);
  if (pin_omp) setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  if (pin_blas || pin_omp) {
    execv("/proc/self/exe", argv);
    std::perror("train: re-exec with OPENBLAS_CORETYPE/OMP_WAIT_POLICY failed; continuing");
    if (pin_blas) unsetenv("OPENBLAS_CORETYPE");
  }
  return strata::reports::Main(argc, argv);
}
