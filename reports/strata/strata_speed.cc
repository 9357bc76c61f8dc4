// strata_speed (TABLES.md, "Beyond the papers"): the engine's training and inference
// throughput on every model family the papers use, at CIFAR-sized inputs (3x32x32, 10
// classes, width 1), against
//   * the machine's sgemm peak, measured in the same run through the engine's GEMM
//     (moo::SgemmGflops; best of a few repetitions), and
//   * PyTorch on the same machine in the same run (pytorch.h), right after the engine's
//     measurement of each row, with the same thread count and network shapes (both
//     parameter counts are in the row; a mismatch is an error in the row, never a
//     comparison).
// Train step = the loop's TrainStep (zero grads + recipe step + SGD, momentum 0.9, weight
// decay 5e-4); infer = eval-mode forward under no-grad (moo/train/throughput.h). Each row is
// the median over timed steps after warm-up steps; the preset's `speed` sets the batch
// sizes, the repetitions and the GEMM size.
//
// Table flags: --python=<interpreter> (default /usr/bin/python3; "none" skips PyTorch) and
// --models=<row>,<row>,... (a subset of the rows, e.g. --models=resnet20_cifar).
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "reports/plot.h"
#include "reports/strata/claims.h"
#include "reports/strata/pytorch.h"
#include "reports/tables.h"

