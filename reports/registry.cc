// Every target of ../shared/docs/TABLES.md, in its order. A table gets its function when it
// is implemented; `bazel run //reports:all` lists the others as not implemented yet.
#include "reports/edge_tables.h"
#include "reports/hwsim_tables.h"
#include "reports/speed_table.h"
#include "reports/strata_tables.h"
#include "reports/table.h"
#include "reports/vl_fig_tables.h"
#include "reports/vl_more_tables.h"
#include "reports/vl_once_tables.h"

namespace strata {
namespace reports {

const std::vector<TableDef>& AllTables() {
  static const std::vector<TableDef> tables = {
      {"vl_table1", "vertical layering", "vl", "LSQ vs ascending vs co-training", VlTable1, {},
       VlTable1Plan},
      {"vl_table2", "vertical layering", "vl", "ResNet-18: LSQ vs once-QAT", VlTable2, {},
       VlTable2Plan},
      {"vl_table3", "vertical layering", "vl", "five networks: LSQ vs once-QAT", VlTable3, {},
       VlTable3Plan},
      {"vl_table4", "vertical layering", "vl", "BN variants", VlTable4, {}, VlTable4Plan},
      {"vl_table5", "vertical layering", "vl", "ResNet-50 baselines, weight size", VlTable5, {},
       VlTable5Plan},
      {"vl_table6", "vertical layering", "vl", "US vs MGD", VlTable6, {}, VlTable6Plan},
      {"vl_table7", "vertical layering", "vl", "positive compensation", VlTable7, {},
       VlTable7Plan},
      {"vl_table8", "vertical layering", "vl", "shared vs per-bit first/last layers", VlTable8, {},
       VlTable8Plan},
      {"vl_table9", "vertical layering", "vl", "self-KD: none / KL / cosine", VlTable9, {},
       VlTable9Plan},
      {"vl_fig5", "vertical layering", "vl", "weight histograms", VlFig5, {"layer"}, VlFig5Plan},
      {"vl_fig7", "vertical layering", "vl", "MGD alpha, gradient norms, act. error", VlFig7, {},
       VlFig7Plan},
      {"vl_fig8", "vertical layering", "vl", "mixed precision (Eq. 12)", VlFig8, {"bn_images"},
       VlFig8Plan},
      {"amed_table1", "AMED", "amed", "accelerator configs", AmedTable1, {}},
      {"amed_table2", "AMED", "amed", "SCALE-Sim config: accuracy, latency, size", {}, {}},
      {"amed_table4", "AMED", "amed", "beta x eta ablation", {}, {}},
      {"amed_table5", "AMED", "amed", "Eyeriss v1 config", {}, {}},
      {"amed_table6", "AMED", "amed", "per-layer compute report", AmedTable6,
       {"network", "config", "mode"}},
      {"amed_fig_pareto", "AMED", "amed", "accuracy vs latency, Pareto front", {}, {}},
      {"amed_fig_bits", "AMED", "amed", "per-layer bit allocations", {}, {}},
      {"edge_table5", "accurate edge computing", "edge", "INQ 2-9 bits vs float", EdgeTable5, {},
       EdgeTable5Plan},
      {"edge_table6", "accurate edge computing", "edge", "ensembles, float and 8-bit", EdgeTable6, {},
       EdgeTable6Plan},
      {"edge_table7", "accurate edge computing", "edge", "small VGGs: float, 4, 8 bits", EdgeTable7, {},
       EdgeTable7Plan},
      {"edge_table1", "accurate edge computing", "edge", "FCN segmentation (Tables 1-4)", {}, {}},
      {"edge_table8", "accurate edge computing", "edge", "speech RNN (Tables 8-10)", {}, {}},
      {"strata_fp", "strata", "strata", "FP accuracy of each model family", StrataFp, {},
       StrataFpPlan},
      {"strata_speed", "strata", "strata", "engine speed vs GEMM peak and PyTorch", StrataSpeed,
       {"python", "models"}},
      {"strata_bits", "strata", "strata", "integer inference time per bit-width", {}, {}},
      {"strata_hwsim_validation", "strata", "strata", "hwsim vs SCALE-Sim v2", HwsimValidation,
       {"reference", "topology", "config"}},
  };
  return tables;
}

const std::map<std::string, std::vector<std::string>>& DeclaredClaims() {
  static const std::map<std::string, std::vector<std::string>> claims = {
      {"vl_table1", {"vl_table1.ascending_below_lsq", "vl_table1.cotrain_diverges"}},
      {"vl_table2", {"vl_table2.once_qat_near_lsq", "vl_table2.only_once_qat_vertical"}},
      {"vl_table3", {"vl_table3.once_qat_near_lsq", "vl_table3.self_kd_helps_2bit"}},
      {"vl_table4", {"vl_table4.shared_bn_collapses", "vl_table4.individual_ge_statistics"}},
      {"vl_table6", {"vl_table6.us_ge_mgd_3_4bit"}},
      {"vl_table8", {"vl_table8.per_bit_ends_little_gain"}},
      {"vl_table9", {"vl_table9.cosine_ge_none_2bit", "vl_table9.kl_no_better"}},
      {"vl_fig7",
       {"vl_fig7.mgd_alpha_unstable", "vl_fig7.mgd_alpha_weighted_to_2bit",
        "vl_fig7.self_kd_lowers_late_error"}},
      {"vl_table7",
       {"vl_table7.resnet18_raises_2bit", "vl_table7.resnet18_none_worse",
        "vl_table7.mobilenetv2_raises_2bit", "vl_table7.mobilenetv2_none_worse"}},
      {"vl_table5",
       {"vl_table5.qat_ft_collapses_at_2bit", "vl_table5.once_qat_near_best",
        "vl_table5.adabits_fp_storage"}},
      {"vl_fig5",
       {"vl_fig5.plain_downsampling_piles_at_zero_negative", "vl_fig5.once_qat_resembles_lsq"}},
      {"vl_fig8",
       {"vl_fig8.accuracy_rises_with_budget", "vl_fig8.mixed_beats_uniform3_with_fewer_bits",
        "vl_fig8.mixed_path_self_check"}},
      {"amed_table1", {"amed_table1.presets_equal_paper"}},
      {"amed_table6", {"amed_table6.matches_scalesim"}},
      {"edge_table5",
       {"edge_table5.medium_bits_match_float", "edge_table5.medium_bits_beat_extra_training",
        "edge_table5.low_bits_hurt", "edge_table5.memory_reduction"}},
      {"edge_table6", {"edge_table6.ensembles_beat_one", "edge_table6.best_at_medium_count"}},
      {"edge_table7", {"edge_table7.no_gain_on_small_models"}},
      {"strata_fp", {"strata_fp.every_family_learns"}},
      {"strata_speed",
       {"strata_speed.resnet20_train_vs_pytorch", "strata_speed.resnet20_infer_vs_pytorch",
        "strata_speed.resnet20_train_pct_sgemm", "strata_speed.same_shapes",
        "strata_speed.every_model_train_vs_pytorch", "strata_speed.lsq_step_overhead",
        "strata_speed.onceqat_step_overhead"}},
      // reference_dir is reported only with --reference=<dir>.
      {"strata_hwsim_validation", {"strata_hwsim_validation.worked_example"}},
  };
  return claims;
}

}  // namespace reports
}  // namespace strata
