// amed_table6 (AMED, seed 003 Table 6, Appendix C): hwsim's per-layer compute report beside
// the paper's, whose network, bit allocation and config are unstated. Flags --network=<models
// name> (default mobilenetv2), --config=<preset> (scalesim), --mode=user|calc (calc).
#include <sstream>

#include "reports/amed/claims.h"
#include "reports/amed/hwsim_layers.h"
#include "reports/tables.h"

namespace strata {
namespace reports {
namespace {

// One row per topology CSV row: SCALE-Sim expands a depthwise (DP) row into one layer per
// channel; those copies are summed back (cycles, MACs) and their utilizations recomputed.
struct SourceRow {
  std::string name;
  int64_t cycles = 0, stalls = 0, macs = 0;
  double mapping_weighted = 0, compute_weighted = 0;  // percent x cycles
};

std::vector<SourceRow> BySourceRow(const std::vector<hwsim::Layer>& layers,
                                   const hwsim::NetworkResult& net) {
  std::vector<SourceRow> rows;
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const hwsim::LayerReport& rep = net.layers[i].report;
    if (rows.empty() || rows.back().name != layers[i].source_name) {
      rows.push_back({layers[i].source_name});
    }
    SourceRow& s = rows.back();
    s.cycles += rep.total_cycles;
    s.stalls += rep.stall_cycles;
    s.macs += rep.dims.macs();
    s.mapping_weighted += rep.mapping_eff_pct * rep.total_cycles;
    s.compute_weighted += rep.compute_util_pct * rep.total_cycles;
  }
  return rows;
}

// The setting --network, --config and --mode choose.
struct Setting {
  std::string network, preset, mode;
};
StatusOr<Setting> SettingOf(const TableContext& ctx) {
  auto flag = [&](const char* key, const char* fallback) {
    const auto it = ctx.flags.find(key);
    return it == ctx.flags.end() || it->second.empty() ? std::string(fallback) : it->second;
  };
  const std::string network = flag("network", "mobilenetv2"), preset = flag("config", "scalesim"),
                    mode = flag("mode", "calc");
  if (mode != "user" && mode != "calc") {
    return InvalidArgumentError("flag --mode: value '" + mode + "' is not user or calc");
  }
  return Setting{network, preset, mode};
}

// One row per paper row or simulated source row; *same_cycles, *paper_rows counted.
void AddLayerRows(const PaperTable& paper, const std::vector<SourceRow>& rows, int64_t pes,
                  int* same_cycles, int* paper_rows, TableReport* r) {
  for (size_t i = 0; i < rows.size() || paper.Find(std::to_string(i), "Total Cycles"); ++i) {
    const std::string id = std::to_string(i);
    auto paper_cell = [&](const char* column) {
      const PaperEntry* e = paper.Find(id, column);
      return e && e->number ? Number(*e->number) : Null();
    };
    const PaperEntry* paper_cycles = paper.Find(id, "Total Cycles");
    *paper_rows += paper_cycles != nullptr;
    Cells cells = {{"layer", Number(static_cast<double>(i))},
                   {"paper_total_cycles", paper_cell("Total Cycles")},
                   {"paper_stall_cycles", paper_cell("Stall Cycles")},
                   {"paper_overall_util_pct", paper_cell("Overall Util %")},
                   {"paper_mapping_eff_pct", paper_cell("Mapping Efficiency %")},
                   {"paper_compute_util_pct", paper_cell("Compute Util %")}};
    if (i < rows.size()) {
      const SourceRow& s = rows[i];
      const double cyc = static_cast<double>(s.cycles);
      cells.insert(cells.end(), {{"name", Text(s.name)},
                                 {"total_cycles", Number(cyc)},
                                 {"stall_cycles", Number(static_cast<double>(s.stalls))},
                                 {"overall_util_pct", Number(100.0 * s.macs / (cyc * pes))},
                                 {"mapping_eff_pct", Number(s.mapping_weighted / cyc)},
                                 {"compute_util_pct", Number(s.compute_weighted / cyc)}});
      *same_cycles += paper_cycles && paper_cycles->number && *paper_cycles->number == cyc;
    }
    AddRow(r, cells);
  }
}

Status Build(const TableInput& in, TableReport* r) {
  STRATA_ASSIGN_OR_RETURN(const Setting s, SettingOf(in.ctx));
  const std::string &network = s.network, &preset = s.preset, &mode = s.mode;
  STRATA_ASSIGN_OR_RETURN(std::vector<hwsim::Layer> layers, amed::ModelLayers(network));
  STRATA_ASSIGN_OR_RETURN(hwsim::AcceleratorConfig cfg, amed::PresetConfig(preset));
  if (mode == "calc") cfg.bandwidth_mode = hwsim::BandwidthMode::kCalc;
  const hwsim::NetworkResult net = hwsim::SimulateNetwork(cfg, layers, hwsim::SimOptions());
  const std::vector<SourceRow> rows = BySourceRow(layers, net);

  r->set_note(
      "Paper: AMED Table 6 (Appendix C), whose network, bit allocation and config are "
      "not stated. strata: hwsim on " +
      network + " (224x224, 8 bits), config " + preset + ", " + mode +
      " bandwidth mode; depthwise rows summed over SCALE-Sim's per-channel "
      "copies. Flags --network, --config, --mode choose another setting.");
  for (const char* c :
       {"layer", "name", "total_cycles", "paper_total_cycles", "stall_cycles", "paper_stall_cycles",
        "overall_util_pct", "paper_overall_util_pct", "mapping_eff_pct", "paper_mapping_eff_pct",
        "compute_util_pct", "paper_compute_util_pct"}) {
    r->add_columns(c);
  }
  const int64_t pes = cfg.array_rows * cfg.array_cols;
  int same_cycles = 0, paper_rows = 0;
  AddLayerRows(in.paper, rows, pes, &same_cycles, &paper_rows, r);
  AddClaim(r, amed::kMatchesScaleSim,
           amed::MatchesScaleSim(same_cycles, paper_rows, static_cast<int>(rows.size())),
           in.preset());
  return Status::Ok();
}

}  // namespace

TableDef AmedTable6() {
  return DefineTable(__FILE__, {nullptr,
                                Build,
                                "per-layer compute report",
                                "Per-layer compute report",
                                {amed::kMatchesScaleSim},
                                {"network", "config", "mode"}});
}

}  // namespace reports
}  // namespace strata
