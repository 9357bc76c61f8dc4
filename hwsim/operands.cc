#include "hwsim/operands.h"

#include <algorithm>
#include <cassert>
#include <cstdint>

namespace strata::hwsim {

Mapping MakeMapping(Dataflow df, int64_t R, int64_t C, const GemmDims& d) {
  Mapping m;
  m.dataflow = df;
  m.R = R;
  m.C = C;
  switch (df) {  // HWSIM.md §2 table
    case Dataflow::kOs:
      m.sr = d.m, m.sc = d.n, m.t = d.k;
      break;
    case Dataflow::kWs:
      m.sr = d.k, m.sc = d.n, m.t = d.m;
      break;
    case Dataflow::kIs:
      m.sr = d.k, m.sc = d.m, m.t = d.n;
      break;
  }
  m.fr = (m.sr + R - 1) / R;
  m.fc = (m.sc + C - 1) / C;
  // §3: os T+R+C-2 per fold, ws and is 2R+C+T-2; full R and C even in edge folds.
  m.fold_len = df == Dataflow::kOs ? m.t + R + C - 2 : 2 * R + C + m.t - 2;
  return m;
}

ComputeStats MakeComputeStats(const Mapping& m, const GemmDims& d) {
  ComputeStats s;
  // §3: per-fold ratios averaged in fold order (column fold outer), summed left to right as
  // SCALE-Sim does, so the doubles match to the last bit.
  const int64_t L =
      m.dataflow == Dataflow::kOs ? m.t + m.R + m.C - 2 : 2 * m.R + 2 * m.C + m.t - 3;  // §3 quirk
  const double pes = static_cast<double>(m.R * m.C);
  double map_sum = 0, util_sum = 0;
  for (int64_t fc_i = 0; fc_i < m.fc; ++fc_i) {
    for (int64_t fr_i = 0; fr_i < m.fr; ++fr_i) {
      const int64_t used = m.rows_used(fr_i) * m.cols_used(fc_i);
      map_sum += static_cast<double>(used) / pes;
      util_sum += static_cast<double>(used * m.t) / static_cast<double>(m.R * m.C * L);
    }
  }
  const double folds = static_cast<double>(m.num_folds());
  s.mapping_eff_pct = map_sum / folds * 100;
  s.compute_util_pct = util_sum / folds * 100;
  // §4 table.
  switch (m.dataflow) {
    case Dataflow::kOs:
      s.sram_ifmap_reads = d.m * d.k * m.fc;
      s.sram_filter_reads = d.k * d.n * m.fr;
      s.sram_ofmap_writes = d.m * d.n + m.fr * m.fc * (m.R + m.C);  // (*) bookkeeping quirk
      break;
    case Dataflow::kWs:
      s.sram_ifmap_reads = d.m * d.k * m.fc;
      s.sram_filter_reads = d.k * d.n;
      s.sram_ofmap_writes = d.m * d.n * m.fr;
      break;
    case Dataflow::kIs:
      s.sram_ifmap_reads = d.m * d.k;
      s.sram_filter_reads = d.k * d.n * m.fc;
      s.sram_ofmap_writes = d.m * d.n * m.fr;
      break;
  }
  return s;
}

AddressMap::AddressMap(const Layer& l, const AcceleratorConfig& c)
    : h_(l.ifmap_h),
      w_(l.ifmap_w),
      cin_(l.channels),
      fh_(l.filter_h),
      fw_(l.filter_w),
      sh_(l.stride_h),
      sw_(l.stride_w),
      ew_(Dims(l).ew),
      k_(Dims(l).k),
      n_(l.num_filters),
      ifmap_offset_(c.ifmap_offset),
      filter_offset_(c.filter_offset),
      ofmap_offset_(c.ofmap_offset) {}

int64_t AddressMap::Ifmap(int64_t p, int64_t k) const {
  // §1: row p = output pixel (oy, ox); column k = (fy, fx, c), channel fastest; NHWC.
  const int64_t iy = (p / ew_) * sh_, ix = (p % ew_) * sw_;
  const int64_t fy = k / (fw_ * cin_), rem = k % (fw_ * cin_);
  const int64_t fx = rem / cin_, c = rem % cin_;
  if (iy + fy >= h_ || ix + fx >= w_) return -1;  // window sticks out: no request
  return ifmap_offset_ + ((iy + fy) * w_ + (ix + fx)) * cin_ + c;
}

namespace {

// Position of each cell = # valid cells before it in prefetch order, counted incrementally
// (an invalid cell gets the position of the next valid one).
void ComputePositions(ReadOperand* op) {
  op->pos.resize(op->addr.size());
  int32_t valid = 0;
  auto visit = [&](size_t i) {
    op->pos[i] = valid;
    valid += op->addr[i] != -1;
  };
  if (!op->anti_diagonal) {
    for (size_t i = 0; i < op->addr.size(); ++i) visit(i);
  } else {  // diagonal d = row + col ascending, row descending within a diagonal (§5.2)
    const int64_t rows = op->rows, cols = op->cols;
    for (int64_t d = 0; d + 1 < rows + cols; ++d) {
      const int64_t rmax = std::min(d, rows - 1), rmin = std::max<int64_t>(0, d - cols + 1);
      for (int64_t row = rmax; row >= rmin; --row) visit(static_cast<size_t>(row * cols + d - row));
    }
  }
  op->valid = valid;
}

// Addresses of IFMAP (pixel p0 + i, window position k) for i < n: one decomposition, then
// incremental steps along the output row (AddressMap::Ifmap, §1).
void IfmapPixelRun(const ReadOperand& op, int64_t base, int64_t k, int64_t p0, int64_t n,
                   int32_t* out) {
  const int64_t fy = k / (op.fw * op.cin), rem = k % (op.fw * op.cin);
  const int64_t fx = rem / op.cin, c = rem % op.cin;
  int64_t oy = p0 / op.ew, ox = p0 % op.ew;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t y = oy * op.sh + fy, x = ox * op.sw + fx;
    out[i] =
        (y >= op.h || x >= op.w) ? -1 : static_cast<int32_t>(base + (y * op.w + x) * op.cin + c);
    if (++ox == op.ew) ox = 0, ++oy;
  }
}

// Addresses of IFMAP (pixel p, window positions k0 + i) for i < n.
void IfmapWindowRun(const ReadOperand& op, int64_t base, int64_t p, int64_t k0, int64_t n,
                    int32_t* out) {
  const int64_t iy = (p / op.ew) * op.sh, ix = (p % op.ew) * op.sw;
  int64_t fy = k0 / (op.fw * op.cin), rem = k0 % (op.fw * op.cin);
  int64_t fx = rem / op.cin, c = rem % op.cin;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t y = iy + fy, x = ix + fx;
    out[i] =
        (y >= op.h || x >= op.w) ? -1 : static_cast<int32_t>(base + (y * op.w + x) * op.cin + c);
    if (++c == op.cin) {
      c = 0;
      if (++fx == op.fw) fx = 0, ++fy;
    }
  }
}

