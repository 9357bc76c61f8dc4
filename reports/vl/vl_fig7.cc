// vl_fig7 (vertical layering, seed 001 Fig. 7): (a) MGD's alpha per bit-width over training
// and (b) the norm of each width's gradient w.r.t. the shared parameters, both from the MGD
// run's per-epoch metrics (moo/once_qat.h); (c) the 2-bit activation quantization error of
// the last five quantized convs of once-QAT models trained without and with cosine self-KD
// (moo::ErrorProbe), measured by re-running the test set through each run's weights.
#include <algorithm>
#include <cmath>

#include "reports/plot.h"
#include "reports/tables.h"
#include "reports/vl/ablation.h"

namespace strata {
namespace reports {
namespace {

using catalog::kPaperWidths;
constexpr int kProbeLayers = 5;  // "the last five convolution layers" (Fig. 7(c))

// Fig. 7(c) uses ResNet-50 in the paper; smoke and quick plan ResNet-18 only.
const vl::Network& ProbeNetwork(const TableContext& ctx) {
  return vl::ByPaperName(ctx.preset_config.wide_networks() ? "ResNet-50" : "ResNet-18");
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

Status RenderPanels(const std::vector<Figure>& figs, const std::string& out_dir, TableReport* r) {
  const char* kNames[] = {"vl_fig7a", "vl_fig7b", "vl_fig7c"};
  for (size_t i = 0; i < figs.size(); ++i) {
    STRATA_RETURN_IF_ERROR(RenderFigure(figs[i], out_dir + "/" + kNames[i]));
    r->add_figures(std::string(kNames[i]) + ".png");
    r->add_figures(std::string(kNames[i]) + ".svg");
  }
  return Status::Ok();
}

std::vector<PlannedRun> Plan(const TableContext& ctx) {
  const vl::Network& r18 = vl::ByPaperName("ResNet-18");
  const vl::Network& probe = ProbeNetwork(ctx);
  return {vl::OnceRun(r18, "mgd"), vl::OnceRun(probe, "us"), vl::OnceRun(probe, "kd_cos")};
}

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
    const std::string w = moo::WidthName(kPaperWidths[k]);
    Series a{"alpha " + Wa(kPaperWidths[k]), {}, {}}, g{"||g|| " + Wa(kPaperWidths[k]), {}, {}};
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
    for (int b : kPaperWidths) {
      cells.emplace_back("alpha " + Wa(b), Number(Metric(e, "alpha_" + moo::WidthName(b))));
      cells.emplace_back("alpha std " + Wa(b), Number(Metric(e, "alpha_std_" + moo::WidthName(b))));
      cells.emplace_back("grad norm " + Wa(b), Number(Metric(e, "grad_norm_" + moo::WidthName(b))));
    }
    AddRunRow(r, cells, mgd);
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
StatusOr<ErrorPanel> AddErrorRows(const SeededRuns& without, const SeededRuns& with,
                                  TableReport* r) {
  ErrorPanel out;
  STRATA_ASSIGN_OR_RETURN(out.without, Probe(without.seeds.at(0)));
  STRATA_ASSIGN_OR_RETURN(out.with, Probe(with.seeds.at(0)));
  for (const auto& [p, run] : {std::pair(&out.without, &without), std::pair(&out.with, &with)}) {
    const double logged = EvalTop1(run->seeds.at(0), "w2a2");
    if (!(p->top1 == logged) && !std::isnan(logged)) {
      return FailedPreconditionError(
          "vl_fig7: run " + run->id + " re-evaluated at 2 bits gives top-1 " +
          std::to_string(p->top1) + ", its result says " + std::to_string(logged));
    }
  }
  Series s0{"w/o self-KD", {}, {}}, s1{"w. self-KD (cosine)", {}, {}};
  for (size_t i = 0; i < out.without.layers.size(); ++i) {
    Cells cells = {{"panel", Text("(c)")},
                   {"layer", Text(out.without.layers[i])},
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

void AddClaims(const TableInput& in, const MgdPanels& m, const ErrorPanel& e,
               const SeededRuns& without, const SeededRuns& with, TableReport* r) {
  const vl::PerWidth alpha_std = {m.std_mean[0], m.std_mean[1], m.std_mean[2]};
  const vl::PerWidth alpha = {m.alpha_mean[0], m.alpha_mean[1], m.alpha_mean[2]};
  AddClaim(r, vl::kMgdAlphaUnstable, vl::MgdAlphaUnstable(alpha_std), in.preset());
  AddClaim(r, vl::kMgdAlphaWeightedTo2Bit, vl::MgdAlphaWeightedTo2Bit(alpha), in.preset());
  const vl::LateError late{LateError(e.with),
                           LateError(e.without),
                           e.with.top1,
                           e.without.top1,
                           EvalTop1(with.seeds.at(0), "w2a2"),
                           EvalTop1(without.seeds.at(0), "w2a2")};
  AddClaim(r, vl::kSelfKdLowersLateError, vl::SelfKdLowersLateError(late), in.preset());
}

Status Build(const TableInput& in, TableReport* r) {
  const vl::Network& probe_net = ProbeNetwork(in.ctx);
  const SeededRuns& mgd = in.Run("resnet18_mgd");
  const SeededRuns& without = in.Run(probe_net.id + "_us");
  const SeededRuns& with = in.Run(probe_net.id + "_kd_cos");
  r->set_note(
      "strata: once-QAT (2..4 bits) on Fashion-MNIST at 1/4 of the preset's width, from the "
      "FP runs. (a), (b): ResNet-18 trained with MGD (vl_table6's run); per epoch the mean "
      "alpha_b over its steps, their standard deviation within the epoch, and the mean "
      "norm of width b's gradient w.r.t. the shared parameters (the paper plots per "
      "iteration). (c): " +
      probe_net.paper +
      " (the paper: ResNet-50; smoke/quick: "
      "ResNet-18) at 2 bits, w/o vs w. cosine self-KD (vl_table9's runs): mean squared "
      "error between each of the last five quantized convs' input (forward order, "
      "shortcut 1x1 convs included) and its 2-bit LSQ quantization, over the test set "
      "(first seed). paper: ImageNet (seed 001 Fig. 7), a figure without printed numbers.");
  for (const char* c : {"panel", "epoch", "alpha 2/2", "alpha 3/3", "alpha 4/4", "alpha std 2/2",
                        "alpha std 3/3", "alpha std 4/4", "grad norm 2/2", "grad norm 3/3",
                        "grad norm 4/4", "layer", "mse w/o self-KD", "mse w. self-KD"}) {
    r->add_columns(c);
  }
  const MgdPanels m = AddMgdRows(mgd, r);
  STRATA_ASSIGN_OR_RETURN(ErrorPanel e, AddErrorRows(without, with, r));
  AddClaims(in, m, e, without, with, r);
  if (in.preset().curve_figures()) {
    STRATA_RETURN_IF_ERROR(RenderPanels({m.alpha, m.norm, e.fig}, in.ctx.out_dir, r));
  }
  return Status::Ok();
}

}  // namespace

TableDef VlFig7() {
  return DefineTable(
      __FILE__,
      {Plan,
       Build,
       "MGD alpha, gradient norms, act. error",
       "MGD's alpha and gradient norms; activation quantization error with/without self-KD",
       {vl::kMgdAlphaUnstable, vl::kMgdAlphaWeightedTo2Bit, vl::kSelfKdLowersLateError}});
}

}  // namespace reports
}  // namespace strata
