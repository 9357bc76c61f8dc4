// vl_fig8 (vertical layering, seed 001 Sec. 6.4, Fig. 8): mixed precision from one once-QAT
// model (vl_table2's run). For each bit budget B, Eq. 12 picks every quantized layer's width
// from the model's widths (quant::SolveMixedPrecision on the downsampling errors); the mixed
// network and its BN decision: moo/train/mixed.h. Flag --bn_images=<n>: training images for
// the BN re-estimation (default 2000).
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "reports/plot.h"
#include "reports/tables.h"
#include "reports/vl/claims.h"

namespace strata {
namespace reports {
namespace {

using moo::MixedData;
using moo::MixedModel;

// Budgets as average bits per quantized weight (a preset may cut them short: Sweeps).
const std::vector<double> kAverageBits = {2.0, 2.25, 2.5, 2.75, 2.9, 3.0, 3.25, 3.5, 3.75, 4.0};

std::vector<PlannedRun> Plan(const TableContext&) {
  return {{"onceqat", catalog::OnceQat(catalog::kResNet18, catalog::kFamilyWidth, "us")}};
}

StatusOr<int> BnImages(const TableContext& ctx) {
  const auto it = ctx.flags.find("bn_images");
  if (it == ctx.flags.end()) return 2000;
  const std::string& v = it->second;
  char* end = nullptr;
  const long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < 1 || n > 1000000) {
    return InvalidArgumentError("--bn_images: '" + v + "' must be an integer in [1, 1000000]");
  }
  return static_cast<int>(n);
}

std::string Join(const std::vector<int>& v) {
  std::string s;
  for (int b : v) s += (s.empty() ? "" : " ") + std::to_string(b);
  return s;
}

struct Context {
  const MixedModel& m;
  MixedData* data;
  int images = 0;
  int64_t total = 0;                           // quantized weights
  double Kbit(int64_t quantized_bits) const {  // FP first/last at 32 bits
    return (quantized_bits + 32 * m.fp_weights) / 1e3;
  }
};

// One row per budget; the mixed points for the figure and the claims.
StatusOr<std::vector<vl::MixedPoint>> AddMixedRows(const TableInput& in, const Context& c,
                                                   TableReport* r) {
  const std::vector<quant::MixedLayer> layers = moo::MixedLayers(c.m);
  const auto& cut = in.preset().sweeps().mixed_average_bits();
  const std::vector<double> budgets =
      cut.empty() ? kAverageBits : std::vector<double>(cut.begin(), cut.end());
  std::vector<vl::MixedPoint> points;
  for (double avg : budgets) {
    const int64_t budget = static_cast<int64_t>(std::floor(avg * static_cast<double>(c.total)));
    STRATA_ASSIGN_OR_RETURN(quant::MixedAllocation a,
                            quant::SolveMixedPrecision(layers, moo::Widths(c.m), budget));
    STRATA_ASSIGN_OR_RETURN(double top1, moo::EvaluateMixed(c.m, c.data, a.bits, c.images));
    int count[3] = {0, 0, 0};
    for (int b : a.bits) count[std::clamp(b - 2, 0, 2)]++;
    Cells cells = {
        {"network", Text("mixed, B = " + std::to_string(budget))},
        {"avg bits", Number(avg)},
        {"weight size (kbit)", Number(c.Kbit(a.total_bits))},
        {"top-1", Number(top1)},
        {"Eq. 12 error", Number(a.error)},
        {"layers at 2/3/4", Text(std::to_string(count[0]) + "/" + std::to_string(count[1]) + "/" +
                                 std::to_string(count[2]))},
        {"bits per layer", Text(Join(a.bits))}};
    AddRunRow(r, cells, in.Run("onceqat"));  // every network comes from this run
    points.push_back({avg, top1, c.Kbit(a.total_bits)});
  }
  return points;
}

// Uniform widths: the run's own evaluation, the same network through the mixed path without
// re-estimation (the self-check: must reproduce it bit for bit), and re-estimated.
struct Uniform {
  Series trained{"uniform (trained BN of the width)", {}, {}, "points"};
  Series reestimated{"uniform (BN re-estimated)", {}, {}, "points"};
  std::vector<vl::SelfCheck> checks;
  double top1_3 = -INFINITY, kbit_3 = 0;  // uniform 3-bit: the better BN, its size
};
StatusOr<Uniform> AddUniformRows(const TableInput& in, const Context& c, TableReport* r) {
  Uniform u;
  for (int b : moo::Widths(c.m)) {
    const std::vector<int> all(c.m.layers.size(), b);
    const std::string wa = std::to_string(b) + "/" + std::to_string(b);
    const double own =
        EvalStats(in.Run("onceqat"), "w" + std::to_string(b) + "a" + std::to_string(b)).mean;
    STRATA_ASSIGN_OR_RETURN(double path, moo::EvaluateMixed(c.m, c.data, all, 0));
    STRATA_ASSIGN_OR_RETURN(double re, moo::EvaluateMixed(c.m, c.data, all, c.images));
    const double size = c.Kbit(c.total * b);
    u.checks.push_back({b, path, own});
    AddRow(r, {{"network", Text("uniform " + wa + " (trained BN)")},
               {"avg bits", Number(b)},
               {"weight size (kbit)", Number(size)},
               {"top-1", Number(own)}});
    AddRow(r, {{"network", Text("uniform " + wa + " (BN re-estimated)")},
               {"avg bits", Number(b)},
               {"weight size (kbit)", Number(size)},
               {"top-1", Number(re)}});
    u.trained.x.push_back(size), u.trained.y.push_back(own);
    u.reestimated.x.push_back(size), u.reestimated.y.push_back(re);
    if (b == 3) u.top1_3 = std::max(own, re), u.kbit_3 = size;
  }
  return u;
}

std::string Note(const MixedModel& m, int images) {
  return "strata: the once-QAT ResNet-18 of vl_table2 (CIFAR stem, 1/4 of the preset's width, "
         "US, compensation). Per budget B (average bits x the quantized weights), Eq. 12 solved "
         "exactly; layer m runs at W/A b_m/b_m with the model's width-b_m weights and activation "
         "step. BN: each site takes the trained variant of its layer's width, then its "
         "statistics are re-estimated on " +
         std::to_string(images) +
         " training images "
         "(eval pipeline, fixed shuffle, per-batch statistics averaged). Weight size = Σ N_m b_m "
         "+ 32 x the FP first/last weights. Site <- layer: " +
         moo::BnSiteMap(m) + ". paper: ImageNet ResNet-18 (seed 001 Fig. 8).";
}

Status Build(const TableInput& in, TableReport* r) {
  STRATA_ASSIGN_OR_RETURN(const int images, BnImages(in.ctx));
  STRATA_ASSIGN_OR_RETURN(MixedModel m, moo::LoadMixedModel(in.Run("onceqat").seeds.at(0).dir));
  STRATA_ASSIGN_OR_RETURN(MixedData data, moo::OpenMixedData(m));
  Context c{m, &data, images};
  for (int64_t n : m.sizes) c.total += n;
  r->set_note(Note(m, images));
  for (const char* col : {"network", "avg bits", "weight size (kbit)", "top-1", "Eq. 12 error",
                          "layers at 2/3/4", "bits per layer"}) {
    r->add_columns(col);
  }
  STRATA_ASSIGN_OR_RETURN(std::vector<vl::MixedPoint> mixed, AddMixedRows(in, c, r));
  STRATA_ASSIGN_OR_RETURN(Uniform u, AddUniformRows(in, c, r));
  Series line{"mixed (Eq. 12, BN re-estimated)", {}, {}, "linespoints"};
  for (const vl::MixedPoint& p : mixed) line.x.push_back(p.kbit), line.y.push_back(p.top1);
  Figure fig{"mixed precision from one once-QAT model (Eq. 12)", "weight size (kbit)", "top-1 (%)"};
  fig.series = {line, u.trained, u.reestimated};
  STRATA_RETURN_IF_ERROR(RenderFigure(fig, in.ctx.out_dir + "/vl_fig8"));
  r->add_figures("vl_fig8.png");
  r->add_figures("vl_fig8.svg");
  AddClaim(r, vl::kAccuracyRisesWithBudget, vl::AccuracyRisesWithBudget(mixed), in.preset());
  AddClaim(r, vl::kMixedBeatsUniform3, vl::MixedBeatsUniform3(mixed, u.top1_3, u.kbit_3),
           in.preset());
  AddClaim(r, vl::kMixedPathSelfCheck, vl::MixedPathSelfCheck(u.checks), in.preset());
  return Status::Ok();
}

}  // namespace

TableDef VlFig8() {
  return DefineTable(
      __FILE__, {Plan,
                 Build,
                 "mixed precision (Eq. 12)",
                 "mixed precision from one vertical-layered model (Eq. 12)",
                 {vl::kAccuracyRisesWithBudget, vl::kMixedBeatsUniform3, vl::kMixedPathSelfCheck},
                 {"bn_images"}});
}

}  // namespace reports
}  // namespace strata