void SetGeometry(const Layer& l, const GemmDims& d, ReadOperand* op) {
  op->h = l.ifmap_h, op->w = l.ifmap_w, op->cin = l.channels;
  op->fh = l.filter_h, op->fw = l.filter_w, op->sh = l.stride_h, op->sw = l.stride_w;
  op->eh = d.eh, op->ew = d.ew;
}

// Fills the stacked prefetch matrix with the operand's addresses (§1), -1 for fold padding.
void FillAddresses(const GemmDims& d, bool ifmap, bool filter_k_on_edge, int64_t extent,
                   ReadOperand* op) {
  const int64_t blocks = op->rows / op->block_rows;
  op->addr.resize(static_cast<size_t>(op->rows * op->cols));
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t s0 = b * op->ports, n = std::min(op->ports, extent - s0);
    for (int64_t u = 0; u < op->block_rows; ++u) {
      int32_t* row = &op->addr[static_cast<size_t>((b * op->block_rows + u) * op->cols)];
      if (ifmap && op->spatial_is_pixel) {
        IfmapPixelRun(*op, op->addr_base, u, s0, n, row);
      } else if (ifmap) {
        IfmapWindowRun(*op, op->addr_base, u, s0, n, row);
      } else if (filter_k_on_edge) {  // s = k, u = n
        for (int64_t i = 0; i < n; ++i)
          row[i] = static_cast<int32_t>(op->addr_base + u * d.k + s0 + i);
      } else {  // s = n, u = k
        for (int64_t i = 0; i < n; ++i)
          row[i] = static_cast<int32_t>(op->addr_base + (s0 + i) * d.k + u);
      }
      std::fill(row + n, row + op->cols, -1);  // padding of a partial fold
    }
  }
}

}  // namespace

IfmapRequest ReadOperand::RequestOf(int64_t s, int64_t u) const {
  const int64_t p = spatial_is_pixel ? s : u, k = spatial_is_pixel ? u : s;
  const int64_t fwc = fw * cin;
  return {p / ew, p % ew, k / fwc, (k % fwc) / cin, k % cin};
}

void ReadOperand::Advance(IfmapRequest* x, int64_t n, int64_t dpix, int64_t dk) const {
  auto carry = [](int64_t* digit, int64_t radix) {  // floor division of the overflow
    const int64_t q = *digit >= 0 ? *digit / radix : -((radix - 1 - *digit) / radix);
    *digit -= q * radix;
    return q;
  };
  x->ox += n * dpix;
  if (x->ox < 0 || x->ox >= ew) x->oy += carry(&x->ox, ew);
  x->c += n * dk;
  if (x->c < 0 || x->c >= cin) {
    x->fx += carry(&x->c, cin);
    if (x->fx < 0 || x->fx >= fw) x->fy += carry(&x->fx, fw);
  }
}

