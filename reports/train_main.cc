// `bazel run //reports:train -- --config=<file.pbtxt> [--out=<dir>] [--resume] [--threads=N]
//      [--init=<weights.ckpt> [--pretrained_digest=<sha>]] [--code_version=<v>]
//      [--fashion_mnist_dir=<dir>]`
//
// A thin main over the training library (moo/train/train.h): runs one ExperimentConfig
// (moo/train/experiment.proto) and writes <out>/result.pb,
// <out>/result.json (RunResult) and <out>/weights.ckpt, checkpointing at every epoch into
// <out>. --resume continues from <out>'s last checkpoint. Default <out>:
// reports/out/runs/<config name> in the workspace. Relative paths are taken from the
// directory `bazel run` was started in.
//
// A config with a `pretrained` run starts from that run's weights: --init names them
// (the table runner and the Bazel run actions pass the pretrained run's weights.ckpt);
// without --init the pretrained run is trained first into <out>/pretrained.
// --code_version is recorded in the result (the runner passes the stamp it keys on).
// --fashion_mnist_dir fills the path of FASHION_MNIST datasets that name none (Bazel
// actions pass the dataset as an input, so remote executors need not have it installed).
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

#include "engine/engine.h"
#include "moo/train/train.h"

namespace strata {
namespace reports {
namespace {

using moo::ExperimentConfig;
using moo::RunResult;
using moo::TrainOptions;

struct Flags {
  std::string config, out, init, pretrained_digest, code_version, fashion_mnist_dir;
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
    } else if (const char* v = value("--init=")) {
      f->init = v;
    } else if (const char* v = value("--pretrained_digest=")) {
      f->pretrained_digest = v;
    } else if (const char* v = value("--code_version=")) {
      f->code_version = v;
    } else if (const char* v = value("--fashion_mnist_dir=")) {
      f->fashion_mnist_dir = v;
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

// Sets the path of FASHION_MNIST datasets that name none (also in pretrained runs).
void SetFashionMnistDir(const std::string& dir, ExperimentConfig* c) {
  for (datasets::DatasetConfig* d : {c->mutable_train_data(), c->mutable_test_data()}) {
    if (d->kind() == datasets::DatasetConfig::FASHION_MNIST && d->path().empty()) d->set_path(dir);
  }
  if (c->has_pretrained()) SetFashionMnistDir(dir, c->mutable_pretrained());
}

TrainOptions OptionsFor(const Flags& flags, const ExperimentConfig& config) {
  TrainOptions options;
  options.out_dir =
      flags.out.empty()
          ? WorkspaceRoot() + "/reports/out/runs/" +
                (config.name().empty() ? std::string("unnamed") : config.name())
          : UserPath(flags.out);
  options.resume = flags.resume;
  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  options.openblas_coretype = coretype ? coretype : "";
  options.code_version = flags.code_version;
  options.init_weights = UserPath(flags.init);
  options.pretrained_digest = flags.pretrained_digest;
  return options;
}

// Trains config's pretrained run into <out>/pretrained (resumable, like the run itself) and
// points *options at its weights.
Status TrainPretrainedFirst(const ExperimentConfig& config, TrainOptions* options) {
  TrainOptions pre = *options;
  pre.out_dir = options->out_dir + "/pretrained";
  pre.resume = true;
  std::printf("%s: training its pretrained run '%s' first into %s\n", config.name().c_str(),
              config.pretrained().name().c_str(), pre.out_dir.c_str());
  STRATA_ASSIGN_OR_RETURN(RunResult p, moo::RunExperiment(config.pretrained(), pre));
  options->init_weights = pre.out_dir + "/" + moo::kWeightsFile;
  options->pretrained_digest = p.param_digest();
  return Status::Ok();
}

int Main(int argc, char** argv) {
  Flags flags;
  std::string error;
  if (!ParseFlags(argc, argv, &flags, &error)) {
    std::fprintf(stderr,
                 "train: %s\nusage: train --config=<file.pbtxt> [--out=<dir>] [--resume] "
                 "[--threads=N] [--init=<weights.ckpt>] [--pretrained_digest=<sha>] "
                 "[--code_version=<v>] [--fashion_mnist_dir=<dir>]\n",
                 error.c_str());
    return 2;
  }
  StatusOr<ExperimentConfig> config =
      moo::LoadExperimentConfig(UserPath(flags.config));
  if (!config.ok()) {
    std::fprintf(stderr, "train: %s\n", config.status().ToString().c_str());
    return 1;
  }
  if (flags.threads > 0) config->set_threads(flags.threads);
  if (!flags.fashion_mnist_dir.empty()) {
    SetFashionMnistDir(UserPath(flags.fashion_mnist_dir), &*config);
  }
  TrainOptions options = OptionsFor(flags, *config);
  moo::ProgressPrinter printer(stdout, isatty(fileno(stdout)));
  options.progress = [&](const moo::ProgressState& p, bool end) { printer.Update(p, end); };
  if (config->has_pretrained() && options.init_weights.empty()) {
    const Status s = TrainPretrainedFirst(*config, &options);
    if (!s.ok()) {
      std::fprintf(stderr, "train: pretrained: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  StatusOr<RunResult> result = moo::RunExperiment(*config, options);
  if (!result.ok()) {
    std::fprintf(stderr, "train: %s\n", result.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "%s: test top-1 %.2f%%  top-5 %.2f%%  %d epochs  %s%s\nparam digest %s\nwrote "
      "%s/{result.pb,result.json,weights.ckpt}\n",
      config->name().c_str(), result->final_test_top1(), result->final_test_top5(),
      result->epochs_size(), moo::FormatDuration(result->wall_seconds()).c_str(),
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
