#include "hwsim/reference_sim.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "hwsim/operands.h"

namespace strata::hwsim {
namespace {

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// A dense row-major matrix of addresses (-1 = no request).
struct Mat {
  int64_t rows = 0, cols = 0;
  std::vector<int64_t> v;
  Mat(int64_t r = 0, int64_t c = 0) : rows(r), cols(c), v(static_cast<size_t>(r * c), -1) {}
  int64_t& at(int64_t r, int64_t c) { return v[static_cast<size_t>(r * cols + c)]; }
  int64_t at(int64_t r, int64_t c) const { return v[static_cast<size_t>(r * cols + c)]; }
};

Mat Slice(const Mat& m, int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
  Mat o(r1 - r0, c1 - c0);
  for (int64_t r = r0; r < r1; ++r)
    for (int64_t c = c0; c < c1; ++c) o.at(r - r0, c - c0) = m.at(r, c);
  return o;
}
Mat Transpose(const Mat& m) {
  Mat o(m.cols, m.rows);
  for (int64_t r = 0; r < m.rows; ++r)
    for (int64_t c = 0; c < m.cols; ++c) o.at(c, r) = m.at(r, c);
  return o;
}
Mat Pad(const Mat& m, int64_t rows, int64_t cols) {  // pad with -1 to rows x cols
  Mat o(std::max(rows, m.rows), std::max(cols, m.cols));
  for (int64_t r = 0; r < m.rows; ++r)
    for (int64_t c = 0; c < m.cols; ++c) o.at(r, c) = m.at(r, c);
  return o;
}
Mat FlipRows(const Mat& m) {
  Mat o(m.rows, m.cols);
  for (int64_t r = 0; r < m.rows; ++r)
    for (int64_t c = 0; c < m.cols; ++c) o.at(m.rows - 1 - r, c) = m.at(r, c);
  return o;
}
Mat Frame(const Mat& m, int64_t before, int64_t after) {  // idle rows before and after
  Mat o(m.rows + before + after, m.cols);
  for (int64_t r = 0; r < m.rows; ++r)
    for (int64_t c = 0; c < m.cols; ++c) o.at(r + before, c) = m.at(r, c);
  return o;
}
Mat Skew(const Mat& m) {  // column c delayed by c rows
  Mat o(m.rows + m.cols - 1, m.cols);
  for (int64_t r = 0; r < m.rows; ++r)
    for (int64_t c = 0; c < m.cols; ++c) o.at(r + c, c) = m.at(r, c);
  return o;
}
void Append(Mat* a, const Mat& b) {
  if (a->rows == 0) a->cols = b.cols;
  a->v.insert(a->v.end(), b.v.begin(), b.v.end());
  a->rows += b.rows;
}
std::vector<int64_t> AntiDiagonal(const Mat& m) {
  std::vector<int64_t> out;
  for (int64_t d = 0; d < m.rows + m.cols; ++d)
    for (int64_t r = std::min(d, m.rows - 1); r >= std::max<int64_t>(0, d - m.cols + 1); --r)
      out.push_back(m.at(r, d - r));
  return out;
}

struct Demand {
  Mat ifmap, filter, ofmap;
  std::vector<int64_t> ifmap_prefetch, filter_prefetch;
  double map_sum = 0, util_sum = 0;
  int64_t sram_i = 0, sram_f = 0, sram_o = 0;
};

int64_t Count(const Mat& m) { return m.rows * m.cols; }

// A fold's tiles [r0, r1) x [c0, c1) of (Sr, Sc) -> demand matrices a (IFMAP), b (FILTER),
// o (OFMAP), and the matrix whose extent SCALE-Sim uses for Compute Util (§3).
struct Fold {
  Mat a, b, o, util;
};
Fold FoldDemand(const Mat& I, const Mat& IT, const Mat& F, const Mat& O, Dataflow df, int64_t R,
                int64_t C, int64_t T, int64_t r0, int64_t r1, int64_t c0, int64_t c1, Demand* d) {
  const int64_t M = I.rows, K = I.cols, N = F.cols;
  Fold f;
  if (df == Dataflow::kOs) {
    Mat ti = Slice(IT, 0, K, r0, r1), tf = Slice(F, 0, K, c0, c1), to = Slice(O, r0, r1, c0, c1);
    d->sram_i += Count(ti), d->sram_f += Count(tf), d->sram_o += Count(to) + R + C;
    f.a = Skew(Frame(Pad(ti, 0, R), 0, C - 1));
    f.b = Skew(Frame(Pad(tf, 0, C), 0, R - 1));
    f.util = Frame(FlipRows(Pad(to, R, C)), T - 1, 0);
    f.o = Skew(f.util);
  } else if (df == Dataflow::kWs) {
    Mat ti = Slice(I, 0, M, r0, r1), tf = Slice(F, r0, r1, c0, c1), to = Slice(O, 0, M, c0, c1);
    d->sram_i += Count(ti), d->sram_f += Count(tf), d->sram_o += Count(to);
    f.a = Skew(Frame(Pad(ti, 0, R), R, C - 1));
    f.util = f.b = Frame(FlipRows(Pad(tf, R, C)), 0, R + C + T - 2);
    f.o = Skew(Frame(Pad(to, 0, C), 2 * R - 1, 0));
  } else {
    Mat ti = Slice(IT, r0, r1, c0, c1), tf = Transpose(Slice(F, r0, r1, 0, N));
    Mat to = Transpose(Slice(O, c0, c1, 0, N));
    d->sram_i += Count(ti), d->sram_f += Count(tf), d->sram_o += Count(to);
    f.util = f.a = Frame(FlipRows(Pad(ti, R, C)), 0, R + C + T - 2);
    f.b = Skew(Frame(Pad(tf, 0, R), R, C - 1));
    f.o = Skew(Frame(Pad(to, 0, C), 2 * R - 1, 0));
  }
  return f;
}

// §3: the demand matrices of every fold (column fold outer), literally.
void BuildDemand(const Mat& I, const Mat& F, const Mat& O, Dataflow df, int64_t R, int64_t C,
                 Demand* d) {
  const Mat IT = Transpose(I);
  const int64_t M = I.rows, K = I.cols, N = F.cols;
  const int64_t sr = df == Dataflow::kOs ? M : K, sc = df == Dataflow::kIs ? M : N;
  const int64_t T = df == Dataflow::kOs ? K : (df == Dataflow::kWs ? M : N);
  for (int64_t c = 0; c < CeilDiv(sc, C); ++c) {
    for (int64_t r = 0; r < CeilDiv(sr, R); ++r) {
      const int64_t r0 = r * R, r1 = std::min(r0 + R, sr), c0 = c * C, c1 = std::min(c0 + C, sc);
      const Fold f = FoldDemand(I, IT, F, O, df, R, C, T, r0, r1, c0, c1, d);
      const int64_t used = (r1 - r0) * (c1 - c0);
      const int64_t cycles = f.util.rows + f.util.cols - 1;
      d->map_sum += static_cast<double>(used) / static_cast<double>(R * C);
      d->util_sum += static_cast<double>(used * T) / static_cast<double>(R * C * cycles);
      Append(&d->ifmap, f.a), Append(&d->filter, f.b), Append(&d->ofmap, f.o);
    }
  }
}

// §5.2: the prefetch orders, literally.
void BuildPrefetch(const Mat& I, const Mat& F, Dataflow df, int64_t R, int64_t C, Demand* d) {
  const Mat IT = Transpose(I);
  const int64_t M = I.rows, K = I.cols, N = F.cols;
  const int64_t fr = CeilDiv(df == Dataflow::kOs ? M : K, R);
  const int64_t fc = CeilDiv(df == Dataflow::kIs ? M : N, C);
  Mat pi, pf;
  if (df == Dataflow::kOs) {
    for (int64_t r = 0; r < fr; ++r)
      Append(&pi, Pad(Slice(IT, 0, K, r * R, std::min(r * R + R, M)), 0, R));
    for (int64_t c = 0; c < fc; ++c)
      Append(&pf, Pad(Slice(F, 0, K, c * C, std::min(c * C + C, N)), 0, C));
    d->ifmap_prefetch = AntiDiagonal(pi), d->filter_prefetch = AntiDiagonal(pf);
  } else if (df == Dataflow::kWs) {
    for (int64_t r = 0; r < fr; ++r)
      Append(&pi, Pad(Slice(I, 0, M, r * R, std::min(r * R + R, K)), 0, R));
    for (int64_t c = 0; c < fc; ++c)
      Append(&pf, Pad(Slice(F, 0, K, c * C, std::min(c * C + C, N)), 0, C));
    d->ifmap_prefetch = AntiDiagonal(pi), d->filter_prefetch = pf.v;
  } else {
    for (int64_t c = 0; c < fc; ++c)
      Append(&pi, Pad(Slice(IT, 0, K, c * C, std::min(c * C + C, M)), 0, C));
    for (int64_t r = 0; r < fr; ++r)
      Append(&pf, Pad(Transpose(Slice(F, r * R, std::min(r * R + R, K), 0, N)), 0, R));
    d->ifmap_prefetch = pi.v, d->filter_prefetch = AntiDiagonal(pf);
  }
}

// §5.2 literally: lines of 1% as address sets, a circular window of lines.
class RefUserBuffer {
 public:
  RefUserBuffer(const std::vector<int64_t>& seq, int64_t total, int64_t bw, StallModel model)
      : bw_(bw), model_(model) {
    const int64_t active = CeilDiv(total, 2), prefetch = total - active;
    const int64_t eps = CeilDiv(total, 100),
                  fetch_rows = CeilDiv(static_cast<int64_t>(seq.size()), bw);
    int64_t line = 0, in_line = 0;
    for (int64_t a : seq) {  // -1 padding is fetched but never stored in a line
      if (a != -1) {
        lines_of_[a].insert(line);
        if (++in_line == eps) ++line, in_line = 0;
      }
    }
    L_ = line + 1;
    A_ = std::min(CeilDiv(active, eps), L_);
    P_ = std::min(CeilDiv(prefetch, eps), L_ - A_);
    pref_rows_ = CeilDiv(prefetch, bw);
    const int64_t n = std::min(CeilDiv(active, bw), fetch_rows);
    dram.words = n * bw, dram.start = -n, dram.stop = -1;
    start_ = 0, end_ = A_;
  }
  bool Hit(int64_t a) const {
    for (int64_t l : lines_of_.at(a)) {
      if (start_ < end_ ? (l >= start_ && l < end_) : (l >= start_ || l < end_)) return true;
    }
    return false;
  }
  int64_t Serve(const int64_t* row, int64_t ports, int64_t cycle) {
    int64_t offset = 1;
    for (int64_t p = 0; p < ports; ++p) {
      if (row[p] == -1) continue;
      while (!Hit(row[p])) {
        start_ = (start_ + P_) % L_, end_ = (start_ + A_) % L_;
        dram.words += pref_rows_ * bw_;
        last_ += pref_rows_ + 1;
        dram.stop = last_;
        const int64_t stall = last_ - (cycle + offset);
        if (model_ != StallModel::kHead) offset += stall;
        if (stall > 0 && model_ != StallModel::kV202) offset += stall;
      }
    }
    return cycle + offset;
  }
  void Finish() {}
  DramStats dram;