namespace strata {
namespace reports {
namespace {

using namespace strata_tables;  // NOLINT: this table's claims and PyTorch runner
using moo::Timing;

constexpr int kInputSize = 32;  // CIFAR-sized: 3x32x32, 10 classes
constexpr char kLsqMode[] = "train_lsq_w4a4";
constexpr char kOnceQatMode[] = "train_onceqat_us_w2-4";

struct ModelRow {
  const char* row;    // the table's name for it
  const char* model;  // models::Build name
  int own_batch;      // heavy networks get smaller batches when the preset says batch 0
};

constexpr ModelRow kModels[] = {
    {"resnet20_cifar", "resnet20", 128},
    {"resnet18_cifar", "resnet18_cifar", 32},
    {"resnet34_cifar", "resnet34_cifar", 16},
    {"resnet50_cifar", "resnet50_cifar", 16},
    {"mobilenetv2_cifar", "mobilenetv2_cifar", 64},
    {"vgg16_bn", "vgg16_bn", 32},
    {"vgg16_bn_small5", "vgg16_bn_small5", 64},
    {"vgg16_bn_small8", "vgg16_bn_small8", 64},
};

struct RowPlan {
  std::string row, model;
  int batch = 0;
};

StatusOr<std::vector<std::string>> SelectedRows(const TableContext& ctx) {
  std::vector<std::string> all;
  for (const ModelRow& m : kModels) all.push_back(m.row);
  const auto it = ctx.flags.find("models");
  if (it == ctx.flags.end() || it->second.empty()) return all;
  std::vector<std::string> chosen;
  std::stringstream list(it->second);
  for (std::string name; std::getline(list, name, ',');) {
    if (std::find(all.begin(), all.end(), name) == all.end()) {
      std::string known;
      for (const std::string& a : all) known += " " + a;
      return InvalidArgumentError("flag --models: unknown row '" + name + "' (known:" + known +
                                  ")");
    }
    chosen.push_back(name);
  }
  return chosen;
}

StatusOr<std::vector<RowPlan>> PlanRows(const TableContext& ctx) {
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> chosen, SelectedRows(ctx));
  const Preset::Speed& speed = ctx.preset_config.speed();
  std::vector<RowPlan> rows;
  for (const ModelRow& m : kModels) {
    if (std::find(chosen.begin(), chosen.end(), m.row) == chosen.end()) continue;
    // first_model_only: ResNet-20 alone unless --models asks for more.
    if (speed.first_model_only() && chosen.size() == std::size(kModels) && rows.size() == 1) break;
    rows.push_back({m.row, m.model, speed.batch() > 0 ? speed.batch() : m.own_batch});
  }
  return rows;
}

moo::Repetitions Training(const Preset::Speed& s) { return {s.warmup(), s.reps()}; }
moo::Repetitions Inference(const Preset::Speed& s) { return {s.warmup(), 3 * s.reps()}; }

StatusOr<std::unique_ptr<models::Network>> BuildCifar(const std::string& name,
                                                      int bn_variants = 1) {
  models::ModelSpec spec;
  spec.name = name, spec.in_channels = 3, spec.num_classes = 10;
  spec.input_size = kInputSize, spec.seed = 1, spec.bn_variants = bn_variants;
  return models::Build(spec);
}

struct RowResult {
  RowPlan plan;
  std::string mode;
  int64_t params = 0;
  double gflop_per_img = 0;
  Timing engine;
  PytorchRun pytorch;
  bool has_pytorch() const { return pytorch.error.empty(); }
  double ratio() const { return engine.img_s / pytorch.img_s; }
};

// The numbers the claims read.
SpeedRow ForClaims(const RowResult& x) {
  SpeedRow s;
  s.model = x.plan.row, s.mode = x.mode, s.batch = x.plan.batch;
  s.engine_img_s = x.engine.img_s, s.engine_cpu_ms = x.engine.cpu_ms;
  s.gflop_per_img = x.gflop_per_img, s.params = x.params;
  if (x.has_pytorch()) s.pytorch_img_s = x.pytorch.img_s;
  s.pytorch_params = x.pytorch.params;
  s.pytorch_error = x.pytorch.error;
  return s;
}

// The QAT rows of ResNet-20: LSQ 4/4 and once-QAT (2, 3, 4 bits, a BN per width) steps.
StatusOr<std::vector<RowResult>> MeasureQat(const RowPlan& row, const models::Network& net,
                                            const Tensor& x, const std::vector<int32_t>& labels,
                                            const Preset::Speed& speed) {
  std::vector<RowResult> out;
  RowResult res;
  res.plan = row, res.mode = kLsqMode, res.params = net.NumParameters();
  res.gflop_per_img = moo::ForwardGflopPerImage(net) * 3;
  moo::PrecisionPlan precision;
  precision.w_bits = 4, precision.a_bits = 4;
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<moo::LsqRecipe> lsq,
                          moo::LsqRecipe::Create(precision, net));
  STRATA_ASSIGN_OR_RETURN(res.engine,
                          moo::TimeTraining(net, lsq.get(), x, labels, Training(speed), 0.001f));
  res.pytorch.error = "no PyTorch LSQ reference (PyTorch has no LSQ quantizer)";
  out.push_back(res);
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<models::Network> multi,
                          BuildCifar(row.model, moo::OnceQatOptions().bn_variants()));
  res.mode = kOnceQatMode, res.params = multi->NumParameters();
  res.gflop_per_img = 3 * moo::ForwardGflopPerImage(net) * 3;  // three widths
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<moo::OnceQatRecipe> once,
                          moo::OnceQatRecipe::Create(moo::OnceQatOptions(), *multi));
  STRATA_ASSIGN_OR_RETURN(
      res.engine, moo::TimeTraining(*multi, once.get(), x, labels, Training(speed), 0.001f));
  res.pytorch.error = "no PyTorch once-QAT reference";
  out.push_back(res);
  return out;
}

