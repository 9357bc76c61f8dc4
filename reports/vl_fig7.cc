// vl_fig7 (vertical layering, seed 001 Fig. 7): (a) MGD's alpha per bit-width over training
// and (b) the norm of each width's gradient w.r.t. the shared parameters, both from the MGD
// run's per-epoch metrics (moo/once_qat.h); (c) the 2-bit activation quantization error of
// the last five quantized convs of once-QAT models trained without and with cosine self-KD,
// measured by re-running the test set through each run's weights.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "reports/plot.h"
#include "reports/strata_tables.h"
#include "reports/vl_more_tables.h"
#include "moo/train/train.h"

namespace strata {
namespace reports {

namespace {

using Cells = std::vector<std::pair<std::string, Cell>>;
constexpr int kBits[] = {2, 3, 4};
constexpr int kProbeLayers = 5;  // "the last five convolution layers" (Fig. 7(c))

// Fig. 7(c) uses ResNet-50 in the paper; smoke and quick plan ResNet-18 only.
const vlmore::Network& ProbeNetwork(const TableContext& ctx) {
  return vlmore::ByPaperName(vlmore::WideNetworks(ctx) ? "ResNet-50" : "ResNet-18");
}

double Metric(const EpochRecord& e, const std::string& name) {
  for (const NamedValue& v : e.metrics()) {
    if (v.name() == name) return v.value();
  }
  return std::nan("");
}

// The 2-bit error of the last five quantized convs of a once-QAT run over its test set.
struct ProbeResult {
  std::vector<std::string> layers;
  std::vector<double> mse;
  double top1 = 0;  // the re-evaluation's 2-bit top-1 (a check against the run's)
};
StatusOr<ProbeResult> Probe(const RunRecord& run) {
  STRATA_ASSIGN_OR_RETURN(OnceQatRun r, LoadOnceQatRun(run.dir));
  const std::vector<int>& q = r.recipe->quantized_layers();
  std::vector<int> last(q.end() - std::min<size_t>(kProbeLayers, q.size()), q.end());
  models::ForwardContext ctx = r.recipe->WidthContext(2);
  moo::ErrorProbe probe(ctx.hooks, last);
  ctx.hooks = &probe;
  STRATA_ASSIGN_OR_RETURN(EvalRecord e, moo::EvaluateTestSet(r.config, *r.net, ctx));
  ProbeResult out;
  for (int i : last) out.layers.push_back(r.net->layers()[i]->info().name);
  out.mse = probe.Mse();
  out.top1 = e.top1();
  return out;
}

double EvalTop1(const RunRecord& run, const std::string& eval) {
  for (const EvalRecord& e : run.result.final_evals()) {
    if (e.name() == eval) return e.top1();
  }
  return std::nan("");
}

const SeededRuns& ById(const std::vector<SeededRuns>& runs, const std::string& id) {
  for (const SeededRuns& r : runs) {
    if (r.id == id) return r;
  }
  CHECK(false) << "vl_fig7: no planned run '" << id << "'";
  return runs.front();
}

Status RenderPanels(const std::vector<Figure>& figs, const std::string& out_dir, TableReport* r) {
  const char* kNames[] = {"vl_fig7a", "vl_fig7b", "vl_fig7c"};
  for (size_t i = 0; i < figs.size(); ++i) {
    STRATA_RETURN_IF_ERROR(RenderFigure(figs[i], out_dir + "/" + kNames[i]));
    r->add_figures(std::string(kNames[i]) + ".png");
    r->add_figures(std::string(kNames[i]) + ".svg");
  }
  return Status::Ok();
}

}  // namespace

std::vector<PlannedRun> VlFig7Plan(const TableContext& ctx) {
  const vlmore::Network& r18 = vlmore::ByPaperName("ResNet-18");
  const vlmore::Network& probe = ProbeNetwork(ctx);
  return {vlmore::OnceRun(r18, "mgd"), vlmore::OnceRun(probe, "us"), vlmore::OnceRun(probe, "kd_cos")};
}

namespace {

// Panels (a) and (b) from the MGD run's epoch metrics: one row per epoch, two figures.
struct MgdPanels {
  Figure alpha{"MGD alpha per bit-width (epoch mean)", "epoch", "alpha"};
  Figure norm{"gradient norm per bit-width (MGD, epoch mean)", "epoch", "||g_b||"};
  double alpha_mean[3] = {0, 0, 0}, std_mean[3] = {0, 0, 0};  // over epochs
};
MgdPanels AddMgdRows(const SeededRuns& mgd, TableReport* r) {
  MgdPanels out;
  const RunResult& m = mgd.seeds.at(0).result;
  for (int k = 0; k < 3; ++k) {
    const std::string w = moo::WidthName(kBits[k]);
    Series a{"alpha " + Wa(kBits[k]), {}, {}}, g{"||g|| " + Wa(kBits[k]), {}, {}};
    for (const EpochRecord& e : m.epochs()) {
      a.x.push_back(e.epoch()), a.y.push_back(Metric(e, "alpha_" + w));
      g.x.push_back(e.epoch()), g.y.push_back(Metric(e, "grad_norm_" + w));
      out.alpha_mean[k] += a.y.back() / m.epochs_size();
      out.std_mean[k] += Metric(e, "alpha_std_" + w) / m.epochs_size();
    }
    out.alpha.series.push_back(a), out.norm.series.push_back(g);
  }
  for (const EpochRecord& e : m.epochs()) {
    Cells cells = {{"panel", Text("(a), (b)")}, {"epoch", Number(e.epoch())}};
    for (int b : kBits) {
      cells.emplace_back("alpha " + Wa(b), Number(Metric(e, "alpha_" + moo::WidthName(b))));
      cells.emplace_back("alpha std " + Wa(b), Number(Metric(e, "alpha_std_" + moo::WidthName(b))));
      cells.emplace_back("grad norm " + Wa(b), Number(Metric(e, "grad_norm_" + moo::WidthName(b))));
    }
    AddRunCells(mgd, &cells);
    AddRow(r, cells);
  }
  return out;
}

// Panel (c): both runs probed (each checked against its own logged 2-bit top-1), one row per
// layer, one figure.
struct ErrorPanel {
  Figure fig{"2-bit activation quantization error, last five quantized convs",
             "layer (last five, in order)", "MSE"};
  ProbeResult without, with;
};
StatusOr<ErrorPanel> AddErrorRows(const SeededRuns& without, const SeededRuns& with, TableReport* r) {
  ErrorPanel out;
  STRATA_ASSIGN_OR_RETURN(out.without, Probe(without.seeds.at(0)));
  STRATA_ASSIGN_OR_RETURN(out.with, Probe(with.seeds.at(0)));
  for (const auto& [p, run] : {std::pair(&out.without, &without), std::pair(&out.with, &with)}) {
    const double logged = EvalTop1(run->seeds.at(0), "w2a2");
    if (!(p->top1 == logged) && !std::isnan(logged)) {
      return FailedPreconditionError("vl_fig7: run " + run->id + " re-evaluated at 2 bits gives top-1 " +
                                     std::to_string(p->top1) + ", its result says " + std::to_string(logged));
    }
  }
  Series s0{"w/o self-KD", {}, {}}, s1{"w. self-KD (cosine)", {}, {}};
  for (size_t i = 0; i < out.without.layers.size(); ++i) {
    Cells cells = {{"panel", Text("(c)")}, {"layer", Text(out.without.layers[i])},
                   {"mse w/o self-KD", Number(out.without.mse[i])},
                   {"mse w. self-KD", Number(out.with.mse[i])}};
    AddRunCells(without, &cells);
    cells.emplace_back("digest_kd", Text(with.seeds.at(0).result.param_digest()));
    AddRow(r, cells);
    s0.x.push_back(static_cast<double>(i + 1)), s0.y.push_back(out.without.mse[i]);
    s1.x.push_back(static_cast<double>(i + 1)), s1.y.push_back(out.with.mse[i]);
  }
  out.fig.series = {s0, s1};
  return out;
}

// Mean MSE of the last two probed layers ("late layers", Decision: the paper's text names
// the last two).
double LateError(const ProbeResult& p) {
  const size_t n = p.mse.size();
  return n >= 2 ? (p.mse[n - 1] + p.mse[n - 2]) / 2 : std::nan("");
}

void AddClaims(const TableContext& ctx, const MgdPanels& m, const ErrorPanel& e,
               const SeededRuns& without, const SeededRuns& with, TableReport* r) {
  const bool decided = ctx.preset != "smoke";
  char ev[512];
  const double max_std = std::fmax(m.std_mean[0], std::fmax(m.std_mean[1], m.std_mean[2]));
  std::snprintf(ev, sizeof(ev), "within-epoch std of alpha (mean over epochs) 2/3/4 bits: %.3f / %.3f / %.3f",
                m.std_mean[0], m.std_mean[1], m.std_mean[2]);
  // Decisions: "unstable" = alpha's within-epoch standard deviation, averaged over epochs, is
  // >= 0.1 for some width (alpha lives on the simplex; US is 1/3 each, std 0); "weighted to
  // 2 bits" = alpha_2 averaged over training is the largest and above 1/3.
  AddClaim(r, "vl_fig7.mgd_alpha_unstable",
           "MGD's alpha is unstable: its within-epoch standard deviation is >= 0.1 for some width",
           decided ? std::optional<bool>(max_std >= 0.1) : std::nullopt, ev);
  const double* a = m.alpha_mean;
  std::snprintf(ev, sizeof(ev), "mean alpha over training 2/3/4 bits: %.3f / %.3f / %.3f", a[0], a[1], a[2]);
  const bool weighted = a[0] > 1.0 / 3 && a[0] >= a[1] && a[0] >= a[2];
  AddClaim(r, "vl_fig7.mgd_alpha_weighted_to_2bit",
           "MGD weights the 2-bit loss most (mean alpha_2 largest, above 1/3)",
           decided ? std::optional<bool>(weighted) : std::nullopt, ev);
  const double late0 = LateError(e.without), late1 = LateError(e.with);
  std::snprintf(ev, sizeof(ev),
                "mean MSE of the last two probed layers: w. %.4g vs w/o %.4g; re-evaluated 2-bit "
                "top-1 %.2f / %.2f (runs: %.2f / %.2f)",
                late1, late0, e.with.top1, e.without.top1, EvalTop1(with.seeds.at(0), "w2a2"),
                EvalTop1(without.seeds.at(0), "w2a2"));
  AddClaim(r, "vl_fig7.self_kd_lowers_late_error",
           "self-KD lowers the 2-bit activation quantization error of the late layers (last two)",
           decided ? std::optional<bool>(late1 < late0) : std::nullopt, ev);
}

}  // namespace

StatusOr<TableReport> VlFig7(const TableContext& ctx) {
  STRATA_ASSIGN_OR_RETURN(std::vector<SeededRuns> runs, RunPlanned(*FindTable("vl_fig7"), ctx));
  const vlmore::Network& probe_net = ProbeNetwork(ctx);
  const SeededRuns& mgd = ById(runs, "resnet18_mgd");
  const SeededRuns& without = ById(runs, probe_net.id + "_us");
  const SeededRuns& with = ById(runs, probe_net.id + "_kd_cos");
  TableReport r = NewReport("vl_fig7", ctx.preset, "vertical layering",
                            "MGD's alpha and gradient norms; activation quantization error with/without self-KD");
  r.set_note("strata: once-QAT (2..4 bits) on Fashion-MNIST at 1/4 of the preset's width, from the "
             "FP runs. (a), (b): ResNet-18 trained with MGD (vl_table6's run); per epoch the mean "
             "alpha_b over its steps, their standard deviation within the epoch, and the mean "
             "norm of width b's gradient w.r.t. the shared parameters (the paper plots per "
             "iteration). (c): " + probe_net.paper + " (the paper: ResNet-50; smoke/quick: "
             "ResNet-18) at 2 bits, w/o vs w. cosine self-KD (vl_table9's runs): mean squared "
             "error between each of the last five quantized convs' input (forward order, "
             "shortcut 1x1 convs included) and its 2-bit LSQ quantization, over the test set "
             "(first seed). paper: ImageNet (seed 001 Fig. 7), a figure without printed numbers.");
  for (const char* c : {"panel", "epoch", "alpha 2/2", "alpha 3/3", "alpha 4/4", "alpha std 2/2",
                        "alpha std 3/3", "alpha std 4/4", "grad norm 2/2", "grad norm 3/3",
                        "grad norm 4/4", "layer", "mse w/o self-KD", "mse w. self-KD"}) {
    r.add_columns(c);
  }
  const MgdPanels m = AddMgdRows(mgd, &r);
  STRATA_ASSIGN_OR_RETURN(ErrorPanel e, AddErrorRows(without, with, &r));
  AddClaims(ctx, m, e, without, with, &r);
  if (ctx.preset != "smoke") {
    STRATA_RETURN_IF_ERROR(RenderPanels({m.alpha, m.norm, e.fig}, ctx.out_dir, &r));
  }
  return r;
}

}  // namespace reports
}  // namespace strata
