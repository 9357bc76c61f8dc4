// Mapping a GEMM onto the array (HWSIM.md §2-4) and the two read operands' address layouts.
//
// Dimension letters: GEMM M (output pixels), N (filters), K (window); array R rows x C cols;
// Sr/Sc/T the spatial-row, spatial-column and temporal extents of the dataflow; Fr/Fc the
// row and column folds. Folds run column fold outer, row fold inner (§2).
//
// Each read operand (IFMAP, FILTER) is described by its *prefetch matrix*: the per-fold tiles
// stacked vertically, padded with -1, read in anti-diagonal or row-major order (§5.2). Every
// demand row of the array touches cells (row_a + da*p, p) for ports p in [p0, p1], and those
// cells are in increasing prefetch order — the property the fast read buffer relies on. The
// matrices are not materialized unless needed: a cell's prefetch position has a closed form
// (ReadOperand::ClosedPosition). The reference simulator (reference_sim.h) builds the same
// matrices literally instead.
#ifndef STRATA_HWSIM_OPERANDS_H_
#define STRATA_HWSIM_OPERANDS_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "hwsim/config.h"
#include "hwsim/topology.h"

namespace strata::hwsim {

struct Mapping {
  Dataflow dataflow = Dataflow::kOs;
  int64_t R = 1, C = 1;           // array rows, columns
  int64_t sr = 1, sc = 1, t = 1;  // §2 table
  int64_t fr = 1, fc = 1;         // folds: ceil(Sr/R), ceil(Sc/C)
  int64_t fold_len = 1;           // demand rows per fold, §3

  int64_t rows_used(int64_t fr_i) const { return sr - fr_i * R < R ? sr - fr_i * R : R; }
  int64_t cols_used(int64_t fc_i) const { return sc - fc_i * C < C ? sc - fc_i * C : C; }
  int64_t num_folds() const { return fr * fc; }
  int64_t demand_rows() const { return num_folds() * fold_len; }
};
Mapping MakeMapping(Dataflow df, int64_t R, int64_t C, const GemmDims& d);

// Compute-report fields and SRAM counts, §3-4 (closed forms; no simulation needed).
struct ComputeStats {
  double mapping_eff_pct = 0;   // mean over folds of used/(R*C), times 100
  double compute_util_pct = 0;  // mean over folds of used*T/(R*C*L), times 100
  int64_t sram_ifmap_reads = 0, sram_filter_reads = 0, sram_ofmap_writes = 0;
};
ComputeStats MakeComputeStats(const Mapping& m, const GemmDims& d);

// Number of valid OFMAP writes in demand row `t` of fold (fc_i, fr_i), §3.
inline int64_t OfmapWritesInRow(const Mapping& m, int64_t fc_i, int64_t fr_i, int64_t t);

// Operand addresses, §1: IFMAP (p, k), FILTER (k, n), OFMAP (p, n); -1 = no request.
class AddressMap {
 public:
  AddressMap(const Layer& layer, const AcceleratorConfig& config);
  int64_t Ifmap(int64_t p, int64_t k) const;
  int64_t Filter(int64_t k, int64_t n) const { return filter_offset_ + n * k_ + k; }
  int64_t Ofmap(int64_t p, int64_t n) const { return ofmap_offset_ + p * n_ + n; }
  // True when one IFMAP address can appear at several (p, k) (overlapping windows).
  bool ifmap_repeats() const { return fh_ > sh_ || fw_ > sw_; }
  int64_t ifmap_offset() const { return ifmap_offset_; }
  int64_t ifmap_words() const { return h_ * w_ * cin_; }

