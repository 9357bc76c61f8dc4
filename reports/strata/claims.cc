// The claims of strata's own tables (claims.h).
#include "reports/strata/claims.h"

#include "reports/report_table.h"

namespace strata {
namespace reports {
namespace strata_tables {
namespace {

std::string Fmt(double v) { return FormatCell(Number(v)); }

const SpeedRow* Find(const std::vector<SpeedRow>& rows, const std::string& model,
                     const std::string& mode) {
  for (const SpeedRow& r : rows) {
    if (r.model == model && r.mode == mode) return &r;
  }
  return nullptr;
}

Verdict Undecided(std::string evidence) { return {std::nullopt, std::move(evidence)}; }

}  // namespace

// ---- strata_fp ----

const ClaimSpec kEveryFamilyLearns = {
    "strata_fp.every_family_learns",
    "every family learns Fashion-MNIST at this preset (test top-1 > 50 %, chance is 10 %)"};

Verdict EveryFamilyLearns(const std::vector<FamilyTop1>& families) {
  bool all_learn = true;
  std::string ev;
  for (size_t i = 0; i < families.size(); ++i) {
    all_learn &= families[i].top1 > 50;
    ev += std::string(i ? ", " : "") + families[i].model + " " + Fmt(families[i].top1) + " %";
  }
  return {all_learn, ev};
}

// ---- strata_hwsim_validation ----

const ClaimSpec kWorkedExample = {
    "strata_hwsim_validation.worked_example",
    "hwsim reproduces SCALE-Sim v2's printed numbers for HWSIM.md §6's layer under all five "
    "configurations",
    true};

Verdict WorkedExample(int equal, int total) {
  return {equal == total && total > 0,
          std::to_string(equal) + "/" + std::to_string(total) + " fields equal"};
}

const ClaimSpec kReferenceDir = {"strata_hwsim_validation.reference_dir",
                                 "hwsim reproduces the given SCALE-Sim reports field by field",
                                 true};

Verdict ReferenceDir(bool layers_match, int64_t equal, int64_t compared, double max_rel_diff) {
  return {layers_match && equal == compared,
          std::to_string(equal) + "/" + std::to_string(compared) +
              " fields equal, max relative difference " + Fmt(max_rel_diff)};
}

// ---- strata_speed ---- (the texts state the bars of claims.h; claims_test checks they agree)

const ClaimSpec kResnet20TrainVsPytorch = {
    "strata_speed.resnet20_train_vs_pytorch",
    "engine >= 0.8x PyTorch on resnet20_cifar training at batch 128", true};
const ClaimSpec kResnet20InferVsPytorch = {
    "strata_speed.resnet20_infer_vs_pytorch",
    "engine >= 0.8x PyTorch on resnet20_cifar inference at batch 128", true};

Verdict Resnet20VsPytorch(const std::vector<SpeedRow>& rows, const std::string& mode, int threads,
                          const std::string& caveat) {
  const SpeedRow* x = Find(rows, "resnet20_cifar", mode);
  if (x == nullptr) return Undecided("resnet20_cifar not measured");
  if (x->batch != 128)
    return Undecided("batch " + Fmt(x->batch) + " at this preset (quick/full: 128)");
  if (!x->pytorch_img_s) return Undecided(x->pytorch_error);
  return {x->ratio() >= kPytorchBar, "engine " + Fmt(x->engine_img_s) + " img/s vs PyTorch " +
                                         Fmt(*x->pytorch_img_s) + " img/s = " + Fmt(x->ratio()) +
                                         "x (" + Fmt(threads) + " threads)" + caveat};
}

const ClaimSpec kResnet20PctSgemm = {
    "strata_speed.resnet20_train_pct_sgemm",
    "engine training throughput of resnet20_cifar (batch 128) reaches >= 40 % of the sgemm "
    "peak measured in this run",
    true};

Verdict Resnet20PctSgemm(const std::vector<SpeedRow>& rows, double sgemm) {
  const SpeedRow* x = Find(rows, "resnet20_cifar", "train");
  if (x == nullptr) return Undecided("resnet20_cifar not measured");
  const double gflops = x->gflop_per_img * x->engine_img_s, pct = 100 * gflops / sgemm;
  const std::string evidence = Fmt(x->engine_img_s) + " img/s x " + Fmt(x->gflop_per_img) +
                               " GFLOP/img = " + Fmt(gflops) + " GFLOP/s = " + Fmt(pct) +
                               " % of sgemm's " + Fmt(sgemm) + " GFLOP/s";
  if (x->batch != 128) return Undecided("batch " + Fmt(x->batch) + ": " + evidence);
  return {pct >= kSgemmBarPct, evidence};
}

const ClaimSpec kSameShapes = {
    "strata_speed.same_shapes",
    "every network has the same parameter count in strata and in PyTorch", true};

Verdict SameShapes(const std::vector<SpeedRow>& rows) {
  int compared = 0, equal = 0;
  std::string mismatches;
  for (const SpeedRow& x : rows) {
    if (!x.pytorch_params) continue;
    ++compared;
    if (*x.pytorch_params == x.params) {
      ++equal;
    } else {
      mismatches += " " + x.model + " (" + Fmt(x.params) + " vs " +
                    Fmt(static_cast<double>(*x.pytorch_params)) + ")";
    }
  }
  Verdict v{std::nullopt, Fmt(equal) + " of " + Fmt(compared) + " rows compared agree" +
                              (mismatches.empty() ? "" : "; differ:" + mismatches)};
  if (compared) v.holds = equal == compared;
  return v;
}

const ClaimSpec kEveryModelTrainVsPytorch = {
    "strata_speed.every_model_train_vs_pytorch",
    "engine >= 0.8x PyTorch training throughput on every model", true};

Verdict EveryModelTrainVsPytorch(const std::vector<SpeedRow>& rows, int models,
                                 const std::string& caveat) {
  int trained = 0, at_bar = 0;
  std::string below;
  for (const SpeedRow& x : rows) {
    if (x.mode != "train" || !x.pytorch_img_s) continue;
    ++trained;
    at_bar += x.ratio() >= kPytorchBar;
    if (x.ratio() < kPytorchBar) below += " " + x.model + " " + Fmt(x.ratio()) + "x";
  }
  Verdict v{std::nullopt, Fmt(at_bar) + " of " + Fmt(trained) +
                              " models with a PyTorch number (of " + Fmt(models) + ") at the bar" +
                              (below.empty() ? "" : "; below:" + below) + (trained ? caveat : "")};
  if (trained == models) v.holds = at_bar == trained;
  return v;
}

const ClaimSpec kLsqStepOverhead = {
    "strata_speed.lsq_step_overhead",
    "an LSQ 4/4 training step of resnet20_cifar costs <= 1.3x an FP step at batch 128", true};
const ClaimSpec kOnceQatStepOverhead = {
    "strata_speed.onceqat_step_overhead",
    "a once-QAT training step (US, widths 2, 3, 4 bits) of resnet20_cifar costs <= 3.2x an "
    "FP step at batch 128",
    true};

Verdict StepOverhead(const std::vector<SpeedRow>& rows, const std::string& mode,
                     const std::string& label, double bar) {
  const SpeedRow* fp = Find(rows, "resnet20_cifar", "train");
  const SpeedRow* q = Find(rows, "resnet20_cifar", mode);
  if (fp == nullptr || q == nullptr) return Undecided("not measured");
  const double wall = fp->engine_img_s / q->engine_img_s;
  const double cpu = q->engine_cpu_ms / fp->engine_cpu_ms;
  const std::string evidence = label + "/FP per step: " + Fmt(wall) + "x wall, " + Fmt(cpu) +
                               "x CPU (" + Fmt(q->engine_img_s) + " vs " + Fmt(fp->engine_img_s) +
                               " img/s) at batch " + Fmt(fp->batch);
  if (fp->batch != 128) return Undecided(evidence);
  return {cpu <= bar, evidence};
}

}  // namespace strata_tables
}  // namespace reports
}  // namespace strata