StatusOr<std::vector<RowResult>> MeasureModel(const RowPlan& row, const Preset::Speed& speed,
                                              Pytorch* py) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<models::Network> net, BuildCifar(row.model));
  Tensor x = Tensor::Empty({row.batch, 3, kInputSize, kInputSize});
  const Philox rng(1, Stream("strata_speed.x"));
  for (int64_t i = 0; i < x.numel(); ++i) x.data()[i] = rng.Normal(i);
  std::vector<int32_t> labels(row.batch);
  for (int i = 0; i < row.batch; ++i) labels[i] = i % 10;
  std::vector<RowResult> out;
  for (const char* mode : {"train", "infer"}) {
    RowResult res;
    res.plan = row, res.mode = mode, res.params = net->NumParameters();
    const bool train = res.mode == "train";
    res.gflop_per_img = moo::ForwardGflopPerImage(*net) * (train ? 3 : 1);  // fwd, bwd-data, bwd-w
    if (train) {
      moo::FpRecipe fp;
      STRATA_ASSIGN_OR_RETURN(res.engine,
                              moo::TimeTraining(*net, &fp, x, labels, Training(speed), 0.01f));
    } else {
      res.engine = moo::TimeInference(*net, x, Inference(speed));
    }
    res.pytorch = RunPytorch(py, {row.model, mode, row.batch, speed.warmup(),
                                  train ? speed.reps() : 3 * speed.reps(), kInputSize, res.params});
    out.push_back(res);
  }
  if (row.row == "resnet20_cifar") {  // the QAT rows on the same network
    STRATA_ASSIGN_OR_RETURN(std::vector<RowResult> qat, MeasureQat(row, *net, x, labels, speed));
    out.insert(out.end(), qat.begin(), qat.end());
  }
  return out;
}

std::string Fmt(double v) { return FormatCell(Number(v)); }
Cell OrNull(bool ok, double v) { return ok ? Number(v) : Null(); }

void AddResultRow(TableReport* r, const RowResult& x, double sgemm_gflops) {
  const bool py = x.has_pytorch();
  const double gflops = x.gflop_per_img * x.engine.img_s;
  AddRow(r, {{"model", Text(x.plan.row)},
             {"mode", Text(x.mode)},
             {"batch", Number(x.plan.batch)},
             {"input", Text("3x32x32")},
             {"threads", Number(NumThreads())},
             {"engine_img_s", Number(x.engine.img_s)},
             {"engine_img_s_min", Number(x.engine.img_s_min)},
             {"engine_img_s_max", Number(x.engine.img_s_max)},
             {"engine_cpu_ms", Number(x.engine.cpu_ms)},
             {"pytorch_img_s", OrNull(py, x.pytorch.img_s)},
             {"pytorch_img_s_min", OrNull(py, x.pytorch.img_s_min)},
             {"pytorch_img_s_max", OrNull(py, x.pytorch.img_s_max)},
             {"pytorch_cpu_ms", OrNull(py, x.pytorch.cpu_ms)},
             {"engine_vs_pytorch", OrNull(py, x.ratio())},
             {"gflop_per_img", Number(x.gflop_per_img)},
             {"engine_gflop_s", Number(gflops)},
             {"engine_pct_sgemm", Number(100 * gflops / sgemm_gflops)},
             {"strata_params", Number(static_cast<double>(x.params))},
             {"pytorch_params",
              x.pytorch.params ? Number(static_cast<double>(*x.pytorch.params)) : Null()},
             {"pytorch_note", Text(py ? "torch " + x.pytorch.torch_version : x.pytorch.error)}});
}

// Bars of engine / PyTorch images/s per model (train and infer), with the parity line.
Status RenderRatioFigure(const std::vector<RowResult>& rows, const std::string& base) {
  Figure f{"strata engine / PyTorch, images/s (same machine, same run)", "", "ratio"};
  Series train{"train", {}, {}, "impulses lw 14"}, infer{"infer", {}, {}, "impulses lw 14"};
  std::vector<std::string> names;
  for (const RowResult& x : rows) {
    if (std::find(names.begin(), names.end(), x.plan.row) == names.end()) {
      names.push_back(x.plan.row);
    }
    if (!x.has_pytorch()) continue;
    Series& s = x.mode == "train" ? train : infer;
    s.x.push_back(names.size() + (x.mode == "train" ? -0.15 : 0.15));
    s.y.push_back(x.ratio());
  }
  for (size_t i = 0; i < names.size(); ++i) {
    std::string label = names[i];  // short enough for one line under the plot
    if (label.size() > 6 && label.substr(label.size() - 6) == "_cifar")
      label.resize(label.size() - 6);
    if (label.rfind("vgg16_bn_", 0) == 0) label = label.substr(9);
    f.xlabel += (i ? "   " : "") + Fmt(i + 1) + " " + label;
  }
  const double right = names.size() + 0.5;
  f.series = {train,
              infer,
              {"parity", {0.5, right}, {1, 1}, "lines dt 2 lc 'black'"},
              {"", {0.5}, {0}, "dots"}};  // keeps y = 0 in the autoscaled range
  STRATA_RETURN_IF_ERROR(MakeDirs(base.substr(0, base.rfind('/'))));
  return RenderFigure(f, base);
}

