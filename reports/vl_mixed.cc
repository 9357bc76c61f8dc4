// vl_fig8 (vertical layering, seed 001 Sec. 6.4, Fig. 8): mixed precision from one once-QAT
// model. For each bit budget B, Eq. 12 picks every quantized layer's width b_m from the
// model's widths (quant::SolveMixedPrecision on the downsampling errors ‖ŵ_b − ŵ_N‖²); the
// mixed network runs layer m at W/A b_m/b_m with the model's own width-b_m weights (ŵ_b,
// Eqs. 3, 5, 6) and activation step; its BN statistics are re-estimated on training data.
//
// The mixed network and its BN decision: moo/train/mixed.h.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>

#include "datasets/datasets.h"
#include "quant/quant.h"
#include "reports/plot.h"
#include "reports/strata_tables.h"
#include "reports/vl_fig_tables.h"
#include "reports/vl_once_tables.h"
#include "moo/train/train.h"

namespace strata {
namespace reports {
namespace {

constexpr char kResNet18[] = "resnet18_cifar";
constexpr double kR18Width = 0.25;  // vl_table2's once-QAT run
// Budgets as average bits per quantized weight (smoke: a subset).
const std::vector<double> kAverageBits = {2.0, 2.25, 2.5, 2.75, 2.9, 3.0, 3.25, 3.5, 3.75, 4.0};
const std::vector<double> kSmokeAverageBits = {2.0, 2.5, 2.9, 3.5, 4.0};

using moo::EvaluateMixed;
using moo::MixedData;
using moo::MixedModel;

// Spearman's rank correlation (average ranks for ties).
double Spearman(const std::vector<double>& x, const std::vector<double>& y) {
  auto ranks = [](const std::vector<double>& v) {
    std::vector<double> r(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      double less = 0, equal = 0;
      for (double u : v) less += u < v[i], equal += u == v[i];
      r[i] = less + (equal + 1) / 2;
    }
    return r;
  };
  const std::vector<double> rx = ranks(x), ry = ranks(y);
  const double n = static_cast<double>(x.size());
  double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) mx += rx[i] / n, my += ry[i] / n;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (rx[i] - mx) * (ry[i] - my), sxx += (rx[i] - mx) * (rx[i] - mx);
    syy += (ry[i] - my) * (ry[i] - my);
  }
  return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0.0;
}

std::string Join(const std::vector<int>& v) {
  std::string s;
  for (int b : v) s += (s.empty() ? "" : " ") + std::to_string(b);
  return s;
}

}  // namespace

std::vector<PlannedRun> VlFig8Plan(const TableContext&) {
  return {{"onceqat", OnceQatConfig(kResNet18, kR18Width, "us", {})}};  // vl_table2's run
}