 private:
  int64_t h_, w_, cin_, fh_, fw_, sh_, sw_, ew_, k_, n_;
  int64_t ifmap_offset_, filter_offset_, ofmap_offset_;
};

// One demand row of one read operand: ports p in [p0, p1] read cell (row_a + da * p, p).
struct DemandRow {
  int64_t row_a = 0;
  int64_t da = 0;
  int64_t p0 = 0, p1 = -1;  // empty when p1 < p0
  int64_t s0 = 0, u0 = 0;   // port p reads spatial index s0 + p, temporal index u0 + da*p
  bool empty() const { return p1 < p0; }
  int64_t cell_row(int64_t p) const { return row_a + da * p; }
};

enum class Operand { kIfmap, kFilter };

// An IFMAP request as output pixel (oy, ox) and window position (fy, fx, c) (§1).
struct IfmapRequest {
  int64_t oy = 0, ox = 0, fy = 0, fx = 0, c = 0;
};

// # cells (i, j) of an a x b rectangle with i + j < s (anti-diagonals before diagonal s).
inline int64_t CellsBeforeDiagonal(int64_t a, int64_t b, int64_t s) {
  const int64_t m = std::min(a, s);  // rows that start before diagonal s
  if (m <= 0 || b <= 0) return 0;
  const int64_t full = std::clamp<int64_t>(s - b + 1, 0, m);  // rows wholly before it
  return full * b + (m - full) * s - (m - 1 + full) * (m - full) / 2;
}

// A read operand's prefetch matrix, its prefetch order and its demand pattern.
//
// Prefetch positions. The read buffer only needs, per cell, its *position*: the number of
// valid cells before it in prefetch order (its 1% line is position / line size, §5.2). The
// valid cells are every cell except the padding of the last, partly filled block — the
// rectangle [pad_row, rows) x [pad_col, cols) — and, only when `has_holes`, IFMAP cells whose
// window sticks out (§1). Without holes Position() is a closed form and no per-cell table
// exists; with holes (or for CALC, which needs addresses) BuildReadOperand fills `addr` and
// `pos` tables. Either way, the valid cells of one demand row are consecutive in prefetch
// order when there are no holes (a streamed row is a run of one anti-diagonal, a stationary
// row a run of one matrix row).
struct ReadOperand {
  int64_t rows = 0, cols = 0;        // stacked prefetch matrix
  bool anti_diagonal = false;        // prefetch order: anti-diagonals (else row-major)
  int64_t pad_row = 0, pad_col = 0;  // padding rectangle of the last block (empty: pad_col = cols)
  int64_t valid = 0;                 // # valid cells
  bool may_repeat = false;           // an address can occupy several cells
  bool has_holes = false;            // some in-range cells are -1 (IFMAP windows sticking out)
  int64_t addr_base = 0, addr_span = 0;  // address range (for per-address tables)
  // Tables, filled only when has_holes or when asked for (CALC); otherwise empty.
  std::vector<int32_t> addr;  // rows*cols addresses, -1 = no request
  std::vector<int32_t> pos;   // Position of each cell
  // Demand pattern.
  bool stationary = false;  // loaded once per fold in R reversed rows (ws FILTER, is IFMAP)
  bool block_by_col_fold = false;
  int64_t block_rows = 0;  // rows per stacked block (T streamed, K stationary)
  int64_t lead = 0;        // idle rows before streaming starts in a fold
  int64_t ports = 0;       // R or C

  // IFMAP geometry, used to find every cell holding a repeated address (AddressMap, §1).
  int64_t h = 0, w = 0, cin = 1, fh = 1, fw = 1, sh = 1, sw = 1, eh = 1, ew = 1;
  bool spatial_is_pixel = false;  // IFMAP: the array-edge index is the output pixel (os, is)

  bool has_tables() const { return !addr.empty(); }
  int64_t cell(int64_t row, int64_t col) const { return row * cols + col; }
  // # valid cells before (row, col) in prefetch order (for an invalid cell: before the next
  // valid one).
  inline int64_t Position(int64_t row, int64_t col) const;
  // The same without tables (no holes); the tables hold exactly this then (operands_test).
  inline int64_t ClosedPosition(int64_t row, int64_t col) const;
  // Position of spatial index s (along the array edge) and temporal index u in its block.
  int64_t PositionOf(int64_t s, int64_t u) const {
    const int64_t b = s / ports;
    return Position(b * block_rows + u, s - b * ports);
  }
  inline DemandRow Row(const Mapping& m, int64_t fc_i, int64_t fr_i, int64_t t) const;
  // True when the row requests at least one real address.
  inline bool RowHasRequest(const DemandRow& r) const;

