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
int64_t ExpectedAddress(const ReadOperand& op, const AddressMap& map, const GemmDims& d, bool ifmap,
                        Dataflow df, int64_t extent, int64_t row, int64_t col) {
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
  const int64_t extent =
      ifmap ? (with.spatial_is_pixel ? d.m : d.k) : (c.dataflow == Dataflow::kIs ? d.k : d.n);
  int64_t valid = 0;
  for (int64_t cell : PrefetchOrder(with)) {
    const int64_t row = cell / with.cols, col = cell % with.cols;
    const int64_t a = ExpectedAddress(with, map, d, ifmap, c.dataflow, extent, row, col);
    ASSERT_EQ(with.addr[cell], a) << "cell " << row << "," << col;
    ASSERT_EQ(with.Position(row, col), valid) << "cell " << row << "," << col;
    ASSERT_EQ(without.Position(row, col), valid) << "cell " << row << "," << col;
    if (!with.has_holes) {
      ASSERT_EQ(with.ClosedPosition(row, col), valid);
    }
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
    what << "seed " << seed << " iter " << iter << ": H" << l.ifmap_h << " W" << l.ifmap_w << " F"
         << l.filter_h << "x" << l.filter_w << " C" << l.channels << " N" << l.num_filters << " s"
         << l.stride_h << "," << l.stride_w << " array " << c.array_rows << "x" << c.array_cols
         << " " << DataflowName(c.dataflow);
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

// The repeated-address geometry the read buffer's runs rely on, against AddressMap (§1):
// along a demand row, Advance(x, i) is the request of port p + i; candidate (jy, jx) holds
// the same address at every port HoldsRun covers (where Holds says so at the start); and its
// cell's position advances by one per port while it stays in its block.
TEST(Operands, CandidateRunsHoldTheRequestsAddress) {
  const uint32_t seed = 11;
  std::mt19937 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int64_t runs = 0, long_runs = 0;
  for (int iter = 0; iter < 800; ++iter) {
    Layer l;
    l.filter_h = pick(1, 4), l.filter_w = pick(1, 4);
    l.stride_h = pick(1, 3), l.stride_w = pick(1, 3);
    l.ifmap_h = l.filter_h + l.stride_h * pick(0, 5),
    l.ifmap_w = l.filter_w + l.stride_w * pick(0, 5);
    l.channels = pick(1, 4), l.num_filters = pick(1, 5);
    AcceleratorConfig c;
    c.array_rows = pick(1, 7), c.array_cols = pick(1, 7);
    c.dataflow = static_cast<Dataflow>(iter % 3);
    const GemmDims d = Dims(l);
    const Mapping m = MakeMapping(c.dataflow, c.array_rows, c.array_cols, d);
    ReadOperand op;
    BuildReadOperand(l, c, m, Operand::kIfmap, false, &op);
    const AddressMap map(l, c);
    SCOPED_TRACE(::testing::Message()
                 << "seed " << seed << " iter " << iter << " " << DataflowName(c.dataflow));
    // A random port's request and the row direction of this dataflow (operands.h Row()).
    const int64_t da = op.stationary ? 0 : -1;
    const int64_t dpix = op.spatial_is_pixel ? 1 : da, dk = op.spatial_is_pixel ? da : 1;
    const int64_t extent = op.spatial_is_pixel ? d.m : d.k;
    const int64_t s = pick(0, static_cast<int>(extent - 1));
    const int64_t u = pick(0, static_cast<int>(op.block_rows - 1));
    const IfmapRequest x = op.RequestOf(s, u);
    auto address = [&](int64_t si, int64_t ui) {
      return op.spatial_is_pixel ? map.Ifmap(si, ui) : map.Ifmap(ui, si);
    };
    for (int64_t i = 0; s + i < extent && u + da * i >= 0 && i < 60; ++i) {  // any distance
      IfmapRequest xi = x;
      op.Advance(&xi, i, dpix, dk);
      const IfmapRequest want = op.RequestOf(s + i, u + da * i);
      ASSERT_TRUE(xi.oy == want.oy && xi.ox == want.ox && xi.fy == want.fy && xi.fx == want.fx &&
                  xi.c == want.c)
          << "Advance by " << i;
    }
    for (int64_t jy = -4; jy <= 4; ++jy) {
      for (int64_t jx = -4; jx <= 4; ++jx) {
        if (!op.Holds(x, jy, jx)) continue;
        const int64_t n = op.HoldsRun(x, jy, jx, dpix, dk);
        ASSERT_GE(n, 1);
        int64_t col0 = 0;
        const int64_t pos0 = op.CandidatePosition(x, jy, jx, &col0);
        ++runs;
        long_runs += n > 1;
        for (int64_t i = 0; i < std::min<int64_t>(n, 40); ++i) {
          const int64_t si = s + i, ui = u + da * i;
          if (si >= extent || ui < 0) break;  // past the operand: no port there
          IfmapRequest xi = x;
          op.Advance(&xi, i, dpix, dk);
          ASSERT_TRUE(op.Holds(xi, jy, jx)) << "port +" << i << " jy " << jy << " jx " << jx;
          // The candidate's cell holds the request's address.
          const int64_t p2 = (xi.oy - jy) * op.ew + xi.ox - jx;
          const int64_t k2 = ((xi.fy + jy * op.sh) * op.fw + xi.fx + jx * op.sw) * op.cin + xi.c;
          const int64_t a = address(si, ui);
          ASSERT_NE(a, -1);
          ASSERT_EQ(map.Ifmap(p2, k2), a);
          int64_t col = 0;
          const int64_t pos = op.CandidatePosition(xi, jy, jx, &col);
          if (col0 + i < op.ports) {
            ASSERT_EQ(pos, pos0 + i) << "port +" << i;
            ASSERT_EQ(col, col0 + i);
          }
        }
      }
    }
  }
  EXPECT_GT(runs, 1200);
  EXPECT_GT(long_runs, 400);
}

}  // namespace
}  // namespace strata::hwsim