bool ReadOperand::Holds(const IfmapRequest& x, int64_t jy, int64_t jx) const {
  const int64_t fy2 = x.fy + jy * sh, fx2 = x.fx + jx * sw, oy2 = x.oy - jy, ox2 = x.ox - jx;
  return fy2 >= 0 && fy2 < fh && fx2 >= 0 && fx2 < fw && oy2 >= 0 && oy2 < eh && ox2 >= 0 &&
         ox2 < ew;
}

int64_t ReadOperand::CandidatePosition(const IfmapRequest& x, int64_t jy, int64_t jx,
                                       int64_t* col) const {
  const int64_t p2 = (x.oy - jy) * ew + x.ox - jx;
  const int64_t k2 = ((x.fy + jy * sh) * fw + x.fx + jx * sw) * cin + x.c;
  const int64_t s2 = spatial_is_pixel ? p2 : k2, u2 = spatial_is_pixel ? k2 : p2;
  const int64_t b = s2 / ports;
  *col = s2 - b * ports;
  return Position(b * block_rows + u2, *col);
}

int64_t ReadOperand::HoldsRun(const IfmapRequest& x, int64_t jy, int64_t jx, int64_t dpix,
                              int64_t dk) const {
  // Only ox and c move between wraps; ox must keep 0 <= ox - jx < ew, and a wrap of c moves
  // fx (and maybe fy), after which the candidate is checked afresh.
  int64_t n = INT64_MAX;
  if (dpix > 0) n = std::min(ew, ew + jx) - x.ox;         // ox - jx < ew, ox < ew
  if (dpix < 0) n = x.ox - std::max<int64_t>(jx, 0) + 1;  // ox - jx >= 0, ox >= 0
  if (dk > 0) n = std::min(n, cin - x.c);
  if (dk < 0) n = std::min(n, x.c + 1);
  return n;
}

void BuildReadOperand(const Layer& layer, const AcceleratorConfig& config, const Mapping& m,
                      Operand which, bool tables, ReadOperand* op) {
  const GemmDims d = Dims(layer);
  const Dataflow df = m.dataflow;
  const bool ifmap = which == Operand::kIfmap;
  op->stationary = (df == Dataflow::kWs && !ifmap) || (df == Dataflow::kIs && ifmap);
  op->anti_diagonal = !op->stationary;  // §5.2: streamed operands are read by anti-diagonals
  op->block_by_col_fold = op->stationary || (df == Dataflow::kOs && !ifmap);
  op->ports = (op->stationary || (df == Dataflow::kOs && !ifmap)) ? m.C : m.R;
  op->block_rows = op->stationary ? m.sr : m.t;
  op->lead = (df == Dataflow::kOs || op->stationary) ? 0 : m.R;
  op->rows = (op->block_by_col_fold ? m.fc : m.fr) * op->block_rows;
  op->cols = op->ports;
  SetGeometry(layer, d, op);
  op->spatial_is_pixel = ifmap && df != Dataflow::kWs;
  op->may_repeat = ifmap && (layer.filter_h > layer.stride_h || layer.filter_w > layer.stride_w);
  op->has_holes = ifmap && ((layer.ifmap_h - layer.filter_h) % layer.stride_h != 0 ||
                            (layer.ifmap_w - layer.filter_w) % layer.stride_w != 0);
  op->addr_base = ifmap ? config.ifmap_offset : config.filter_offset;
  op->addr_span = ifmap ? layer.ifmap_h * layer.ifmap_w * layer.channels : d.k * d.n;
  // Extent along the array edge: pixels (os/is IFMAP), window (ws IFMAP, is FILTER), filters.
  const int64_t extent =
      ifmap ? (op->spatial_is_pixel ? d.m : d.k) : (df == Dataflow::kIs ? d.k : d.n);
  // Padding of the last block: its columns from (extent mod ports) on, if partial.
  const int64_t blocks = op->rows / op->block_rows;
  op->pad_row = (blocks - 1) * op->block_rows;
  op->pad_col = extent - (blocks - 1) * op->ports;
  op->valid = op->rows * op->cols - (op->rows - op->pad_row) * (op->cols - op->pad_col);
  if (tables || op->has_holes) {
    FillAddresses(d, ifmap, df == Dataflow::kIs, extent, op);
    ComputePositions(op);  // with holes, `valid` counts them out
  } else {
    op->addr.clear();
    op->pos.clear();
  }
}

}  // namespace strata::hwsim