 private:
  std::unordered_map<int64_t, std::unordered_set<int64_t>> lines_of_;
  int64_t bw_, L_, A_, P_, pref_rows_, start_, end_, last_ = -1;
  StallModel model_;
};

// §5.4 literally: sets of distinct addresses, the window of the 50 newest closed sets.
class RefCalcBuffer {
 public:
  RefCalcBuffer(int64_t total, int64_t bw) : items_(total / 100), bw_(bw) {}
  int64_t Serve(const int64_t* row, int64_t ports, int64_t cycle) {
    for (int64_t p = 0; p < ports; ++p) {
      if (row[p] == -1) continue;
      if (!first_seen_) first_cycle_ = cycle, first_seen_ = true;
      Manage(row[p], cycle);
    }
    return cycle + 1;
  }
  void Finish() {
    if (current_.empty()) --cur_id_;
    if (!active_done_) {
      last_end_ = -2;
      last_start_ = last_end_ - CeilDiv((cur_id_ + 1) * items_, bw_) + 1;
    }
    Record();
  }
  DramStats dram;

 private:
  void Manage(int64_t a, int64_t cycle) {
    for (int64_t s = start_; s < std::min(cur_id_, end_ + 1); ++s)
      if (sets_[s].count(a)) return;
    if (!current_.insert(a).second) return;
    ++dram.words;
    if (static_cast<int64_t>(current_.size()) < items_) return;
    sets_.push_back(current_), current_.clear();
    if (++cur_id_ != end_ + 1) return;
    if (!active_done_) {
      last_end_ = first_cycle_ - 2;
      last_start_ = last_end_ - CeilDiv(50 * items_, bw_) + 1;
      active_done_ = true;
    }
    Record();
    for (int64_t j = 0; j < 50; ++j) sets_[start_ + j].clear();
    start_ += 50, end_ += 50;
    last_start_ = last_end_ + 1, last_end_ = cycle;
  }
  void Record() {
    if (!recorded_) dram.start = last_start_ + 1;
    recorded_ = true;
    dram.stop = last_end_ + 1;
  }
  int64_t items_, bw_, start_ = 0, end_ = 49, cur_id_ = 0;
  int64_t last_start_ = -2, last_end_ = -1, first_cycle_ = 0;
  bool first_seen_ = false, active_done_ = false, recorded_ = false;
  std::vector<std::unordered_set<int64_t>> sets_;
  std::unordered_set<int64_t> current_;
};

// §5.3 literally, one word at a time.
class RefWriteBuffer {
 public:
  RefWriteBuffer(int64_t total, int64_t bw)
      : total_(total), drain_(total - CeilDiv(total, 2)), bw_(bw), free_(total) {}
  int64_t Serve(const int64_t* row, int64_t ports, int64_t cycle) {
    int64_t cur = cycle;
    for (int64_t p = 0; p < ports; ++p) {
      if (row[p] == -1) continue;
      --free_;
      if (++fill_ == bw_) lines_.push_back(bw_), fill_ = 0;
      if (cur < drain_end_) {
        if (free_ <= 0) cur = drain_end_;
      } else if (free_ < total_ - drain_) {
        drain_end_ = Drain(cur);
      }
    }
    return cur;
  }
  void Finish(int64_t cycle) {
    if (fill_ > 0) lines_.push_back(fill_), fill_ = 0;
    while (next_ < static_cast<int64_t>(lines_.size())) cycle = (drain_end_ = Drain(cycle)) + 1;
  }
  DramStats dram;

