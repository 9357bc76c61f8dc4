// The closed-form prefetch positions of operands.h against a literal count: walk each read
// operand's stacked prefetch matrix in prefetch order (anti-diagonals, row descending, or
// row-major; HWSIM.md §5.2), number its valid cells, and compare with Position() /
// ClosedPosition() for every cell — os/ws/is, IFMAP and FILTER, partial edge folds in both
// directions, 1x1 and strided layers, single-channel (DP) layers, 1-wide arrays. The
// addresses in the tables are checked against AddressMap (§1) on the way.
#include "hwsim/operands.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <vector>

namespace strata::hwsim {
namespace {

TEST(Operands, CellsBeforeDiagonalCountsTheTriangle) {
  for (int64_t a = 0; a <= 7; ++a) {
    for (int64_t b = 0; b <= 7; ++b) {
      for (int64_t s = -3; s <= 16; ++s) {
        int64_t n = 0;
        for (int64_t i = 0; i < a; ++i)
          for (int64_t j = 0; j < b; ++j) n += i + j < s;
        EXPECT_EQ(CellsBeforeDiagonal(a, b, s), n) << a << "x" << b << " s " << s;
      }
    }
  }
}

// Cells of `op`'s matrix in prefetch order.
std::vector<int64_t> PrefetchOrder(const ReadOperand& op) {
  std::vector<int64_t> order;
  if (!op.anti_diagonal) {
    for (int64_t i = 0; i < op.rows * op.cols; ++i) order.push_back(i);
    return order;
  }
  for (int64_t d = 0; d < op.rows + op.cols - 1; ++d) {
    for (int64_t r = op.rows - 1; r >= 0; --r) {
      const int64_t c = d - r;
      if (c >= 0 && c < op.cols) order.push_back(op.cell(r, c));
    }
  }
  return order;
}

// The address of cell (row, col) from the layer alone (§1, §5.2 layouts).
int64_t ExpectedAddress(const ReadOperand& op, const AddressMap& map, const GemmDims& d,
                        bool ifmap, Dataflow df, int64_t extent, int64_t row, int64_t col) {
  const int64_t s = row / op.block_rows * op.ports + col, u = row % op.block_rows;
  if (col >= op.ports || s >= extent) return -1;  // padding of a partial fold
  if (ifmap) return op.spatial_is_pixel ? map.Ifmap(s, u) : map.Ifmap(u, s);
  return df == Dataflow::kIs ? map.Filter(s, u) : map.Filter(u, s);  // is: k on the edge
}

void CheckOperand(const Layer& l, const AcceleratorConfig& c, Operand which) {
  const GemmDims d = Dims(l);
  const Mapping m = MakeMapping(c.dataflow, c.array_rows, c.array_cols, d);
  const bool ifmap = which == Operand::kIfmap;
  ReadOperand with, without;
  BuildReadOperand(l, c, m, which, /*tables=*/true, &with);
  BuildReadOperand(l, c, m, which, /*tables=*/false, &without);
  ASSERT_TRUE(with.has_tables());
  EXPECT_EQ(without.has_tables(), without.has_holes);  // tables only when needed
  const AddressMap map(l, c);
  const int64_t extent = ifmap ? (with.spatial_is_pixel ? d.m : d.k)
                               : (c.dataflow == Dataflow::kIs ? d.k : d.n);
  int64_t valid = 0;
  for (int64_t cell : PrefetchOrder(with)) {
    const int64_t row = cell / with.cols, col = cell % with.cols;
    const int64_t a = ExpectedAddress(with, map, d, ifmap, c.dataflow, extent, row, col);
    ASSERT_EQ(with.addr[cell], a) << "cell " << row << "," << col;
    ASSERT_EQ(with.Position(row, col), valid) << "cell " << row << "," << col;
    ASSERT_EQ(without.Position(row, col), valid) << "cell " << row << "," << col;
    if (!with.has_holes) ASSERT_EQ(with.ClosedPosition(row, col), valid);
    valid += a != -1;
  }
  EXPECT_EQ(with.valid, valid);
  EXPECT_EQ(without.valid, valid);
}

TEST(Operands, PositionsEqualTheCountInPrefetchOrder) {
  const uint32_t seed = 7;
  std::mt19937 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int holes = 0, partial = 0;
  for (int iter = 0; iter < 300; ++iter) {
    Layer l;
    l.filter_h = pick(1, 3), l.filter_w = pick(1, 3);
    l.stride_h = pick(1, 3), l.stride_w = pick(1, 3);
    l.ifmap_h = l.filter_h + pick(0, 9), l.ifmap_w = l.filter_w + pick(0, 9);
    if (iter % 3 != 0) {  // mostly without holes: extents the windows tile exactly
      l.ifmap_h = l.filter_h + l.stride_h * pick(0, 4);
      l.ifmap_w = l.filter_w + l.stride_w * pick(0, 4);
    }
    l.channels = iter % 7 == 0 ? 1 : pick(1, 5), l.num_filters = pick(1, 11);
    AcceleratorConfig c;
    c.array_rows = pick(1, 7), c.array_cols = pick(1, 7);
    c.dataflow = static_cast<Dataflow>(iter % 3);
    std::ostringstream what;
    what << "seed " << seed << " iter " << iter << ": H" << l.ifmap_h << " W" << l.ifmap_w
         << " F" << l.filter_h << "x" << l.filter_w << " C" << l.channels << " N"
         << l.num_filters << " s" << l.stride_h << "," << l.stride_w << " array "
         << c.array_rows << "x" << c.array_cols << " " << DataflowName(c.dataflow);
    SCOPED_TRACE(what.str());
    for (Operand which : {Operand::kIfmap, Operand::kFilter}) {
      CheckOperand(l, c, which);
      if (HasFatalFailure()) return;
      ReadOperand op;
      BuildReadOperand(l, c, MakeMapping(c.dataflow, c.array_rows, c.array_cols, Dims(l)), which,
                       false, &op);
      holes += op.has_holes;
      partial += op.pad_col < op.cols;
    }
  }
  EXPECT_GT(holes, 30);  // the table path is exercised too
  EXPECT_GT(partial, 200);
}

}  // namespace
}  // namespace strata::hwsim
