// edge_table5/6/7: seed 004's classification tables (Sec. 3.2) on Fashion-MNIST.
//
// Protocol (ALGORITHMS.md §4):
// - float: the house FP recipe (FmnistConfig) on VGG-16-BN (13 convs) or the shortened
//   VGGs (5 / 8 convs), planned at width 1/8 before the preset's multiplier (channels
//   8..64 at full): 27 distinct runs at quick take ~10 min on 2 busy cores (at 1/4, as
//   strata_fp, they took ~30 min by the smoke throughput), over the 12-minute budget.
// - INQ: from that FP run's weights, every conv/linear weight quantized to b bits with the
//   partition {50, 75, 87.5, 100} %; each partition step retrains the free weights with SGD
//   (momentum 0.9, Nesterov, decay 5e-4) at LR 0.01, cosine, restarted each step (INQ
//   retrains at a tenth of the FP rate; seed 004 gives no numbers). Codebook: n1 from each
//   layer's pretrained weights (INQ Eq. (2)); seed 004 instead fixes the top level to 4.0.
// - Retraining budget: after the preset, an INQ run gets round(epochs / 4) epochs per
//   partition step (at least 1): its four steps together cost about one FP run.
// - Control (edge_table5, strata's, not the paper's): INQ fine-tunes a converged float model
//   for 4 x that many epochs, so "INQ beats float" can be extra training. The float model
//   trained on from its own weights for as many epochs at INQ's LR (0.01, cosine over the
//   whole run; INQ restarts it per step) and nothing quantized separates the two.
// - Ensembles: member m of preset seed s is trained with seed s + 1000 (m - 1) (member 1
//   is the plain run, shared with edge_table5); the 8-bit members are INQ runs from the
//   float member of the same seed. Both adjustments are applied after the preset
//   (PlannedRun::after_preset, so the Bazel run actions see them too): the planned
//   config's seed is the member number.
// - Ensemble evaluation: moo/train/ensemble_eval.h (each member reloaded and checked
//   against the top-1 its run recorded; the mean of their softmax outputs).
#include "reports/edge_tables.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "datasets/datasets.h"
#include "models/models.h"
#include "moo/moo.h"
#include "quant/quant.h"
#include "reports/paper_numbers.h"
#include "reports/strata_tables.h"
#include "moo/train/train.h"