  // Repeated IFMAP addresses (overlapping windows, §1). The address of request x also sits
  // in the cell of every *candidate* (jy, jx): pixel (oy - jy, ox - jx), window position
  // (fy + jy*sh, fx + jx*sw, c), when both are in range. Along a demand row the request moves
  // by one port at a time: the pixel index by dpix and the window index by dk (each -1, 0 or
  // +1; the spatial index s always by +1, the temporal one u by the row's da).
  IfmapRequest RequestOf(int64_t s, int64_t u) const;
  // x moved n ports along the row (mixed-radix carries; divides only when a digit wraps).
  void Advance(IfmapRequest* x, int64_t n, int64_t dpix, int64_t dk) const;
  bool Holds(const IfmapRequest& x, int64_t jy, int64_t jx) const;
  // Position of candidate (jy, jx)'s cell; *col = its column. While the row's ports keep
  // the candidate in range and in one block, its position advances by one per port.
  int64_t CandidatePosition(const IfmapRequest& x, int64_t jy, int64_t jx, int64_t* col) const;
  // Ports, from x on, over which candidate (jy, jx) keeps holding the request's address,
  // bounded where a moving digit wraps or leaves the candidate's range (x must hold it).
  int64_t HoldsRun(const IfmapRequest& x, int64_t jy, int64_t jx, int64_t dpix, int64_t dk) const;
};

// Builds IFMAP or FILTER's layout for `layer` under `config`'s dataflow. The address and
// position tables are filled when `tables` or when the layout has holes. Reuses `op`'s
// vectors (capacity kept across layers).
void BuildReadOperand(const Layer& layer, const AcceleratorConfig& config, const Mapping& m,
                      Operand which, bool tables, ReadOperand* op);

// Inline definitions (called once per demand row).

inline int64_t OfmapWritesInRow(const Mapping& m, int64_t fc_i, int64_t fr_i, int64_t t) {
  // Port c writes tile row u = t - lead - c (§3, skewed by C-1).
  int64_t lo, hi;
  if (m.dataflow == Dataflow::kOs) {
    // T-1 idle rows, then R rows bottom first: only rows [R - rows_used, R) are real.
    const int64_t lead = m.t - 1;
    lo = t - lead - (m.R - 1);
    hi = t - lead - (m.R - m.rows_used(fr_i));
  } else {
    const int64_t lead = 2 * m.R - 1;  // ws/is: weights load, then T result rows
    lo = t - lead - (m.t - 1);
    hi = t - lead;
  }
  lo = std::max<int64_t>(lo, 0);
  hi = std::min<int64_t>(hi, m.cols_used(fc_i) - 1);
  return hi >= lo ? hi - lo + 1 : 0;
}

inline DemandRow ReadOperand::Row(const Mapping& m, int64_t fc_i, int64_t fr_i, int64_t t) const {
  DemandRow r;
  if (stationary) {  // R reversed rows of the tile, then idle (§3 ws FILTER / is IFMAP)
    if (t >= m.R) return r;
    const int64_t j = m.R - 1 - t;
    if (j >= m.rows_used(fr_i)) return r;
    r.row_a = fc_i * block_rows + fr_i * m.R + j;
    r.p1 = m.cols_used(fc_i) - 1;
    r.s0 = fc_i * ports;
    r.u0 = fr_i * m.R + j;
    return r;
  }
  // Streamed and skewed: port p reads element u0 - p of its column (§3).
  const int64_t b = block_by_col_fold ? fc_i : fr_i;
  const int64_t used = block_by_col_fold ? m.cols_used(fc_i) : m.rows_used(fr_i);
  const int64_t u0 = t - lead;
  r.row_a = b * block_rows + u0;
  r.da = -1;
  r.p0 = std::max<int64_t>(0, u0 - block_rows + 1);
  r.p1 = std::min<int64_t>(used - 1, u0);
  r.s0 = b * ports;
  r.u0 = u0;
  return r;
}

inline int64_t ReadOperand::ClosedPosition(int64_t row, int64_t col) const {
  const int64_t pad_w = cols - pad_col;
  if (!anti_diagonal) {  // row-major; padded cells of earlier rows, then of this row
    if (row < pad_row) return row * cols + col;
    return row * cols + col - (row - pad_row) * pad_w - std::max<int64_t>(0, col - pad_col);
  }
  // Diagonals d' < d, minus their padded cells; then the cells of diagonal d below this one
  // (rows r' > row, which come first), minus the padded ones (r' >= pad_row, d - r' >= pad_col).
  const int64_t d = row + col, last = std::min(d, rows - 1);
  const int64_t before = CellsBeforeDiagonal(rows, cols, d) -
                         CellsBeforeDiagonal(rows - pad_row, pad_w, d - pad_row - pad_col);
  const int64_t padded =
      std::max<int64_t>(0, std::min(last, d - pad_col) - std::max(row + 1, pad_row) + 1);
  return before + (last - row) - padded;
}

inline int64_t ReadOperand::Position(int64_t row, int64_t col) const {
  return pos.empty() ? ClosedPosition(row, col) : pos[static_cast<size_t>(cell(row, col))];
}

inline bool ReadOperand::RowHasRequest(const DemandRow& r) const {
  if (!has_holes) return !r.empty();
  for (int64_t p = r.p0; p <= r.p1; ++p) {
    if (addr[cell(r.cell_row(p), p)] != -1) return true;
  }
  return false;
}

}  // namespace strata::hwsim

#endif  // STRATA_HWSIM_OPERANDS_H_
