// amed_table1 (AMED, seed 003 Table 1): the three accelerator configurations as hwsim
// presets, checked field by field against the paper, each simulated on ResNet-18 (ImageNet,
// 8 bits). The preset does not change this table.
#include "reports/amed/claims.h"
#include "reports/amed/hwsim_layers.h"
#include "reports/tables.h"

namespace strata {
namespace reports {
namespace {

std::string Fmt(double v) { return FormatCell(Number(v)); }

struct ConfigField {
  const char* paper_row;  // row label in reports/paper/amed_table1.csv
  std::string value;      // hwsim's value, formatted like the paper's
};

std::vector<ConfigField> ConfigFields(const hwsim::AcceleratorConfig& c) {
  return {{"PE array height", Fmt(c.array_rows)},
          {"PE array width", Fmt(c.array_cols)},
          {"Input feature map SRAM (KB)", Fmt(c.ifmap_sram_kb)},
          {"Filter SRAM (KB)", Fmt(c.filter_sram_kb)},
          {"Output feature map SRAM (KB)", Fmt(c.ofmap_sram_kb)},
          {"Data flow", hwsim::DataflowName(c.dataflow)},
          {"Bandwidth (w/c)", Fmt(c.user_bandwidth())},
          {"Speed (GHz)", Fmt(c.clock_ghz)}};
}

struct Tally {
  int equal = 0, total = 0;
  std::string mismatches;
};

// One preset's row; its fields compared with the paper's column into *tally.
Status AddConfigRow(const TableInput& in, const char* preset, const char* column,
                    const std::vector<hwsim::Layer>& resnet18, Tally* tally, TableReport* r) {
  STRATA_ASSIGN_OR_RETURN(hwsim::AcceleratorConfig cfg, amed::PresetConfig(preset));
  int config_equal = 0;
  const std::vector<ConfigField> fields = ConfigFields(cfg);
  for (const ConfigField& f : fields) {
    const PaperEntry* e = in.paper.Find(f.paper_row, column);
    const bool same = e != nullptr && e->value == f.value;
    config_equal += same;
    if (!same) {
      tally->mismatches += std::string(" ") + column + "/" + f.paper_row + ": paper " +
                           (e ? e->value : "missing") + " vs hwsim " + f.value + ";";
    }
  }
  tally->equal += config_equal;
  tally->total += static_cast<int>(fields.size());
  const hwsim::NetworkResult net = hwsim::SimulateNetwork(cfg, resnet18, hwsim::SimOptions());
  AddRow(r, {{"config", Text(preset)},
             {"paper_config", Text(column)},
             {"array", Text(Fmt(cfg.array_rows) + "x" + Fmt(cfg.array_cols))},
             {"sram_kb", Text(Fmt(cfg.ifmap_sram_kb) + "/" + Fmt(cfg.filter_sram_kb) + "/" +
                              Fmt(cfg.ofmap_sram_kb))},
             {"dataflow", Text(hwsim::DataflowName(cfg.dataflow))},
             {"bandwidth", Number(cfg.user_bandwidth())},
             {"clock_ghz", Number(cfg.clock_ghz)},
             {"fields_equal_paper",
              Text(std::to_string(config_equal) + "/" + std::to_string(fields.size()))},
             {"resnet18_cycles", Number(net.totals.cycles)},
             {"resnet18_stall_cycles", Number(net.totals.stall_cycles)},
             {"resnet18_latency_ms", Number(net.totals.latency_ms)}});
  return Status::Ok();
}

Status Build(const TableInput& in, TableReport* r) {
  STRATA_ASSIGN_OR_RETURN(std::vector<hwsim::Layer> resnet18, amed::ModelLayers("resnet18"));
  r->set_note(
      "Paper: AMED Table 1. strata: hwsim presets; each simulated on ResNet-18 (ImageNet "
      "shapes, 224x224, exported by //models) at 8 bits in SCALE-Sim mode. The preset does "
      "not change this table.");
  for (const char* c :
       {"config", "paper_config", "array", "sram_kb", "dataflow", "bandwidth", "clock_ghz",
        "fields_equal_paper", "resnet18_cycles", "resnet18_stall_cycles", "resnet18_latency_ms"}) {
    r->add_columns(c);
  }
  Tally tally;
  for (const auto& [preset, column] :
       {std::pair("scalesim", "SCALE-Sim"), std::pair("scalesim_lowmem", "SCALE-Sim Low Mem"),
        std::pair("eyeriss", "Eyeriss v1")}) {
    STRATA_RETURN_IF_ERROR(AddConfigRow(in, preset, column, resnet18, &tally, r));
  }
  AddClaim(r, amed::kPresetsEqualPaper,
           amed::PresetsEqualPaper(tally.equal, tally.total, tally.mismatches), in.preset());
  return Status::Ok();
}

}  // namespace

TableDef AmedTable1() {
  return DefineTable(__FILE__, {nullptr,
                                Build,
                                "accelerator configs",
                                "Accelerator configurations",
                                {amed::kPresetsEqualPaper}});
}

}  // namespace reports
}  // namespace strata
