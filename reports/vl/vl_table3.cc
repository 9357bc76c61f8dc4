// vl_table3 (vertical layering, seed 001 Table 3): per-bit LSQ against once-QAT without and
// with cosine self-KD on the paper's five networks (smoke and quick: ResNet-18 alone), top-1
// and top-5, beside the paper's ImageNet numbers and the methods it cites.
#include <set>

#include "reports/tables.h"
#include "reports/vl/ablation.h"

namespace strata {
namespace reports {
namespace {

using catalog::kPaperWidths;
using vl::Network;
using vl::WidthStats;

std::vector<Network> Table3Networks(const TableContext& ctx) {
  return vl::Networks(ctx, {"ResNet-18", "ResNet-34", "ResNet-50", "MobileNetV2", "VGG-16 BN"});
}

std::vector<PlannedRun> Plan(const TableContext& ctx) {
  std::vector<PlannedRun> plan;
  for (const Network& n : Table3Networks(ctx)) {
    plan.push_back({n.id + "_fp", catalog::Fp(n.model, catalog::kFamilyWidth)});
    for (int b : kPaperWidths) {
      plan.push_back(
          {n.id + "_lsq_w" + std::to_string(b), catalog::Lsq(n.model, catalog::kFamilyWidth, b)});
    }
    plan.push_back(vl::OnceRun(n, "us"));
    plan.push_back(vl::OnceRun(n, "kd_cos"));
  }
  return plan;
}

// The paper's rows of `net` marked cited, in the CSV's order (its LSQ row aside).
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

void AddCitedRows(const Network& n, const PaperTable& paper, TableReport* r) {
  for (const std::string& m : CitedRows(paper, n.paper)) {
    Cells cells = {{"network", Text(n.paper)}, {"method", Text(m)}};
    vl::AddPaperCells(paper, n.paper + " | " + m, true, &cells);
    cells.emplace_back("vertical-layered",
                       PaperCell(paper, n.paper + " | " + m, "Vertical-layered"));
    cells.emplace_back("cited", Text("yes (paper's numbers only)"));
    AddRow(r, cells);
  }
}

void AddFpRow(const Network& n, const SeededRuns& fp, const PaperTable& paper, TableReport* r) {
  Cells cells = {{"network", Text(n.paper)},
                 {"method", Text("FP (the QAT runs' start)")},
                 {"strata FP top-1", StatCell(Top1Stats(fp))},
                 {"strata FP top-5", StatCell(Top5Stats(fp))},
                 {"paper FP top-1", PaperCell(paper, n.paper + " | FP", "Top-1")},
                 {"paper FP top-5", PaperCell(paper, n.paper + " | FP", "Top-5")}};
  AddRunRow(r, cells, fp);
}

// The per-bit LSQ row (three runs) of network n.
WidthStats AddLsqRow(const Network& n, const TableInput& in, TableReport* r) {
  WidthStats lsq;
  Cells cells = {{"network", Text(n.paper)}, {"method", Text("LSQ (per bit-width)")}};
  for (int k = 0; k < 3; ++k) {
    const SeededRuns& run = in.Run(n.id + "_lsq_w" + std::to_string(kPaperWidths[k]));
    lsq.top1[k] = Top1Stats(run), lsq.top5[k] = Top5Stats(run);
    cells.emplace_back("digest_w" + std::to_string(kPaperWidths[k]),
                       Text(run.seeds.at(0).result.param_digest()));
  }
  vl::AddWidthCells(lsq, in.paper, n.paper + " | LSQ", true, &cells);
  cells.emplace_back("vertical-layered", Text("×"));
  cells.emplace_back(
      "cited", Text(PaperCited(in.paper, n.paper + " | LSQ") ? "paper's LSQ numbers cited" : "no"));
  AddRunRow(r, cells, in.Run(n.id + "_lsq_w2"));
  return lsq;
}

// once-QAT w/o (kd = false) or w. cosine self-KD of network n.
WidthStats AddOnceRow(const Network& n, bool kd, const TableInput& in, TableReport* r) {
  const SeededRuns& run = in.Run(n.id + (kd ? "_kd_cos" : "_us"));
  const WidthStats once = vl::OnceStats(run);
  Cells cells = {{"network", Text(n.paper)},
                 {"method", Text(kd ? "once-QAT w. self-KD" : "once-QAT w/o self-KD")}};
  vl::AddWidthCells(once, in.paper,
                    n.paper + (kd ? " | Ours (w. self-KD)" : " | Ours (w/o self-KD)"), true,
                    &cells);
  cells.emplace_back("vertical-layered", Text("✓"));
  cells.emplace_back("cited", Text("no"));
  AddRunRow(r, cells, run);
  return once;
}

Status Build(const TableInput& in, TableReport* r) {
  const std::vector<Network> nets = Table3Networks(in.ctx);
  r->set_note(vl::DataNote(nets, in.ctx) +
              " LSQ = one run per width (vl_table1's for "
              "ResNet-18); self-KD = cosine (Eq. 11). Rows marked cited are the paper's copies "
              "of other papers (its LSQ rows for MobileNetV2 and VGG-16 BN too: strata measures "
              "LSQ there).");
  vl::AddColumns(r, {"network", "method"}, true,
                 {"strata FP top-1", "strata FP top-5", "paper FP top-1", "paper FP top-5",
                  "vertical-layered", "cited"});
  std::vector<vl::Versus> near, kd;
  for (const Network& n : nets) {
    AddCitedRows(n, in.paper, r);
    AddFpRow(n, in.Run(n.id + "_fp"), in.paper, r);
    const WidthStats lsq = AddLsqRow(n, in, r);
    const WidthStats without = AddOnceRow(n, false, in, r);
    const WidthStats with = AddOnceRow(n, true, in, r);
    near.push_back({n.paper, without.Top1(), lsq.Top1()});
    kd.push_back({n.paper, with.Top1(), without.Top1()});
  }
  AddClaim(r, vl::kTable3OnceQatNearLsq, vl::EveryNetworkOnceQatNearLsq(near), in.preset());
  AddClaim(r, vl::kSelfKdHelps2Bit, vl::SelfKdHelps2Bit(kd), in.preset());
  return Status::Ok();
}

}  // namespace

TableDef VlTable3() {
  return DefineTable(__FILE__, {Plan,
                                Build,
                                "five networks: LSQ vs once-QAT",
                                "LSQ vs once-QAT without and with self-KD, top-1 and top-5",
                                {vl::kTable3OnceQatNearLsq, vl::kSelfKdHelps2Bit}});
}

}  // namespace reports
}  // namespace strata
