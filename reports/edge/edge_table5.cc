// edge_table5 (accurate edge computing, seed 004 Table 5): INQ on VGG-16-BN at 2-9 bits vs
// float, with the memory reduction and strata's compute-matched float control. Protocol
// (ALGORITHMS.md §4; catalog.h): the float run at width 1/8 before the preset's multiplier;
// INQ from its weights with the partition {50, 75, 87.5, 100} %, each step retrained at LR
// 0.01 for round(epochs / 4) epochs; the control trains the float model on at that LR for as
// many epochs as INQ's steps together.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "reports/edge/claims.h"
#include "reports/tables.h"

namespace strata {
namespace reports {
namespace {

constexpr char kModel[] = "vgg16_bn";

std::vector<int> Widths(const Preset& preset) {
  const auto& cut = preset.sweeps().inq_bits();
  if (!cut.empty()) return {cut.begin(), cut.end()};
  std::vector<int> all;
  for (int b = 2; b <= 9; ++b) all.push_back(b);
  return all;
}

std::vector<PlannedRun> Plan(const TableContext& ctx) {
  std::vector<PlannedRun> plan = {catalog::EdgeRun("float", catalog::EdgeFp(kModel))};
  for (int b : Widths(ctx.preset_config)) {
    plan.push_back(catalog::EdgeRun("inq" + std::to_string(b), catalog::EdgeInq(kModel, b)));
  }
  plan.push_back(catalog::EdgeRun("float_continued", catalog::EdgeFloatContinued(kModel)));
  return plan;
}

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

// INQ width -> the final-parameter digests of its seeds, for same_params_as.
std::map<int, std::vector<std::string>> InqDigests(const std::vector<SeededRuns>& runs) {
  std::map<int, std::vector<std::string>> digests;
  for (const SeededRuns& run : runs) {
    const ExperimentConfig& c = run.seeds.at(0).result.config();
    if (!c.has_inq()) continue;
    for (const RunRecord& seed : run.seeds)
      digests[c.inq().bits()].push_back(seed.result.param_digest());
  }
  return digests;
}

constexpr char kNote[] =
    "strata: VGG-16-BN on Fashion-MNIST at the preset (width 1/8 x the preset's), INQ "
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
    "one's extra exponents went unused and the rows are one model.";

// One run's row; an INQ run's top-1 into sweep->inq.
Status AddSweepRow(const TableInput& in, const SeededRuns& run, const SeedStats& fp,
                   const std::map<int, std::vector<std::string>>& digests, edge::InqSweep* sweep,
                   TableReport* r) {
  const RunResult& first = run.seeds.at(0).result;
  const bool is_fp = !first.config().has_inq();
  const bool is_control = run.id == "float_continued";
  const int bits = is_fp ? 32 : first.config().inq().bits();
  const SeedStats s = Top1Stats(run);
  if (!is_fp) sweep->inq[bits] = s.mean;
  const std::string label = is_control ? "float, trained on"
                            : is_fp    ? "float"
                                       : std::to_string(bits) + " bits";
  const std::string paper_column =
      is_fp ? "Original" : "Quantization bit width | " + std::to_string(bits) + " bits";
  const PaperEntry* paper = is_control ? nullptr : in.paper.Find("VGG-16", paper_column);
  const std::optional<int> same = is_fp ? std::nullopt : edge::SameParamsAs(digests, bits);
  Cells cells = {
      {"config", Text(label)},
      {"bits", Number(bits)},
      {"strata_top1", StatCell(s)},
      {"delta_vs_float", Number(s.mean - fp.mean)},
      {"paper_top1", paper != nullptr && paper->number ? Number(*paper->number) : Null()},
      {"memory_reduction", is_fp ? Number(1) : Number(32.0 / quant::InqCodeBits(bits))},
      {"with_float_rest", Null()},
      {"epochs", Number(first.config().epochs())},
      {"same_params_as", same ? Text(std::to_string(*same) + " bits") : Null()},
  };
  if (!is_fp) {
    STRATA_ASSIGN_OR_RETURN(quant::InqStorage st, Storage(run.seeds.at(0), bits));
    cells[6].second = Number(st.Reduction());
  }
  AddRunRow(r, cells, run);
  return Status::Ok();
}

Status Build(const TableInput& in, TableReport* r) {
  r->set_note(kNote);
  for (const char* c : {"config", "bits", "strata_top1", "delta_vs_float", "paper_top1",
                        "memory_reduction", "with_float_rest", "epochs", "same_params_as"}) {
    r->add_columns(c);
  }
  const std::map<int, std::vector<std::string>> digests = InqDigests(in.runs);
  const SeedStats fp = Top1Stats(in.Run("float"));
  edge::InqSweep sweep;
  sweep.fp = fp.mean;
  sweep.fp_continued = Top1Stats(in.Run("float_continued")).mean;
  for (const SeededRuns& run : in.runs) {
    STRATA_RETURN_IF_ERROR(AddSweepRow(in, run, fp, digests, &sweep, r));
  }
  std::map<int, int> code_bits;
  for (int b = 5; b <= 9; ++b) code_bits[b] = quant::InqCodeBits(b);
  AddClaim(r, edge::kMediumBitsMatchFloat, edge::MediumBitsMatchFloat(sweep), in.preset());
  AddClaim(r, edge::kMediumBitsBeatExtraTraining, edge::MediumBitsBeatExtraTraining(sweep),
           in.preset());
  AddClaim(r, edge::kLowBitsHurt, edge::LowBitsHurt(sweep), in.preset());
  AddClaim(r, edge::kMemoryReduction, edge::MemoryReduction(code_bits), in.preset());
  return Status::Ok();
}

}  // namespace

TableDef EdgeTable5() {
  return DefineTable(__FILE__, {Plan,
                                Build,
                                "INQ 2-9 bits vs float",
                                "INQ on VGG-16-BN at 2-9 bits vs float",
                                {edge::kMediumBitsMatchFloat, edge::kMediumBitsBeatExtraTraining,
                                 edge::kLowBitsHurt, edge::kMemoryReduction}});
}

}  // namespace reports
}  // namespace strata