double LoadAverage() {
  double load = -1;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &load) != 1) load = -1;
    std::fclose(f);
  }
  return load;
}

// Empty on a quiet machine; else why its engine/PyTorch ratios flatter the engine. Other
// work: the load average before the run, or at its end less the run's own threads.
std::string LoadCaveat(double load0, double load1) {
  const long cores = ::sysconf(_SC_NPROCESSORS_ONLN);
  const double others = std::max(load0, load1 - NumThreads());
  if (others <= 0.5 * cores) return "";
  return "; measured beside other work (load average about " + Fmt(std::round(others * 10) / 10) +
         " besides this run, " + Fmt(cores) + " cores), where PyTorch's spinning OpenMP threads " +
         "lose more than the engine's (benchmarks/README.md): rerun on a quiet machine or with " +
         "OMP_WAIT_POLICY=passive";
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return std::string(name) + "=" + (v ? v : "(unset)");
}

std::string Note(const Preset::Speed& plan, const Pytorch& py, const double sgemm[2], double load0,
                 double load1) {
  std::ostringstream n;
  n << "Engine: " << NumThreads() << " threads (" << Env("OMP_WAIT_POLICY") << ", "
    << Env("OPENBLAS_CORETYPE") << "); sgemm " << plan.gemm_n() << "^3 through the engine's "
    << "GEMM, best of " << plan.gemm_reps()
    << " at the start and at the end of the run: " << Fmt(sgemm[0]) << " and " << Fmt(sgemm[1])
    << " GFLOP/s (engine_pct_sgemm is against "
    << "the higher). PyTorch: "
    << (py.version.empty() ? (py.unavailable.empty() ? "see pytorch_note" : py.unavailable)
                           : "torch " + py.version + " via " + py.python + " " + kPytorchScript +
                                 ", same threads and shapes, run right after each engine row")
    << ". Inputs 3x32x32 (normal noise), 10 classes, width 1. Train = zero grads + forward + "
    << "cross-entropy + backward + SGD (momentum 0.9, wd 5e-4); infer = eval-mode forward, "
    << "no grad. Median of " << plan.reps() << " timed steps (inference " << 3 * plan.reps()
    << ") after " << plan.warmup() << " warm-up. gflop_per_img: conv and linear multiply-adds "
    << "x 2, x 3 for training (forward, backward-data, backward-weight). Load average "
    << Fmt(load0) << " at the start, " << Fmt(load1) << " at the end, on "
    << ::sysconf(_SC_NPROCESSORS_ONLN) << " cores: on a shared machine compare the ratios "
    << "(measured back to back), not the absolute numbers.";
  return n.str();
}

// Every row measured, PyTorch right after the engine; the sgemm ceiling at both ends.
struct Measured {
  std::vector<RowResult> rows;
  double sgemms[2] = {0, 0};
  double sgemm() const { return std::max(sgemms[0], sgemms[1]); }
};
StatusOr<Measured> MeasureAll(const std::vector<RowPlan>& plan, const Preset::Speed& speed,
                              Pytorch* py) {
  Measured m;
  m.sgemms[0] = moo::SgemmGflops(speed.gemm_n(), speed.gemm_reps());
  for (const RowPlan& row : plan) {
    STRATA_ASSIGN_OR_RETURN(std::vector<RowResult> measured, MeasureModel(row, speed, py));
    m.rows.insert(m.rows.end(), measured.begin(), measured.end());
    TrimStoragePool();  // the next network starts from an empty pool (and frees memory)
  }
  // Again at the end: on a shared machine the best of both is the better peak estimate.
  m.sgemms[1] = moo::SgemmGflops(speed.gemm_n(), speed.gemm_reps());
  return m;
}

