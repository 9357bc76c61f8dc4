// vl_table3, vl_table4, vl_table6, vl_table8, vl_table9 (vertical layering, seed 001 Tables
// 3, 4, 6, 8, 9): once-QAT against per-bit LSQ and its ablations (BN, MOO, first/last layers,
// self-KD) on Fashion-MNIST, beside the paper's ImageNet numbers. vl_fig7 is in vl_fig7.cc.
#include <cmath>
#include <cstdio>
#include <functional>
#include <optional>
#include <set>

#include "reports/paper_numbers.h"
#include "reports/strata_tables.h"
#include "reports/vl_more_tables.h"
#include "reports/vl_once_tables.h"
#include "moo/train/train.h"

namespace strata {
namespace reports {
namespace vlmore {

namespace {

const std::vector<Network>& AllNetworks() {
  static const std::vector<Network> nets = {
      {"resnet18", "resnet18_cifar", "ResNet-18"},   {"resnet34", "resnet34_cifar", "ResNet-34"},
      {"resnet50", "resnet50_cifar", "ResNet-50"},   {"mobilenetv2", "mobilenetv2_cifar", "MobileNetV2"},
      {"vgg16", "vgg16_bn", "VGG-16 BN"},
  };
  return nets;
}

}  // namespace

const Network& ByPaperName(const std::string& paper) {
  for (const Network& n : AllNetworks()) {
    if (n.paper == paper) return n;
  }
  CHECK(false) << "vlmore::ByPaperName: no network '" << paper << "'";
  return AllNetworks()[0];
}

bool WideNetworks(const TableContext& ctx) { return ctx.preset == "full" || ctx.preset == "paper"; }

}  // namespace vlmore

namespace {

using vlmore::Network;
using Cells = std::vector<std::pair<std::string, Cell>>;

constexpr int kBits[] = {2, 3, 4};
constexpr double kWidth = 0.25;  // of the preset's width: vl_table1/2/7's and strata_fp's

}  // namespace

namespace vlmore {

OnceQatRecipeConfig RecipeFor(const std::string& tag) {
  OnceQatRecipeConfig r;
  if (tag == "kd_cos") r.set_self_kd(OnceQatRecipeConfig::COSINE);
  if (tag == "kd_kl") r.set_self_kd(OnceQatRecipeConfig::KL);
  if (tag == "mgd") r.set_moo(OnceQatRecipeConfig::MGD);
  if (tag == "bn_shared") r.set_bn(OnceQatRecipeConfig::SHARED);
  if (tag == "bn_shared_affine") r.set_bn(OnceQatRecipeConfig::SHARED_AFFINE);
  if (tag == "perbit_ends") r.set_per_bit_first_last(true);
  return r;
}

PlannedRun OnceRun(const Network& n, const std::string& tag) {
  return {n.id + "_" + tag, OnceQatConfig(n.model, kWidth, tag, RecipeFor(tag))};
}

}  // namespace vlmore

namespace {

using vlmore::OnceRun;

// ResNet-18 alone at smoke/quick, else the paper's networks for the table.
std::vector<Network> Networks(const TableContext& ctx, const std::vector<std::string>& paper) {
  std::vector<Network> out;
  for (const std::string& p : paper) {
    if (vlmore::WideNetworks(ctx) || p == "ResNet-18") out.push_back(vlmore::ByPaperName(p));
  }
  return out;
}

std::string NetworkList(const std::vector<Network>& nets) {
  std::string s;
  for (size_t i = 0; i < nets.size(); ++i) s += (i ? ", " : "") + nets[i].paper;
  return s;
}

const SeededRuns& ById(const std::vector<SeededRuns>& runs, const std::string& id) {
  for (const SeededRuns& r : runs) {
    if (r.id == id) return r;
  }
  CHECK(false) << "vl_more_tables: no planned run '" << id << "'";
  return runs.front();
}

SeedStats Collect(const std::vector<double>& v, bool diverged) {
  SeedStats s;
  s.n = static_cast<int>(v.size());
  s.any_diverged = diverged;
  for (double x : v) s.mean += x / s.n;
  for (double x : v) s.std += s.n > 1 ? (x - s.mean) * (x - s.mean) / (s.n - 1) : 0.0;
  s.std = std::sqrt(s.std);
  if (diverged) s.mean = std::nan("");
  return s;
}

// Top-1 / top-5 per width (kBits order) over the seeds.
struct WidthStats {
  SeedStats top1[3], top5[3];
};

// A once-QAT run: its evaluation points "w<b>a<b>".
WidthStats OnceStats(const SeededRuns& runs) {
  WidthStats w;
  for (int k = 0; k < 3; ++k) {
    std::vector<double> t1, t5;
    bool diverged = false;
    for (const RunRecord& r : runs.seeds) {
      double a = std::nan(""), b = std::nan("");
      for (const EvalRecord& e : r.result.final_evals()) {
        if (e.name() == moo::WidthName(kBits[k])) a = e.top1(), b = e.top5();
      }
      t1.push_back(a), t5.push_back(b);
      diverged |= r.result.diverged() || std::isnan(a);
    }
    w.top1[k] = Collect(t1, diverged), w.top5[k] = Collect(t5, diverged);
  }
  return w;
}

// One single-network run (FP or LSQ): its final top-1 / top-5.
void FinalStats(const SeededRuns& runs, SeedStats* top1, SeedStats* top5) {
  std::vector<double> t1, t5;
  bool diverged = false;
  for (const RunRecord& r : runs.seeds) {
    t1.push_back(r.result.final_test_top1()), t5.push_back(r.result.final_test_top5());
    diverged |= r.result.diverged();
  }
  *top1 = Collect(t1, diverged), *top5 = Collect(t5, diverged);
}

void AddColumns(TableReport* r, const std::vector<std::string>& lead, bool top5,
                const std::vector<std::string>& tail) {
  for (const std::string& c : lead) r->add_columns(c);
  for (const char* m : {"top-1", "top-5"}) {
    if (std::string(m) == "top-5" && !top5) continue;
    for (int b : kBits) r->add_columns(std::string("strata ") + m + " " + Wa(b));
    for (int b : kBits) r->add_columns(std::string("paper ") + m + " " + Wa(b));
  }
  for (const std::string& c : tail) r->add_columns(c);
}

void AddPaperCells(const PaperTable& paper, const std::string& row, bool top5, Cells* cells) {
  for (int k = 0; k < 3; ++k) {
    cells->emplace_back("paper top-1 " + Wa(kBits[k]), PaperCell(paper, row, "Top-1 | " + Wa(kBits[k])));
    if (top5) {
      cells->emplace_back("paper top-5 " + Wa(kBits[k]), PaperCell(paper, row, "Top-5 | " + Wa(kBits[k])));
    }
  }
}

void AddWidthCells(const WidthStats& w, const PaperTable& paper, const std::string& row,
                   bool top5, Cells* cells) {
  for (int k = 0; k < 3; ++k) {
    cells->emplace_back("strata top-1 " + Wa(kBits[k]), StatCell(w.top1[k]));
    if (top5) cells->emplace_back("strata top-5 " + Wa(kBits[k]), StatCell(w.top5[k]));
  }
  AddPaperCells(paper, row, top5, cells);
}

std::string Triple(const char* label, const SeedStats (&s)[3]) {
  char buf[128];
  std::snprintf(buf, sizeof(buf), "%s %.2f / %.2f / %.2f", label, s[0].mean, s[1].mean, s[2].mean);
  return buf;
}

std::string DataNote(const std::vector<Network>& nets, const TableContext& ctx) {
  return "strata: " + NetworkList(nets) + " (CIFAR stems, 1/4 of the preset's width) on "
         "Fashion-MNIST, once-QAT (2..4 bits, compensation, US unless said) from each network's "
         "FP run (LR 0.1x FP's, cosine). " +
         (vlmore::WideNetworks(ctx) ? std::string("")
                                    : std::string("This preset plans ResNet-18 only (the quick "
                                                  "budget); full plans every network of the "
                                                  "paper's table. ")) +
         "paper: ImageNet (seed 001) — other data and scale, not comparable one to one.";
}

// Per-network evidence "A; B; " without the last separator.
std::string Joined(std::string s) {
  if (s.size() >= 2 && s.compare(s.size() - 2, 2, "; ") == 0) s.resize(s.size() - 2);
  return s;
}

std::optional<bool> Decide(const TableContext& ctx, bool holds) {
  return ctx.preset == "smoke" ? std::nullopt : std::optional<bool>(holds);
}

// ---- an ablation: once-QAT variants (schemes) per network, one row each ----

struct Scheme {
  std::string tag, label, paper_row;  // paper_row: after "<network> | "
};
using ExtraCells = std::function<Status(const Network&, const Scheme&, const SeededRuns&, Cells*)>;

struct Ablation {
  std::string target, title, note_extra;
  std::vector<std::string> networks;  // the paper's, in its order
  std::vector<Scheme> schemes;
  bool top5 = true;
  std::vector<std::string> extra_columns;
  ExtraCells extra;  // may be empty
};

std::vector<PlannedRun> AblationPlan(const Ablation& a, const TableContext& ctx) {
  std::vector<PlannedRun> plan;
  for (const Network& n : Networks(ctx, a.networks)) {
    for (const Scheme& s : a.schemes) plan.push_back(OnceRun(n, s.tag));
  }
  return plan;
}

// stats[network][scheme] of the planned networks, rows added to *r.
StatusOr<std::vector<std::vector<WidthStats>>> AblationRows(const Ablation& a,
                                                            const TableContext& ctx,
                                                            TableReport* r) {
  STRATA_ASSIGN_OR_RETURN(std::vector<SeededRuns> runs, RunPlanned(*FindTable(a.target), ctx));
  STRATA_ASSIGN_OR_RETURN(PaperTable paper, LoadPaperTable("reports/paper/" + a.target + ".csv"));
  const std::vector<Network> nets = Networks(ctx, a.networks);
  r->set_note(DataNote(nets, ctx) + " " + a.note_extra);
  AddColumns(r, {"network", "scheme"}, a.top5, a.extra_columns);
  std::vector<std::vector<WidthStats>> stats;
  for (const Network& n : nets) {
    stats.emplace_back();
    for (const Scheme& s : a.schemes) {
      const SeededRuns& run = ById(runs, n.id + "_" + s.tag);
      stats.back().push_back(OnceStats(run));
      Cells cells = {{"network", Text(n.paper)}, {"scheme", Text(s.label)}};
      AddWidthCells(stats.back().back(), paper, n.paper + " | " + s.paper_row, a.top5, &cells);
      if (a.extra) STRATA_RETURN_IF_ERROR(a.extra(n, s, run, &cells));
      AddRunCells(run, &cells);
      AddRow(r, cells);
    }
  }
  return stats;
}

// ---- vl_table3 ----

std::vector<Network> Table3Networks(const TableContext& ctx) {
  return Networks(ctx, {"ResNet-18", "ResNet-34", "ResNet-50", "MobileNetV2", "VGG-16 BN"});
}

// The paper's rows of `net` marked cited, in the CSV's order.
std::vector<std::string> CitedRows(const PaperTable& t, const std::string& net) {
  std::vector<std::string> rows;
  std::set<std::string> seen;
  for (const PaperEntry& e : t.entries()) {
    if (!e.cited || e.row.rfind(net + " | ", 0) != 0) continue;
    const std::string method = e.row.substr(net.size() + 3);
    if (method != "LSQ" && seen.insert(method).second) rows.push_back(method);
  }
  return rows;
}

bool PaperCited(const PaperTable& t, const std::string& row) {
  for (const PaperEntry& e : t.entries()) {
    if (e.row == row && e.cited) return true;
  }
  return false;
}

}  // namespace

std::vector<PlannedRun> VlTable3Plan(const TableContext& ctx) {
  std::vector<PlannedRun> plan;
  for (const Network& n : Table3Networks(ctx)) {
    plan.push_back({n.id + "_fp", FmnistConfig(n.model, kWidth)});
    for (int b : kBits) plan.push_back({n.id + "_lsq_w" + std::to_string(b), LsqConfig(n.model, kWidth, b)});
    plan.push_back(OnceRun(n, "us"));
    plan.push_back(OnceRun(n, "kd_cos"));
  }
  return plan;
}

namespace {

// The paper's cited rows of network n (its numbers only).
void AddCitedRows(const Network& n, const PaperTable& paper, TableReport* r) {
  for (const std::string& m : CitedRows(paper, n.paper)) {
    Cells cells = {{"network", Text(n.paper)}, {"method", Text(m)}};
    AddPaperCells(paper, n.paper + " | " + m, true, &cells);
    cells.emplace_back("vertical-layered", PaperCell(paper, n.paper + " | " + m, "Vertical-layered"));
    cells.emplace_back("cited", Text("yes (paper's numbers only)"));
    AddRow(r, cells);
  }
}

void AddFpRow(const Network& n, const SeededRuns& fp, const PaperTable& paper, TableReport* r) {
  SeedStats fp1, fp5;
  FinalStats(fp, &fp1, &fp5);
  Cells cells = {{"network", Text(n.paper)}, {"method", Text("FP (the QAT runs' start)")},
                 {"strata FP top-1", StatCell(fp1)}, {"strata FP top-5", StatCell(fp5)},
                 {"paper FP top-1", PaperCell(paper, n.paper + " | FP", "Top-1")},
                 {"paper FP top-5", PaperCell(paper, n.paper + " | FP", "Top-5")}};
  AddRunCells(fp, &cells);
  AddRow(r, cells);
}

// The per-bit LSQ row (three runs) of network n.
WidthStats AddLsqRow(const Network& n, const std::vector<SeededRuns>& runs, const PaperTable& paper,
                     TableReport* r) {
  WidthStats lsq;
  Cells cells = {{"network", Text(n.paper)}, {"method", Text("LSQ (per bit-width)")}};
  for (int k = 0; k < 3; ++k) {
    const SeededRuns& run = ById(runs, n.id + "_lsq_w" + std::to_string(kBits[k]));
    FinalStats(run, &lsq.top1[k], &lsq.top5[k]);
    cells.emplace_back("digest_w" + std::to_string(kBits[k]), Text(run.seeds.at(0).result.param_digest()));
  }
  AddWidthCells(lsq, paper, n.paper + " | LSQ", true, &cells);
  cells.emplace_back("vertical-layered", Text("×"));
  cells.emplace_back("cited", Text(PaperCited(paper, n.paper + " | LSQ") ? "paper's LSQ numbers cited" : "no"));
  AddRunCells(ById(runs, n.id + "_lsq_w2"), &cells);
  AddRow(r, cells);
  return lsq;
}

// once-QAT w/o (kd = false) or w. cosine self-KD of network n.
WidthStats AddOnceRow(const Network& n, bool kd, const std::vector<SeededRuns>& runs,
                      const PaperTable& paper, TableReport* r) {
  const SeededRuns& run = ById(runs, n.id + (kd ? "_kd_cos" : "_us"));
  const WidthStats once = OnceStats(run);
  Cells cells = {{"network", Text(n.paper)},
                 {"method", Text(kd ? "once-QAT w. self-KD" : "once-QAT w/o self-KD")}};
  AddWidthCells(once, paper, n.paper + (kd ? " | Ours (w. self-KD)" : " | Ours (w/o self-KD)"), true,
                &cells);
  cells.emplace_back("vertical-layered", Text("✓"));
  cells.emplace_back("cited", Text("no"));
  AddRunCells(run, &cells);
  AddRow(r, cells);
  return once;
}

}  // namespace

StatusOr<TableReport> VlTable3(const TableContext& ctx) {
  STRATA_ASSIGN_OR_RETURN(std::vector<SeededRuns> runs, RunPlanned(*FindTable("vl_table3"), ctx));
  STRATA_ASSIGN_OR_RETURN(PaperTable paper, LoadPaperTable("reports/paper/vl_table3.csv"));
  TableReport r = NewReport("vl_table3", ctx.preset, "vertical layering",
                            "LSQ vs once-QAT without and with self-KD, top-1 and top-5");
  const std::vector<Network> nets = Table3Networks(ctx);
  r.set_note(DataNote(nets, ctx) + " LSQ = one run per width (vl_table1's for ResNet-18); "
             "self-KD = cosine (Eq. 11). Rows marked cited are the paper's copies of other papers "
             "(its LSQ rows for MobileNetV2 and VGG-16 BN too: strata measures LSQ there).");
  AddColumns(&r, {"network", "method"}, true,
             {"strata FP top-1", "strata FP top-5", "paper FP top-1", "paper FP top-5",
              "vertical-layered", "cited"});
  bool near = true, kd_helps = true;
  std::string near_ev, kd_ev;
  for (const Network& n : nets) {
    AddCitedRows(n, paper, &r);
    AddFpRow(n, ById(runs, n.id + "_fp"), paper, &r);
    const WidthStats lsq = AddLsqRow(n, runs, paper, &r);
    const WidthStats without = AddOnceRow(n, false, runs, paper, &r);
    const WidthStats with = AddOnceRow(n, true, runs, paper, &r);
    // "Within ~1 point" (Decision, as vl_table2): w/o self-KD >= LSQ - 1 at every width.
    for (int k = 0; k < 3; ++k) near &= without.top1[k].mean >= lsq.top1[k].mean - 1.0;
    kd_helps &= with.top1[0].mean >= without.top1[0].mean;
    near_ev += n.paper + ": " + Triple("once-QAT", without.top1) + " vs " + Triple("LSQ", lsq.top1) + "; ";
    kd_ev += n.paper + ": 2/2 " + FormatCell(Number(with.top1[0].mean)) + " vs " +
             FormatCell(Number(without.top1[0].mean)) + "; ";
  }
  AddClaim(&r, "vl_table3.once_qat_near_lsq",
           "once-QAT (w/o self-KD) ≈ per-bit LSQ: within ~1 point (or above) at every width",
           Decide(ctx, near), Joined(near_ev));
  AddClaim(&r, "vl_table3.self_kd_helps_2bit", "self-KD ≥ w/o self-KD at 2 bits, every network",
           Decide(ctx, kd_helps), "w. vs w/o: " + Joined(kd_ev));
  return r;
}

// ---- vl_table4 ----

namespace {

const char* const kBnTags[] = {"bn_shared", "bn_shared_affine", "us"};
const moo::BnMode kBnModes[] = {moo::BnMode::kShared, moo::BnMode::kSharedAffine,
                                moo::BnMode::kIndividual};

Ablation Table4() {
  Ablation a;
  a.target = "vl_table4";
  a.networks = {"ResNet-18", "ResNet-34"};
  a.schemes = {{"bn_shared", "shared BN", "Shared BN"},
               {"bn_shared_affine", "shared affine + individual statistics", "+ Individual Statistics"},
               {"us", "individual BN (default)", "++ Individual Weights"}};
  a.note_extra = "BN counts: γ, β, running mean and variance values the three widths use "
                 "together, ‰ of all parameters (the paper's M column is 10x what its ‰ column "
                 "implies, e.g. 0.19M vs 1.6‰ of ResNet-18's 11.7M; both printed as is).";
  a.extra_columns = {"strata BN values", "strata BN ‰", "paper BN (M)", "paper BN ‰"};
  a.extra = [](const Network& n, const Scheme& s, const SeededRuns& run, Cells* cells) -> Status {
    int m = 0;
    while (kBnTags[m] != s.tag) ++m;
    StatusOr<OnceQatRun> loaded = LoadOnceQatRun(run.seeds.at(0).dir);
    if (!loaded.ok()) return loaded.status().Annotate("vl_table4 run " + run.id + ": ");
    const models::Network& net = *loaded->net;
    const int widths = loaded->recipe->options().num_widths();
    int64_t affine_in_net = 0;
    for (const models::Norm* norm : net.norms()) affine_in_net += 2 * norm->variants() * norm->bn(0).weight.numel();
    const int64_t bn = moo::BnParameterCount(net, kBnModes[m], widths);
    const int64_t others = net.NumParameters() - affine_in_net;
    cells->emplace_back("strata BN values", Number(static_cast<double>(bn)));
    cells->emplace_back("strata BN ‰", Number(1000.0 * bn / static_cast<double>(others + bn)));
    StatusOr<PaperTable> paper = LoadPaperTable("reports/paper/vl_table4.csv");
    if (!paper.ok()) return paper.status();
    const std::string row = n.paper + " | " + s.paper_row;
    cells->emplace_back("paper BN (M)", PaperCell(*paper, row, "# of BN Parameters (M)"));
    cells->emplace_back("paper BN ‰", PaperCell(*paper, row, "# of BN Parameters (‰)"));
    return Status::Ok();
  };
  return a;
}

}  // namespace

std::vector<PlannedRun> VlTable4Plan(const TableContext& ctx) { return AblationPlan(Table4(), ctx); }

StatusOr<TableReport> VlTable4(const TableContext& ctx) {
  TableReport r = NewReport("vl_table4", ctx.preset, "vertical layering",
                            "BN per width: shared / individual statistics / individual");
  STRATA_ASSIGN_OR_RETURN(auto stats, AblationRows(Table4(), ctx, &r));
  const std::vector<Network> nets = Networks(ctx, Table4().networks);
  // "Collapses" (Decision): at some width, >= 10 points below individual BN (paper: 33.5 vs
  // 66.7). "individual >= individual statistics": at every width, with 0.5 point of noise.
  bool collapses = true, individual_ge = true;
  std::string ev1, ev2;
  for (size_t i = 0; i < nets.size(); ++i) {
    const WidthStats &shared = stats[i][0], &stat = stats[i][1], &ind = stats[i][2];
    bool some = false;
    for (int k = 0; k < 3; ++k) {
      some |= !(shared.top1[k].mean > ind.top1[k].mean - 10.0);  // NaN counts as collapsed
      individual_ge &= ind.top1[k].mean >= stat.top1[k].mean - 0.5;
    }
    collapses &= some;
    ev1 += nets[i].paper + ": " + Triple("shared", shared.top1) + " vs " + Triple("individual", ind.top1) + "; ";
    ev2 += nets[i].paper + ": " + Triple("individual", ind.top1) + " vs " + Triple("statistics", stat.top1) + "; ";
  }
  AddClaim(&r, "vl_table4.shared_bn_collapses",
           "shared BN collapses at some width (>= 10 points below individual BN)",
           Decide(ctx, collapses), Joined(ev1));
  AddClaim(&r, "vl_table4.individual_ge_statistics",
           "individual BN ≥ shared affine + individual statistics at every width (0.5-point noise)",
           Decide(ctx, individual_ge), Joined(ev2));
  return r;
}

// ---- vl_table6 ----

namespace {

Ablation Table6() {
  Ablation a;
  a.target = "vl_table6";
  a.networks = {"ResNet-18", "ResNet-34"};
  a.schemes = {{"us", "US (alpha = 1/3)", "Unitary Scalarization (US)"},
               {"mgd", "MGD (min-norm alpha, Frank-Wolfe)", "Multi-Gradient Descent (MGD)"}};
  a.note_extra = "MGD: Eq. 10 solved by Frank-Wolfe (250 iterations, tolerance 1e-5) every step; "
                 "its alpha per epoch is in vl_fig7.";
  return a;
}

}  // namespace

std::vector<PlannedRun> VlTable6Plan(const TableContext& ctx) { return AblationPlan(Table6(), ctx); }

StatusOr<TableReport> VlTable6(const TableContext& ctx) {
  TableReport r = NewReport("vl_table6", ctx.preset, "vertical layering",
                            "MOO optimizer: unitary scalarization vs multiple gradient descent");
  STRATA_ASSIGN_OR_RETURN(auto stats, AblationRows(Table6(), ctx, &r));
  const std::vector<Network> nets = Networks(ctx, Table6().networks);
  bool holds = true;
  std::string ev;
  for (size_t i = 0; i < nets.size(); ++i) {
    const WidthStats &us = stats[i][0], &mgd = stats[i][1];
    holds &= us.top1[1].mean >= mgd.top1[1].mean && us.top1[2].mean >= mgd.top1[2].mean;
    ev += nets[i].paper + ": " + Triple("US", us.top1) + " vs " + Triple("MGD", mgd.top1) + "; ";
  }
  AddClaim(&r, "vl_table6.us_ge_mgd_3_4bit", "US ≥ MGD at 3 and 4 bits (top-1), every network",
           Decide(ctx, holds), Joined(ev));
  return r;
}

// ---- vl_table8 ----

namespace {

Ablation Table8() {
  Ablation a;
  a.target = "vl_table8";
  a.networks = {"ResNet-18", "ResNet-50"};
  a.schemes = {{"us", "shared FP first/last layers (default)", "×"},
               {"perbit_ends", "per-bit FP first/last layers", "✓"}};
  a.note_extra = "Per-bit: widths 3 and 4 get their own FP first-conv and last-linear weights "
                 "(width 2 keeps the network's; the classifier bias stays shared); extra = their "
                 "values, % of the network's parameters.";
  a.extra_columns = {"strata extra parameters", "strata extra %", "paper extra (M)", "paper extra %"};
  a.extra = [](const Network& n, const Scheme& s, const SeededRuns& run, Cells* cells) -> Status {
    StatusOr<OnceQatRun> loaded = LoadOnceQatRun(run.seeds.at(0).dir);
    if (!loaded.ok()) return loaded.status().Annotate("vl_table8 run " + run.id + ": ");
    const int64_t extra = loaded->recipe->ExtraEndParameters();
    cells->emplace_back("strata extra parameters", Number(static_cast<double>(extra)));
    cells->emplace_back("strata extra %", Number(100.0 * extra / loaded->net->NumParameters()));
    StatusOr<PaperTable> paper = LoadPaperTable("reports/paper/vl_table8.csv");
    if (!paper.ok()) return paper.status();
    const std::string row = n.paper + " | " + s.paper_row;
    cells->emplace_back("paper extra (M)", PaperCell(*paper, row, "# of additional parameters (M)"));
    cells->emplace_back("paper extra %", PaperCell(*paper, row, "# of additional parameters (%)"));
    return Status::Ok();
  };
  return a;
}

}  // namespace

std::vector<PlannedRun> VlTable8Plan(const TableContext& ctx) { return AblationPlan(Table8(), ctx); }

StatusOr<TableReport> VlTable8(const TableContext& ctx) {
  TableReport r = NewReport("vl_table8", ctx.preset, "vertical layering",
                            "shared vs per-bit full-precision first and last layers");
  STRATA_ASSIGN_OR_RETURN(auto stats, AblationRows(Table8(), ctx, &r));
  const std::vector<Network> nets = Networks(ctx, Table8().networks);
  // "Little" (Decision): per-bit first/last layers gain less than 1 point top-1 at every width.
  bool little = true;
  std::string ev;
  for (size_t i = 0; i < nets.size(); ++i) {
    const WidthStats &shared = stats[i][0], &per_bit = stats[i][1];
    for (int k = 0; k < 3; ++k) little &= per_bit.top1[k].mean < shared.top1[k].mean + 1.0;
    ev += nets[i].paper + ": " + Triple("per-bit", per_bit.top1) + " vs " + Triple("shared", shared.top1) + "; ";
  }
  AddClaim(&r, "vl_table8.per_bit_ends_little_gain",
           "per-bit first/last layers bring little (< 1 point at every width) for their extra parameters",
           Decide(ctx, little), ev + "extra parameters: see the rows");
  return r;
}

// ---- vl_table9 ----

namespace {

Ablation Table9() {
  Ablation a;
  a.target = "vl_table9";
  a.networks = {"ResNet-18", "ResNet-50"};
  a.schemes = {{"us", "w/o self-KD", "w/o"}, {"kd_kl", "KL self-KD", "KL"},
               {"kd_cos", "cosine self-KD (CS)", "CS"}};
  a.top5 = false;  // the paper's Table 9 prints top-1 only
  a.note_extra = "Self-KD (Eq. 11): width b < 4 learns from width b + 1's detached softmax, "
                 "1 - cos (CS) or KL(p_{b+1} || p_b).";
  return a;
}

}  // namespace

std::vector<PlannedRun> VlTable9Plan(const TableContext& ctx) { return AblationPlan(Table9(), ctx); }

StatusOr<TableReport> VlTable9(const TableContext& ctx) {
  TableReport r = NewReport("vl_table9", ctx.preset, "vertical layering",
                            "self-KD: none / KL / cosine");
  STRATA_ASSIGN_OR_RETURN(auto stats, AblationRows(Table9(), ctx, &r));
  const std::vector<Network> nets = Networks(ctx, Table9().networks);
  // "KL no better than none" (Decision): KL <= none + 0.5 point at every width.
  bool cos_ge = true, kl_no_better = true;
  std::string ev1, ev2;
  for (size_t i = 0; i < nets.size(); ++i) {
    const WidthStats &none = stats[i][0], &kl = stats[i][1], &cs = stats[i][2];
    cos_ge &= cs.top1[0].mean >= none.top1[0].mean;
    for (int k = 0; k < 3; ++k) kl_no_better &= kl.top1[k].mean <= none.top1[k].mean + 0.5;
    ev1 += nets[i].paper + ": 2/2 cosine " + FormatCell(Number(cs.top1[0].mean)) + " vs none " +
           FormatCell(Number(none.top1[0].mean)) + "; ";
    ev2 += nets[i].paper + ": " + Triple("KL", kl.top1) + " vs " + Triple("none", none.top1) + "; ";
  }
  AddClaim(&r, "vl_table9.cosine_ge_none_2bit", "cosine self-KD ≥ none at 2 bits, every network",
           Decide(ctx, cos_ge), Joined(ev1));
  AddClaim(&r, "vl_table9.kl_no_better", "KL self-KD no better than none (≤ none + 0.5 at every width)",
           Decide(ctx, kl_no_better), Joined(ev2));
  return r;
}

}  // namespace reports
}  // namespace strata