 private:
  int64_t Drain(int64_t start) {
    if (fill_ > 0) lines_.push_back(fill_), fill_ = 0;
    const int64_t end_line =
        std::min(next_ + CeilDiv(drain_, bw_), static_cast<int64_t>(lines_.size()));
    const int64_t n = end_line - next_;
    const int64_t words = n * bw_ - (bw_ - lines_[end_line - 1]);
    dram.words += words, free_ += words, next_ = end_line;
    if (!drained_) dram.start = start;
    drained_ = true;
    return dram.stop = start + n - 1;
  }
  int64_t total_, drain_, bw_, free_, fill_ = 0, next_ = 0, drain_end_ = 0;
  std::vector<int64_t> lines_;
  bool drained_ = false;
};

bool Any(const Mat& m, int64_t r) {
  for (int64_t c = 0; c < m.cols; ++c)
    if (m.at(r, c) != -1) return true;
  return false;
}

template <typename Buf>
void Loop(const Demand& d, Buf& ib, Buf& fb, RefWriteBuffer& ob, StallModel model, LayerReport* r) {
  std::vector<int64_t> si(d.ifmap.rows), sf(d.ifmap.rows), so(d.ifmap.rows);
  int64_t stalls = 0;
  for (int64_t i = 0; i < d.ofmap.rows; ++i) {
    const int64_t cycle = i + stalls;
    si[i] = ib.Serve(&d.ifmap.v[i * d.ifmap.cols], d.ifmap.cols, cycle);
    sf[i] = fb.Serve(&d.filter.v[i * d.filter.cols], d.filter.cols, cycle);
    so[i] = ob.Serve(&d.ofmap.v[i * d.ofmap.cols], d.ofmap.cols, cycle);
    stalls += std::max({si[i] - cycle - 1, sf[i] - cycle - 1,
                        so[i] - cycle - (model == StallModel::kV202 ? 1 : 0)});
  }
  r->stall_cycles = stalls;
  r->total_cycles = so.back();
  auto span = [](const Mat& m, const std::vector<int64_t>& served, int64_t* a, int64_t* b) {
    for (int64_t i = 0; i < m.rows; ++i)
      if (Any(m, i)) {
        *a = served[i];
        break;
      }
    for (int64_t i = m.rows - 1; i >= 0; --i)
      if (Any(m, i)) {
        *b = served[i];
        break;
      }
  };
  span(d.ifmap, si, &r->sram_ifmap_start, &r->sram_ifmap_stop);
  span(d.filter, sf, &r->sram_filter_start, &r->sram_filter_stop);
  span(d.ofmap, so, &r->sram_ofmap_start, &r->sram_ofmap_stop);
}

}  // namespace

LayerReport ReferenceSimulateLayer(const Layer& layer, const AcceleratorConfig& config,
                                   const MemoryParams& mem) {
  LayerReport r;
  r.name = layer.name;
  r.dims = Dims(layer);
  const AddressMap am(layer, config);
  Mat I(r.dims.m, r.dims.k), F(r.dims.k, r.dims.n), O(r.dims.m, r.dims.n);
  for (int64_t p = 0; p < r.dims.m; ++p)
    for (int64_t k = 0; k < r.dims.k; ++k) I.at(p, k) = am.Ifmap(p, k);
  for (int64_t k = 0; k < r.dims.k; ++k)
    for (int64_t n = 0; n < r.dims.n; ++n) F.at(k, n) = am.Filter(k, n);
  for (int64_t p = 0; p < r.dims.m; ++p)
    for (int64_t n = 0; n < r.dims.n; ++n) O.at(p, n) = am.Ofmap(p, n);
  Demand d;
  BuildDemand(I, F, O, config.dataflow, config.array_rows, config.array_cols, &d);
  BuildPrefetch(I, F, config.dataflow, config.array_rows, config.array_cols, &d);
  const double folds = static_cast<double>(
      CeilDiv(config.dataflow == Dataflow::kOs ? r.dims.m : r.dims.k, config.array_rows) *
      CeilDiv(config.dataflow == Dataflow::kIs ? r.dims.m : r.dims.n, config.array_cols));
  r.mapping_eff_pct = d.map_sum / folds * 100;
  r.compute_util_pct = d.util_sum / folds * 100;
  r.sram_ifmap_reads = d.sram_i, r.sram_filter_reads = d.sram_f, r.sram_ofmap_writes = d.sram_o;
  RefWriteBuffer ob(mem.ofmap_words, mem.ofmap_bw);
  if (mem.calc) {
    RefCalcBuffer ib(mem.ifmap_words, mem.ifmap_bw), fb(mem.filter_words, mem.filter_bw);
    Loop(d, ib, fb, ob, mem.stall_model, &r);
    ib.Finish(), fb.Finish();
    r.dram_ifmap = ib.dram, r.dram_filter = fb.dram;
  } else {
    RefUserBuffer ib(d.ifmap_prefetch, mem.ifmap_words, mem.ifmap_bw, mem.stall_model);
    RefUserBuffer fb(d.filter_prefetch, mem.filter_words, mem.filter_bw, mem.stall_model);
    Loop(d, ib, fb, ob, mem.stall_model, &r);
    r.dram_ifmap = ib.dram, r.dram_filter = fb.dram;
  }
  ob.Finish(r.total_cycles);
  r.dram_ofmap = ob.dram;
  r.overall_util_pct = static_cast<double>(r.dims.macs() * 100) /
                       static_cast<double>(r.total_cycles * config.array_rows * config.array_cols);
  return r;
}

}  // namespace strata::hwsim