void AddClaims(const TableInput& in, const std::vector<SpeedRow>& rows, double sgemm,
               const std::string& caveat, TableReport* r) {
  AddClaim(r, kResnet20TrainVsPytorch, Resnet20VsPytorch(rows, "train", NumThreads(), caveat),
           in.preset());
  AddClaim(r, kResnet20InferVsPytorch, Resnet20VsPytorch(rows, "infer", NumThreads(), caveat),
           in.preset());
  AddClaim(r, kResnet20PctSgemm, Resnet20PctSgemm(rows, sgemm), in.preset());
  AddClaim(r, kSameShapes, SameShapes(rows), in.preset());
  AddClaim(r, kEveryModelTrainVsPytorch,
           EveryModelTrainVsPytorch(rows, static_cast<int>(std::size(kModels)), caveat),
           in.preset());
  AddClaim(r, kLsqStepOverhead, StepOverhead(rows, kLsqMode, "LSQ", kLsqOverheadBar), in.preset());
  AddClaim(r, kOnceQatStepOverhead, StepOverhead(rows, kOnceQatMode, "once-QAT", kOnceQatBar),
           in.preset());
}

Status Build(const TableInput& in, TableReport* r) {
  STRATA_ASSIGN_OR_RETURN(std::vector<RowPlan> plan, PlanRows(in.ctx));
  const Preset::Speed& speed = in.preset().speed();
  Pytorch py = FindPytorch(in.ctx);
  for (const char* c :
       {"model", "mode", "batch", "input", "threads", "engine_img_s", "pytorch_img_s",
        "engine_vs_pytorch", "gflop_per_img", "engine_gflop_s", "engine_pct_sgemm", "engine_cpu_ms",
        "pytorch_cpu_ms", "strata_params", "pytorch_params", "pytorch_note"}) {
    r->add_columns(c);
  }
  const double load0 = LoadAverage();
  STRATA_ASSIGN_OR_RETURN(const Measured m, MeasureAll(plan, speed, &py));
  const std::string n = Fmt(speed.gemm_n());
  AddRow(r, {{"model", Text("sgemm")},
             {"mode", Text("gemm")},
             {"input", Text(n + "x" + n + "x" + n)},
             {"threads", Number(NumThreads())},
             {"engine_gflop_s", Number(m.sgemm())},
             {"engine_pct_sgemm", Number(100)}});
  std::vector<SpeedRow> rows;
  for (const RowResult& x : m.rows) AddResultRow(r, x, m.sgemm()), rows.push_back(ForClaims(x));
  const double load1 = LoadAverage();
  const std::string caveat = LoadCaveat(load0, load1);
  std::string note = Note(speed, py, m.sgemms, load0, load1);
  AddClaims(in, rows, m.sgemm(), caveat, r);
  const bool any_ratio =
      std::any_of(m.rows.begin(), m.rows.end(), [](const RowResult& x) { return x.has_pytorch(); });
  if (any_ratio && !caveat.empty()) note += " Ratios " + caveat.substr(2) + ".";
  if (in.preset().curve_figures() && any_ratio) {
    const Status s = RenderRatioFigure(m.rows, in.ctx.out_dir + "/strata_speed");
    if (s.ok()) {
      r->add_figures("strata_speed.png");
      r->add_figures("strata_speed.svg");
    } else {
      note += " Figure not rendered: " + s.ToString();
    }
  }
  r->set_note(note);
  return Status::Ok();
}

}  // namespace

TableDef StrataSpeed() {
  return DefineTable(
      __FILE__, {nullptr,
                 Build,
                 "engine speed vs GEMM peak and PyTorch",
                 "Engine speed vs the machine's GEMM peak and PyTorch",
                 {kResnet20TrainVsPytorch, kResnet20InferVsPytorch, kResnet20PctSgemm, kSameShapes,
                  kEveryModelTrainVsPytorch, kLsqStepOverhead, kOnceQatStepOverhead},
                 {"python", "models"}});
}

}  // namespace reports
}  // namespace strata
