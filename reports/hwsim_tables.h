// Tables that need no training: the accelerator side of AMED (seed 003) and hwsim's own
// validation against SCALE-Sim v2.
//   amed_table1              the three accelerator configs as hwsim presets, beside the
//                            paper's Table 1, each simulated on ResNet-18 (ImageNet, 8 bits)
//   amed_table6              hwsim's per-layer compute report beside the paper's Table 6
//   strata_hwsim_validation  hwsim vs HWSIM.md §6's worked layer (SCALE-Sim's printed
//                            numbers) under every config, and vs a directory of SCALE-Sim
//                            reports given with --reference=<dir>
#ifndef STRATA_REPORTS_HWSIM_TABLES_H_
#define STRATA_REPORTS_HWSIM_TABLES_H_

#include "reports/table.h"

namespace strata {
namespace reports {

StatusOr<TableReport> AmedTable1(const TableContext& ctx);
// Flags: --network=<models name> (default mobilenetv2), --config=<preset>, --mode=user|calc.
StatusOr<TableReport> AmedTable6(const TableContext& ctx);
// Flags: --reference=<dir of SCALE-Sim reports>, --topology=<csv>, --config=<cfg file>.
StatusOr<TableReport> HwsimValidation(const TableContext& ctx);

}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_HWSIM_TABLES_H_
