// vl_fig5 (vertical layering, seed 001 Fig. 5): one layer's weight histograms at 2, 3 and 4
// bits for per-bit LSQ, 4-bit LSQ with plain downsampling, and once-QAT (vl_table2's runs).
// Flag --layer=<name>: the layer shown (default layer2.1.conv1).
#include <algorithm>
#include <cmath>
#include <map>

#include "reports/plot.h"
#include "reports/tables.h"
#include "reports/vl/claims.h"

namespace strata {
namespace reports {
namespace {

using catalog::kPaperWidths;
const char* const kMethods[] = {"per-bit LSQ", "QAT + plain downsampling", "once-QAT"};

std::vector<PlannedRun> Plan(const TableContext&) {
  std::vector<PlannedRun> plan;  // vl_table2's runs: the cache serves them
  for (int b : kPaperWidths)
    plan.push_back(
        {"lsq_w" + std::to_string(b), catalog::Lsq(catalog::kResNet18, catalog::kFamilyWidth, b)});
  plan.push_back({"onceqat", catalog::OnceQat(catalog::kResNet18, catalog::kFamilyWidth, "us")});
  return plan;
}

// One layer's weights at one width: codes, dequantized values and the latent FP weights.
struct Quantized {
  std::vector<int32_t> codes;
  std::vector<float> values, latent;
};

struct Facts {
  vl::Histogram h;                 // shares (%) of ŵ <= 0 and ŵ > 0; mean(ŵ - w) / std(w)
  std::map<int32_t, double> hist;  // code -> share
  std::vector<double> standard;    // ŵ / std(w), sorted
};

Facts Measure(const Quantized& q) {
  Facts f;
  double sum_err = 0, sum_w = 0, sum_w2 = 0;
  const double n = static_cast<double>(q.values.size());
  for (size_t i = 0; i < q.values.size(); ++i) {
    f.h.le_zero += q.values[i] <= 0, f.h.pos += q.values[i] > 0;
    sum_err += static_cast<double>(q.values[i]) - q.latent[i];
    sum_w += q.latent[i], sum_w2 += static_cast<double>(q.latent[i]) * q.latent[i];
    f.hist[q.codes[i]] += 1.0 / n;
  }
  f.h.le_zero *= 100.0 / n, f.h.pos *= 100.0 / n;
  const double var = std::max(0.0, sum_w2 / n - (sum_w / n) * (sum_w / n));
  const double sd = std::max(std::sqrt(var), 1e-12);
  f.h.bias = sum_err / n / sd;
  for (float v : q.values) f.standard.push_back(v / sd);
  std::sort(f.standard.begin(), f.standard.end());
  return f;
}

// Wasserstein-1 distance between two histograms of standardized weights (ŵ / std(w) of each
// run's own latent weights): ∫ |F_a − F_b|, for equal counts the mean gap of the sorted
// values. It compares histograms whose levels differ (own steps, compensation offsets).
double Wasserstein1(const std::vector<double>& a, const std::vector<double>& b) {
  CHECK_EQ(a.size(), b.size()) << "Wasserstein1: one layer, equal counts";
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += std::fabs(a[i] - b[i]);
  return sum / std::max<size_t>(1, a.size());
}

Quantized FromCodes(std::vector<int32_t> codes, const Tensor& w, float s_w, int n, int b,
                    bool comp) {
  Quantized q;
  const Tensor v = quant::VerticalDequantize(codes, w.shape(), s_w, n, b, comp);
  q.codes = std::move(codes);
  q.values.assign(v.data(), v.data() + v.numel());
  q.latent.assign(w.data(), w.data() + w.numel());
  return q;
}

// An LSQ run's latent weight and step of `layer` ("<layer>.weight", "<layer>.w_step").
struct LsqLayer {
  Tensor w;
  float step = 0;
};
StatusOr<LsqLayer> LoadLsqLayer(const RunRecord& run, const std::string& layer) {
  STRATA_ASSIGN_OR_RETURN(moo::LoadedRun loaded, moo::LoadRun(run.dir));
  const models::Layer* l = loaded.net->FindLayer(layer);
  const Tensor* step = loaded.recipe->Parameters().Find(layer + ".w_step");
  if (l == nullptr || step == nullptr) {
    return InvalidArgumentError(run.dir + ": LSQ run without a quantized layer '" + layer + "'");
  }
  return LsqLayer{l->weight(), step->data()[0]};
}

// [method][width]: 0 = per-bit LSQ, 1 = 4-bit LSQ + plain downsampling, 2 = once-QAT; and
// the top-1 of each (plain downsampling only at 4 bits: it is 4-bit LSQ there).
struct Weights {
  std::map<int, Quantized> data[3];
  double top1[3][3];
};
StatusOr<Weights> LayerWeights(const TableInput& in, const OnceQatRun& once, int q,
                               const std::string& layer) {
  const Tensor& w_once = once.net->layers()[once.recipe->quantized_layers()[q]]->weight();
  const moo::OnceQatOptions& o = once.recipe->options();
  const float s_once = once.recipe->source_step(q).data()[0];
  STRATA_ASSIGN_OR_RETURN(LsqLayer lsq4, LoadLsqLayer(in.Run("lsq_w4").seeds.at(0), layer));
  Weights out;
  for (int k = 0; k < 3; ++k) {
    const int b = kPaperWidths[k];
    const SeededRuns& run = in.Run("lsq_w" + std::to_string(b));
    STRATA_ASSIGN_OR_RETURN(LsqLayer lsq, LoadLsqLayer(run.seeds.at(0), layer));
    // LSQ's q_b = clip(round(w / s_b)) is VerticalCodes at b = N, no compensation (Eq. 1).
    out.data[0][b] =
        FromCodes(quant::VerticalCodes(lsq.w, lsq.step, b, b), lsq.w, lsq.step, b, b, false);
    out.data[1][b] =
        FromCodes(quant::VerticalCodes(lsq4.w, lsq4.step, 4, b), lsq4.w, lsq4.step, 4, b, false);
    out.data[2][b] = FromCodes(quant::VerticalCodes(w_once, s_once, o.source_bits, b), w_once,
                               s_once, o.source_bits, b, o.compensation);
    out.top1[0][k] = Top1Stats(run).mean;
    out.top1[1][k] = b == 4 ? out.top1[0][k] : NAN;  // not a network of its own
    out.top1[2][k] = EvalStats(in.Run("onceqat"), moo::WidthName(b)).mean;
  }
  return out;
}

void AddRows(const TableInput& in, const Weights& w, const Facts (&facts)[3][3], TableReport* r) {
  const char* const runs[] = {"lsq_w", "lsq_w4", "onceqat"};  // where the weights come from
  for (int m = 0; m < 3; ++m) {
    for (int k = 0; k < 3; ++k) {
      const Facts& f = facts[m][k];
      Cells cells = {{"method", Text(kMethods[m])},
                     {"bits", Number(kPaperWidths[k])},
                     {"top-1", std::isnan(w.top1[m][k]) ? Null() : Number(w.top1[m][k])},
                     {"share <= 0 (%)", Number(f.h.le_zero)},
                     {"share > 0 (%)", Number(f.h.pos)},
                     {"bias (std)", Number(f.h.bias)},
                     {"W1 to LSQ (std)", Number(Wasserstein1(f.standard, facts[0][k].standard))},
                     {"levels used", Number(static_cast<double>(f.hist.size()))}};
      const std::string run = m == 0 ? runs[0] + std::to_string(kPaperWidths[k]) : runs[m];
      AddRunRow(r, cells, in.Run(run));
    }
  }
}

Status RenderHistograms(const Weights& w, const std::string& layer, const std::string& out_dir,
                        TableReport* r) {
  for (int b : kPaperWidths) {
    Figure fig{"layer " + layer + ", " + std::to_string(b) + "-bit weights", "dequantized weight",
               "share of weights"};
    for (int m = 0; m < 3; ++m) {
      std::map<float, double> h;  // value -> share
      const Quantized& d = w.data[m].at(b);
      for (float v : d.values) h[v] += 1.0 / d.values.size();
      Series s{kMethods[m], {}, {}, "linespoints"};  // one point per quantization level
      for (const auto& [v, share] : h) s.x.push_back(v), s.y.push_back(share);
      fig.series.push_back(std::move(s));
    }
    const std::string base = "vl_fig5_w" + std::to_string(b);
    STRATA_RETURN_IF_ERROR(RenderFigure(fig, out_dir + "/" + base));
    r->add_figures(base + ".png");
    r->add_figures(base + ".svg");
  }
  return Status::Ok();
}

// The position of `layer` among the run's quantized layers, or an error naming it.
StatusOr<int> QuantizedPosition(const OnceQatRun& once, const std::string& layer) {
  const std::vector<int>& quantized = once.recipe->quantized_layers();
  for (size_t k = 0; k < quantized.size(); ++k) {
    if (once.net->layers()[quantized[k]]->info().name == layer) return static_cast<int>(k);
  }
  return InvalidArgumentError("--layer: '" + layer + "' is not a quantized layer of " +
                              once.config.model().name() + " (e.g. layer2.1.conv1)");
}

constexpr char kNote[] =
    ". Per-bit LSQ = the LSQ run of each width; QAT + plain downsampling = the "
    "4-bit LSQ run's codes floor-shifted to b bits (q_b = floor(q_4 / 2^(4-b)), step "
    "2^(4-b) s_4, no compensation: the weights QAT + fine-tuning serves, since its "
    "fine-tuning leaves them alone); once-QAT = the once-QAT run (compensation on). "
    "Shares are of the layer's dequantized weights; bias = mean(ŵ - w) / std(w) against "
    "each run's own latent FP weights; W1 = Wasserstein-1 distance to per-bit LSQ's "
    "histogram of ŵ / std(w) (in units of std(w)). paper: ImageNet ResNet-18 (seed 001 "
    "Fig. 5).";

Status Build(const TableInput& in, TableReport* r) {
  const auto flag = in.ctx.flags.find("layer");
  const std::string layer = flag != in.ctx.flags.end() ? flag->second : "layer2.1.conv1";
  STRATA_ASSIGN_OR_RETURN(OnceQatRun once, LoadOnceQatRun(in.Run("onceqat").seeds.at(0).dir));
  STRATA_ASSIGN_OR_RETURN(int q, QuantizedPosition(once, layer));
  STRATA_ASSIGN_OR_RETURN(Weights w, LayerWeights(in, once, q, layer));
  r->set_note(
      "strata: ResNet-18 (CIFAR stem, 1/4 of the preset's width; vl_table2's runs), layer " +
      layer + kNote);
  for (const char* c : {"method", "bits", "top-1", "share <= 0 (%)", "share > 0 (%)", "bias (std)",
                        "W1 to LSQ (std)", "levels used"}) {
    r->add_columns(c);
  }
  Facts facts[3][3];
  for (int m = 0; m < 3; ++m) {
    for (int k = 0; k < 3; ++k) facts[m][k] = Measure(w.data[m].at(kPaperWidths[k]));
  }
  AddRows(in, w, facts, r);
  STRATA_RETURN_IF_ERROR(RenderHistograms(w, layer, in.ctx.out_dir, r));
  vl::Fig5Facts f;
  for (int k = 0; k < 2; ++k) {
    f.lsq[k] = facts[0][k].h, f.plain[k] = facts[1][k].h, f.once[k] = facts[2][k].h;
    f.plain_w1[k] = Wasserstein1(facts[1][k].standard, facts[0][k].standard);
    f.once_w1[k] = Wasserstein1(facts[2][k].standard, facts[0][k].standard);
  }
  AddClaim(r, vl::kPlainDownsamplingPiles, vl::PlainDownsamplingPiles(f), in.preset());
  AddClaim(r, vl::kOnceQatResemblesLsq, vl::OnceQatResemblesLsq(f), in.preset());
  return Status::Ok();
}

}  // namespace

TableDef VlFig5() {
  return DefineTable(__FILE__, {Plan,
                                Build,
                                "weight histograms",
                                "weight histograms at 2/3/4 bits of one layer",
                                {vl::kPlainDownsamplingPiles, vl::kOnceQatResemblesLsq},
                                {"layer"}});
}

}  // namespace reports
}  // namespace strata