StatusOr<TableReport> VlFig8(const TableContext& ctx) {
  const TableDef& def = *FindTable("vl_fig8");
  STRATA_ASSIGN_OR_RETURN(std::vector<SeededRuns> runs, RunPlanned(def, ctx));
  int images = 2000;
  if (ctx.flags.count("bn_images")) {
    const std::string& v = ctx.flags.at("bn_images");
    char* end = nullptr;
    const long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n < 1 || n > 1000000) {
      return InvalidArgumentError("--bn_images: '" + v + "' must be an integer in [1, 1000000]");
    }
    images = static_cast<int>(n);
  }
  const RunRecord& record = runs[0].seeds.at(0);
  STRATA_ASSIGN_OR_RETURN(MixedModel m, moo::LoadMixedModel(record.dir));
  STRATA_ASSIGN_OR_RETURN(MixedData data, moo::OpenMixedData(m));
  const std::vector<int> widths = moo::Widths(m);
  const std::vector<quant::MixedLayer> layers = moo::MixedLayers(m);
  int64_t total = 0;
  for (int64_t n : m.sizes) total += n;
  auto size_of = [&](int64_t quantized_bits) {  // kbit, FP first/last at 32 bits
    return (quantized_bits + 32 * m.fp_weights) / 1e3;
  };
  TableReport r = NewReport("vl_fig8", ctx.preset, "vertical layering",
                            "mixed precision from one vertical-layered model (Eq. 12)");
  const std::string bn_map = moo::BnSiteMap(m);
  r.set_note(
      "strata: the once-QAT ResNet-18 of vl_table2 (CIFAR stem, 1/4 of the preset's width, "
      "US, compensation). Per budget B (average bits x the quantized weights), Eq. 12 solved "
      "exactly; layer m runs at W/A b_m/b_m with the model's width-b_m weights and activation "
      "step. BN: each site takes the trained variant of its layer's width, then its "
      "statistics are re-estimated on " +
      std::to_string(images) +
      " training images "
      "(eval pipeline, fixed shuffle, per-batch statistics averaged). Weight size = Σ N_m b_m "
      "+ 32 x the FP first/last weights. Site <- layer: " +
      bn_map + ". paper: ImageNet ResNet-18 (seed 001 Fig. 8).");
  for (const char* c : {"network", "avg bits", "weight size (kbit)", "top-1", "Eq. 12 error",
                        "layers at 2/3/4", "bits per layer"}) {
    r.add_columns(c);
  }
  Series mixed{"mixed (Eq. 12, BN re-estimated)", {}, {}, "linespoints"};
  Series uniform{"uniform (trained BN of the width)", {}, {}, "points"};
  Series uniform_re{"uniform (BN re-estimated)", {}, {}, "points"};
  std::vector<double> budgets, accs, sizes;
  for (double avg : ctx.preset == "smoke" ? kSmokeAverageBits : kAverageBits) {
    const int64_t budget = static_cast<int64_t>(std::floor(avg * static_cast<double>(total)));
    STRATA_ASSIGN_OR_RETURN(quant::MixedAllocation a,
                            quant::SolveMixedPrecision(layers, widths, budget));
    STRATA_ASSIGN_OR_RETURN(double top1, EvaluateMixed(m, &data, a.bits, images));
    int count[3] = {0, 0, 0};
    for (int b : a.bits) count[std::clamp(b - 2, 0, 2)]++;
    std::vector<std::pair<std::string, Cell>> cells = {
        {"network", Text("mixed, B = " + std::to_string(budget))},
        {"avg bits", Number(avg)},
        {"weight size (kbit)", Number(size_of(a.total_bits))},
        {"top-1", Number(top1)},
        {"Eq. 12 error", Number(a.error)},
        {"layers at 2/3/4", Text(std::to_string(count[0]) + "/" + std::to_string(count[1]) + "/" +
                                 std::to_string(count[2]))},
        {"bits per layer", Text(Join(a.bits))}};
    AddRunCells(runs[0], &cells);  // every network comes from this run
    AddRow(&r, cells);
    budgets.push_back(avg), accs.push_back(top1), sizes.push_back(size_of(a.total_bits));
    mixed.x.push_back(size_of(a.total_bits)), mixed.y.push_back(top1);
  }
  // Uniform widths: the run's own evaluation, the same network through the mixed path
  // without re-estimation (a self-check: must reproduce it bit for bit), and re-estimated.
  bool self_check = true;
  std::string self_ev;
  double uniform3 = -INFINITY, size3 = 0;
  for (int b : widths) {
    const std::vector<int> all(m.layers.size(), b);
    const double own = EvalStats(runs[0], "w" + std::to_string(b) + "a" + std::to_string(b)).mean;
    STRATA_ASSIGN_OR_RETURN(double path, EvaluateMixed(m, &data, all, 0));
    STRATA_ASSIGN_OR_RETURN(double re, EvaluateMixed(m, &data, all, images));
    const double size = size_of(total * b);
    self_check &= path == own;
    char ev[160];
    std::snprintf(ev, sizeof(ev), "%s%d bits: %.4f vs the run's %.4f", self_ev.empty() ? "" : "; ",
                  b, path, own);
    self_ev += ev;
    AddRow(&r, {{"network",
                 Text("uniform " + std::to_string(b) + "/" + std::to_string(b) + " (trained BN)")},
                {"avg bits", Number(b)},
                {"weight size (kbit)", Number(size)},
                {"top-1", Number(own)}});
    AddRow(&r, {{"network", Text("uniform " + std::to_string(b) + "/" + std::to_string(b) +
                                 " (BN re-estimated)")},
                {"avg bits", Number(b)},
                {"weight size (kbit)", Number(size)},
                {"top-1", Number(re)}});
    uniform.x.push_back(size), uniform.y.push_back(own);
    uniform_re.x.push_back(size), uniform_re.y.push_back(re);
    if (b == 3) uniform3 = std::max(own, re), size3 = size;
  }
  Figure fig{"mixed precision from one once-QAT model (Eq. 12)", "weight size (kbit)", "top-1 (%)"};
  fig.series = {mixed, uniform, uniform_re};
  STRATA_RETURN_IF_ERROR(RenderFigure(fig, ctx.out_dir + "/vl_fig8"));
  r.add_figures("vl_fig8.png");
  r.add_figures("vl_fig8.svg");

  const bool decided = ctx.preset != "smoke";
  const double rho = Spearman(budgets, accs);
  char ev[512];
  std::snprintf(ev, sizeof(ev),
                "Spearman rho(budget, top-1) = %.2f over %zu budgets; top-1 %.2f at "
                "%.2f avg bits, %.2f at %.2f",
                rho, accs.size(), accs.front(), budgets.front(), accs.back(), budgets.back());
  // Decision: "rises in general" = rank correlation >= 0.5 and the top budget beats the lowest.
  AddClaim(
      &r, "vl_fig8.accuracy_rises_with_budget",
      "accuracy rises with the bit budget (Spearman rho >= 0.5, largest budget above smallest)",
      decided ? std::optional<bool>(rho >= 0.5 && accs.back() > accs.front()) : std::nullopt, ev);
  int best = -1;
  for (size_t i = 0; i < accs.size(); ++i) {
    if (sizes[i] < size3 && accs[i] > uniform3 && (best < 0 || accs[i] > accs[best]))
      best = static_cast<int>(i);
  }
  if (best >= 0) {
    std::snprintf(ev, sizeof(ev),
                  "mixed at %.2f avg bits: %.2f %% with %.1f kbit vs uniform 3-bit %.2f %% "
                  "(the better of trained and re-estimated BN) with %.1f kbit",
                  budgets[best], accs[best], sizes[best], uniform3, size3);
  } else {
    std::snprintf(ev, sizeof(ev), "no mixed network below %.1f kbit beats uniform 3-bit's %.2f %%",
                  size3, uniform3);
  }
  AddClaim(&r, "vl_fig8.mixed_beats_uniform3_with_fewer_bits",
           "some mixed network beats uniform 3-bit with fewer bits",
           decided ? std::optional<bool>(best >= 0) : std::nullopt, ev);
  AddClaim(&r, "vl_fig8.mixed_path_self_check",
           "the mixed-network path at a uniform width (that width's BN, no re-estimation) "
           "reproduces the run's own test top-1 exactly",
           self_check, self_ev);
  return r;
}

}  // namespace reports
}  // namespace strata