namespace strata {
namespace reports {
namespace {

constexpr double kWidth = 0.125;  // before the preset's multiplier
constexpr uint64_t kMemberSeedStride = 1000;
constexpr int kMaxMembers = 7;

ExperimentConfig Fp(const std::string& model, uint64_t member = 1) {
  ExperimentConfig c = FmnistConfig(model, kWidth);
  c.set_seed(member);
  return c;
}

ExperimentConfig Inq(const std::string& model, int bits, uint64_t member = 1) {
  ExperimentConfig c = Fp(model, member);
  c.set_name(model + "_inq" + std::to_string(bits));
  c.mutable_optimizer()->set_lr(0.01);
  c.mutable_schedule()->set_warmup_epochs(0);
  c.mutable_inq()->set_bits(bits);
  *c.mutable_pretrained() = Fp(model, member);
  return c;
}

// The control: the float run trained on at INQ's LR (file comment).
ExperimentConfig FloatContinued(const std::string& model) {
  ExperimentConfig c = Fp(model);
  c.set_name(model + "_float_continued");
  c.mutable_optimizer()->set_lr(0.01);
  c.mutable_schedule()->set_warmup_epochs(0);
  *c.mutable_pretrained() = Fp(model);
  return c;
}

constexpr int kInqSteps = 4;  // the default partition {50, 75, 87.5, 100} %

// The edge adjustments after the preset (file comment): member seeds, INQ epochs per step,
// the control's epochs (as many as an INQ run's steps together).
void Adjust(uint64_t member, uint64_t seed, ExperimentConfig* c) {
  c->set_seed(seed + kMemberSeedStride * (member - 1));
  const int per_step = std::max(1, static_cast<int>(std::lround(c->epochs() / double(kInqSteps))));
  if (c->has_inq()) {
    CHECK_EQ(c->inq().schedule_size() > 0 ? c->inq().schedule_size() : kInqSteps, kInqSteps)
        << "edge tables plan INQ with the default partition";
    c->set_epochs(per_step);
  } else if (c->has_pretrained()) {
    c->set_epochs(kInqSteps * per_step);  // the control
  }
  if (c->has_pretrained()) Adjust(member, seed, c->mutable_pretrained());
}

// A planned edge run: the adjustments above happen after the preset.
PlannedRun Edge(std::string id, ExperimentConfig config) {
  const uint64_t member = config.seed();
  PlannedRun run{std::move(id), std::move(config), nullptr};
  run.after_preset = [member](uint64_t seed, ExperimentConfig* c) { Adjust(member, seed, c); };
  return run;
}

const SeededRuns& ById(const std::vector<SeededRuns>& runs, const std::string& id) {
  for (const SeededRuns& r : runs) {
    if (r.id == id) return r;
  }
  CHECK(false) << "edge tables: no planned run " << id;
  return runs[0];
}

std::optional<double> PaperValue(const PaperTable& t, const std::string& row,
                                 const std::string& column) {
  const PaperEntry* e = t.Find(row, column);
  return e != nullptr ? e->number : std::nullopt;
}

Cell Opt(std::optional<double> v) { return v ? Number(*v) : Null(); }

// Claims are decided from quick on (smoke numbers are not meaningful).
std::optional<bool> Decide(const TableContext& ctx, bool holds) {
  return ctx.preset == "smoke" ? std::nullopt : std::optional<bool>(holds);
}

std::string Pct(double v) { return FormatCell(Number(v)) + " %"; }

// Quantized weights (conv/linear) and all parameters of a run's network (reloaded).
StatusOr<quant::InqStorage> Storage(const RunRecord& run, int bits) {
  STRATA_ASSIGN_OR_RETURN(moo::LoadedRun loaded, moo::LoadRun(run.dir));
  int64_t weights = 0;
  for (const models::Layer* l : loaded.net->layers()) weights += l->weight().numel();
  quant::InqStorage s;
  s.AddQuantized(weights, bits);
  s.AddFloat(loaded.net->NumParameters() - weights);
  return s;
}

}  // namespace

// ---- edge_table5: INQ 2-9 bits vs float ----

// Smoke (CI: the pipeline only) plans 2, 3, 5 and 8 bits, 3 ensemble members and only the
// 5-conv VGG in edge_table7, to stay within seconds.
bool Smoke(const TableContext& ctx) { return ctx.preset == "smoke"; }

std::vector<PlannedRun> EdgeTable5Plan(const TableContext& ctx) {
  std::vector<PlannedRun> plan = {Edge("float", Fp("vgg16_bn"))};
  for (int b = 2; b <= 9; ++b) {
    if (Smoke(ctx) && b != 2 && b != 3 && b != 5 && b != 8) continue;
    plan.push_back(Edge("inq" + std::to_string(b), Inq("vgg16_bn", b)));
  }
  plan.push_back(Edge("float_continued", FloatContinued("vgg16_bn")));
  return plan;
}

std::optional<int> SameParamsAs(const std::map<int, std::vector<std::string>>& digests, int bits) {
  const auto it = digests.find(bits);
  if (it == digests.end() || it->second.empty()) return std::nullopt;
  for (const auto& [narrower, d] : digests) {  // ascending widths
    if (narrower >= bits) break;
    if (d == it->second) return narrower;
  }
  return std::nullopt;
}

StatusOr<TableReport> EdgeTable5(const TableContext& ctx) {
  STRATA_ASSIGN_OR_RETURN(std::vector<SeededRuns> runs, RunPlanned(*FindTable("edge_table5"), ctx));
  STRATA_ASSIGN_OR_RETURN(PaperTable paper, LoadPaperTable("reports/paper/edge_table5.csv"));
  TableReport r = NewReport("edge_table5", ctx.preset, "accurate edge computing",
                            "INQ on VGG-16-BN at 2-9 bits vs float");
  r.set_note("strata: VGG-16-BN on Fashion-MNIST at the preset (width 1/8 x the preset's), INQ "
             "from the float run, 4 partition steps; paper: VGG-16 on ImageNet (seed 004 "
             "Table 5) - other data, compare trends. memory_reduction: 32/b over the "
             "quantized weights (seed 004's figure); with_float_rest also counts the float "
             "biases and BN parameters. epochs: the run's (an INQ run's per partition step). "
             "Note: an INQ run retrains that many epochs per "
             "partition step after the float run, so it has trained longer than the float row "
             "(as in seed 004, where INQ fine-tunes a converged model). The control row "
             "'float, trained on' (strata's, not in the paper) is the float model trained "
             "that long again at INQ's LR with nothing quantized: medium widths beating it "
             "is a gain from quantization, not from the extra epochs. same_params_as: the "
             "narrower width whose runs end with bit-identical parameters (same digest, every "
             "seed): no weight fell below 2^n2 / 2 of the narrower codebook, so the wider "
             "one's extra exponents went unused and the rows are one model.");
  for (const char* c : {"config", "bits", "strata_top1", "delta_vs_float", "paper_top1",
                        "memory_reduction", "with_float_rest", "epochs", "same_params_as"}) {
    r.add_columns(c);
  }
  // INQ width -> the final-parameter digests of its seeds, for same_params_as.
  std::map<int, std::vector<std::string>> digests;
  for (const SeededRuns& run : runs) {
    const ExperimentConfig& c = run.seeds.at(0).result.config();
    if (!c.has_inq()) continue;
    for (const RunRecord& seed : run.seeds) {
      digests[c.inq().bits()].push_back(seed.result.param_digest());
    }
  }
  auto same_params_as = [&digests](int bits) -> Cell {
    const std::optional<int> narrower = SameParamsAs(digests, bits);
    return narrower ? Text(std::to_string(*narrower) + " bits") : Null();
  };
  const SeedStats fp = Top1Stats(ById(runs, "float"));
  const SeedStats fp_continued = Top1Stats(ById(runs, "float_continued"));
  std::vector<double> top1(10, std::nan(""));
  for (const SeededRuns& run : runs) {
    const RunResult& first = run.seeds.at(0).result;
    const bool is_fp = !first.config().has_inq();
    const bool is_control = run.id == "float_continued";
    const int bits = is_fp ? 32 : first.config().inq().bits();
    const SeedStats s = Top1Stats(run);
    if (!is_fp) top1[bits] = s.mean;
    const std::string label =
        is_control ? "float, trained on" : is_fp ? "float" : std::to_string(bits) + " bits";
    std::vector<std::pair<std::string, Cell>> cells = {
        {"config", Text(label)},
        {"bits", Number(bits)},
        {"strata_top1", StatCell(s)},
        {"delta_vs_float", Number(s.mean - fp.mean)},
        {"paper_top1", is_control ? Null()
                                  : Opt(PaperValue(paper, "VGG-16",
                                                   is_fp ? "Original"
                                                         : "Quantization bit width | " +
                                                               std::to_string(bits) + " bits"))},
        {"memory_reduction", is_fp ? Number(1) : Number(32.0 / quant::InqCodeBits(bits))},
        {"with_float_rest", Null()},
        {"epochs", Number(first.config().epochs())},
        {"same_params_as", is_fp ? Null() : same_params_as(bits)},
    };
    if (!is_fp) {
      STRATA_ASSIGN_OR_RETURN(quant::InqStorage st, Storage(run.seeds.at(0), bits));
      cells[6].second = Number(st.Reduction());
    }
    AddRunCells(run, &cells);
    AddRow(&r, cells);
  }
  const double medium = *std::max_element(top1.begin() + 5, top1.begin() + 9);
  const bool medium_ok = medium >= fp.mean;
  const bool low_hurts = top1[2] < fp.mean && top1[3] < fp.mean;
  AddClaim(&r, "edge_table5.medium_bits_match_float",
           "medium widths (5-8 bits) >= float on an over-parameterized net",
           Decide(ctx, medium_ok),
           "best of 5-8 bits " + Pct(medium) + " vs float " + Pct(fp.mean));
  AddClaim(&r, "edge_table5.medium_bits_beat_extra_training",
           "strata's control: medium widths (5-8 bits) >= the float model trained on as long "
           "as INQ retrains (the gain is not the extra epochs)",
           Decide(ctx, medium >= fp_continued.mean),
           "best of 5-8 bits " + Pct(medium) + " vs float trained on " + Pct(fp_continued.mean) +
               " (float " + Pct(fp.mean) + ")");
  AddClaim(&r, "edge_table5.low_bits_hurt", "2-3 bits hurt (both below float)",
           Decide(ctx, low_hurts),
           "2 bits " + Pct(top1[2]) + ", 3 bits " + Pct(top1[3]) + ", float " + Pct(fp.mean));
  AddClaim(&r, "edge_table5.memory_reduction",
           "memory reduction 3.5x-6.4x for 5-9 bits (32/b over the weights)",
           std::optional<bool>(32.0 / 9 >= 3.5 && 32.0 / 5 <= 6.4 + 1e-9),
           "5 bits 6.4x, 7 bits 4.57x, 8 bits 4x, 9 bits 3.56x");
  return r;
}

// ---- edge_table6: ensembles ----

int Members(const TableContext& ctx) { return Smoke(ctx) ? 3 : kMaxMembers; }

std::vector<PlannedRun> EdgeTable6Plan(const TableContext& ctx) {
  std::vector<PlannedRun> plan;
  for (int m = 1; m <= Members(ctx); ++m) {
    plan.push_back(Edge("float_m" + std::to_string(m), Fp("vgg16_bn", m)));
    plan.push_back(Edge("inq8_m" + std::to_string(m), Inq("vgg16_bn", 8, m)));
  }
  return plan;
}

namespace {

}  // namespace

StatusOr<TableReport> EdgeTable6(const TableContext& ctx) {
  STRATA_ASSIGN_OR_RETURN(std::vector<SeededRuns> runs, RunPlanned(*FindTable("edge_table6"), ctx));
  STRATA_ASSIGN_OR_RETURN(PaperTable paper, LoadPaperTable("reports/paper/edge_table6.csv"));
  TableReport r = NewReport("edge_table6", ctx.preset, "accurate edge computing",
                            "ensembles of VGG-16-BN (1-7 members), float and 8-bit INQ");
  r.set_note("strata: mean of the members' softmax over the test set; member m trained with "
             "seed s + 1000(m-1) (s = the preset's seed; with several preset seeds, mean over "
             "them); 8-bit members are INQ runs from the float member. paper: ImageNet "
             "(seed 004 Table 6; its text's 8-bit '+1.95 % with 2 models' sits under '3').");
  r.add_columns("config");
  r.add_columns("source");
  const int members = Members(ctx);
  for (int m = 1; m <= members; ++m) r.add_columns("m" + std::to_string(m));
  std::string evidence;
  bool beats = true, medium = true;
  for (const char* kind : {"float", "inq8"}) {
    const std::string row = std::string(kind) == "float" ? "VGG-16" : "VGG-16 with 8 bits";
    const std::string label = std::string(kind) == "float" ? "float" : "8 bits";
    const size_t seeds = ById(runs, std::string(kind) + "_m1").seeds.size();
    std::vector<double> curve(members, 0.0);
    std::vector<std::pair<std::string, Cell>> cells = {{"config", Text(label)},
                                                       {"source", Text("strata")}};
    SeededRuns all;
    for (size_t s = 0; s < seeds; ++s) {
      std::vector<moo::Member> group;
      for (int m = 1; m <= members; ++m) {
        const RunRecord& member = ById(runs, std::string(kind) + "_m" + std::to_string(m)).seeds.at(s);
        group.push_back({member.dir, &member.result});
        all.seeds.push_back(member);
      }
      STRATA_ASSIGN_OR_RETURN(std::vector<double> c, moo::EnsembleCurve(group));
      for (int m = 0; m < members; ++m) curve[m] += c[m] / seeds;
    }
    for (int m = 0; m < members; ++m) cells.emplace_back("m" + std::to_string(m + 1), Number(curve[m]));
    AddRunCells(all, &cells);
    AddRow(&r, cells);
    std::vector<std::pair<std::string, Cell>> p = {{"config", Text(label)},
                                                   {"source", Text("paper (ImageNet)")}};
    for (int m = 1; m <= members; ++m) {
      p.emplace_back("m" + std::to_string(m),
                     Opt(PaperValue(paper, row, m == 1 ? "Original"
                                                       : "parallel numbers | " + std::to_string(m))));
    }
    AddRow(&r, p);
    const auto best = std::max_element(curve.begin() + 1, curve.end());
    const int best_m = static_cast<int>(best - curve.begin()) + 1;
    beats &= *best > curve[0];
    medium &= best_m < members;
    evidence += label + ": single " + Pct(curve[0]) + ", best " + Pct(*best) + " at " +
                std::to_string(best_m) + " members, " + std::to_string(members) +
                " members " + Pct(curve.back()) + "; ";
  }
  AddClaim(&r, "edge_table6.ensembles_beat_one", "ensembles beat one model (float and 8 bits)",
           Decide(ctx, beats), evidence);
  AddClaim(&r, "edge_table6.best_at_medium_count",
           "best at a medium count (the best ensemble is not the largest)",
           Decide(ctx, medium), evidence);
  return r;
}

// ---- edge_table7: smaller VGGs ----

namespace {
struct SmallVgg {
  const char* model;
  const char* paper_row;  // null: not in the paper's Table 7
};
constexpr SmallVgg kSmall[] = {{"vgg16_bn_small5", "VGG-16 with 5 conv-layers"},
                               {"vgg16_bn_small8", "VGG-16 with 8 conv-layers"},
                               {"vgg16_bn", nullptr}};
}  // namespace

std::vector<PlannedRun> EdgeTable7Plan(const TableContext& ctx) {
  std::vector<PlannedRun> plan;
  for (const SmallVgg& v : kSmall) {
    if (Smoke(ctx) && std::string(v.model) != "vgg16_bn_small5") continue;
    plan.push_back(Edge(std::string(v.model) + "_float", Fp(v.model)));
    for (int b : {4, 8}) plan.push_back(Edge(std::string(v.model) + "_inq" + std::to_string(b), Inq(v.model, b)));
  }
  return plan;
}

StatusOr<TableReport> EdgeTable7(const TableContext& ctx) {
  STRATA_ASSIGN_OR_RETURN(std::vector<SeededRuns> runs, RunPlanned(*FindTable("edge_table7"), ctx));
  STRATA_ASSIGN_OR_RETURN(PaperTable paper, LoadPaperTable("reports/paper/edge_table7.csv"));
  TableReport r = NewReport("edge_table7", ctx.preset, "accurate edge computing",
                            "smaller VGGs (5 and 8 convs): float vs 4 vs 8 bits");
  r.set_note("strata: Fashion-MNIST at the preset; the full VGG-16-BN row (not in the paper's "
             "Table 7) is edge_table5's runs, for contrast. paper: ImageNet (seed 004 Table 7).");
  for (const char* c : {"model", "source", "float", "4 bit", "8 bit", "best_gain_vs_float",
                        "parameters"}) {
    r.add_columns(c);
  }
  bool no_gain_small = true;
  std::string evidence;
  for (const SmallVgg& v : kSmall) {
    if (Smoke(ctx) && std::string(v.model) != "vgg16_bn_small5") continue;
    const std::string m = v.model;
    const SeedStats f = Top1Stats(ById(runs, m + "_float"));
    const SeedStats q4 = Top1Stats(ById(runs, m + "_inq4"));
    const SeedStats q8 = Top1Stats(ById(runs, m + "_inq8"));
    const double gain = std::max(q4.mean, q8.mean) - f.mean;
    std::vector<std::pair<std::string, Cell>> cells = {
        {"model", Text(m)},         {"source", Text("strata")},
        {"float", StatCell(f)},     {"4 bit", StatCell(q4)},
        {"8 bit", StatCell(q8)},    {"best_gain_vs_float", Number(gain)},
        {"parameters", Number(static_cast<double>(
                           ById(runs, m + "_float").seeds.at(0).result.num_parameters()))}};
    AddRunCells(ById(runs, m + "_inq8"), &cells);
    AddRow(&r, cells);
    if (v.paper_row != nullptr) {
      AddRow(&r, {{"model", Text(m)},
                  {"source", Text("paper (ImageNet)")},
                  {"float", Opt(PaperValue(paper, v.paper_row, "float"))},
                  {"4 bit", Opt(PaperValue(paper, v.paper_row, "4 bit"))},
                  {"8 bit", Opt(PaperValue(paper, v.paper_row, "8 bit"))}});
      no_gain_small &= !(gain > 0);
    }
    evidence += m + ": float " + Pct(f.mean) + ", 4 bit " + Pct(q4.mean) + ", 8 bit " +
                Pct(q8.mean) + "; ";
  }
  AddClaim(&r, "edge_table7.no_gain_on_small_models",
           "quantization stops helping on small models (neither 4 nor 8 bits beats float on "
           "the 5- and 8-conv VGGs)",
           Decide(ctx, no_gain_small), evidence);
  return r;
}

}  // namespace reports
}  // namespace strata
