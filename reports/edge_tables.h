// Accurate edge computing (seed 004) classification tables: INQ on VGG-16-BN at 2-9 bits
// (edge_table5), ensembles of 2-7 float and 8-bit members (edge_table6), smaller VGGs at
// float/4/8 bits (edge_table7). See edge_tables.cc for the protocol.
//
//   {"edge_table5", ..., EdgeTable5, {}, EdgeTable5Plan}   // registry.cc
#ifndef STRATA_REPORTS_EDGE_TABLES_H_
#define STRATA_REPORTS_EDGE_TABLES_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reports/table.h"

namespace strata {
namespace reports {

StatusOr<TableReport> EdgeTable5(const TableContext& ctx);
StatusOr<TableReport> EdgeTable6(const TableContext& ctx);
StatusOr<TableReport> EdgeTable7(const TableContext& ctx);
std::vector<PlannedRun> EdgeTable5Plan(const TableContext& ctx);
std::vector<PlannedRun> EdgeTable6Plan(const TableContext& ctx);
std::vector<PlannedRun> EdgeTable7Plan(const TableContext& ctx);

// edge_table5's same_params_as: given each INQ width's final-parameter digests (one per
// seed, in seed order), the narrowest width below `bits` whose digests are all equal to
// `bits`'s (the runs are one model: the wider codebook's extra exponents went unused), or
// nullopt.
std::optional<int> SameParamsAs(const std::map<int, std::vector<std::string>>& digests, int bits);

}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_EDGE_TABLES_H_
