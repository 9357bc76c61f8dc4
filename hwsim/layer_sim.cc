#include "hwsim/layer_sim.h"

#include <algorithm>
#include <cassert>
#include <vector>

#include "hwsim/operands.h"

namespace strata::hwsim {
namespace {

// First and last served cycle of the demand rows that carried a request (§4).
struct Span {
  bool seen = false;
  int64_t first = 0, last = 0;
  void Note(int64_t cycle) {
    if (!seen) first = cycle;
    seen = true;
    last = cycle;
  }
};

// What an operand's demand rows do within one segment of a fold (§3 demand shapes).
enum class Reads { kIdle, kStream, kLoad };  // no request; streamed, skewed; stationary load

Reads ReadsAt(const ReadOperand& op, const Mapping& m, int64_t fc_i, int64_t fr_i, int64_t t) {
  if (op.stationary) {  // rows [R - rows_used, R) load the tile's rows, reversed
    return t >= m.R - m.rows_used(fr_i) && t < m.R ? Reads::kLoad : Reads::kIdle;
  }
  const int64_t used = op.block_by_col_fold ? m.cols_used(fc_i) : m.rows_used(fr_i);
  return t >= op.lead && t < op.lead + op.block_rows + used - 1 ? Reads::kStream : Reads::kIdle;
}

// A run of a fold's rows [t0, t1) in which each read operand does one kind of thing and the
// number of OFMAP writes is linear: writes + slope * (t - t0), slope in {-1, 0, 1}.
struct Segment {
  int64_t t0, t1;
  Reads ifmap, filter;
  int64_t writes, slope;
};

// A fold's segments. Only the last row fold and the last column fold are partial, so there
// are at most four kinds of fold; the caller keeps one list per kind.
std::vector<Segment> FoldSegments(const Mapping& m, const ReadOperand& ifm, const ReadOperand& fil,
                                  int64_t fc_i, int64_t fr_i) {
  // OFMAP writes: max(0, min(t - b, cu - 1) - max(t - a, 0) + 1) (OfmapWritesInRow), linear
  // between the kinks of the min, the max and the zero clamp.
  const int64_t lead = m.dataflow == Dataflow::kOs ? m.t - 1 : 2 * m.R - 1;
  const int64_t b = m.dataflow == Dataflow::kOs ? lead + m.R - m.rows_used(fr_i) : lead;
  const int64_t a = m.dataflow == Dataflow::kOs ? lead + m.R - 1 : lead + m.t - 1;
  const int64_t cu = m.cols_used(fc_i);
  std::vector<int64_t> cuts = {0, m.fold_len, b, b + cu - 1, b + cu, a, a + 1, a + cu, a + cu + 1};
  for (const ReadOperand* op : {&ifm, &fil}) {
    const int64_t used = op->block_by_col_fold ? cu : m.rows_used(fr_i);
    if (op->stationary) {
      cuts.insert(cuts.end(), {m.R - m.rows_used(fr_i), m.R});
    } else {
      cuts.insert(cuts.end(), {op->lead, op->lead + op->block_rows + used - 1});
    }
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::vector<Segment> segs;
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    const int64_t t0 = cuts[i], t1 = cuts[i + 1];
    if (t0 < 0 || t1 > m.fold_len) continue;
    const int64_t n = OfmapWritesInRow(m, fc_i, fr_i, t0);
    const int64_t slope = t1 - t0 > 1 ? OfmapWritesInRow(m, fc_i, fr_i, t0 + 1) - n : 0;
    assert(OfmapWritesInRow(m, fc_i, fr_i, t1 - 1) == n + slope * (t1 - 1 - t0));
    segs.push_back(
        {t0, t1, ReadsAt(ifm, m, fc_i, fr_i, t0), ReadsAt(fil, m, fc_i, fr_i, t0), n, slope});
  }
  return segs;
}

// The state of one layer's cycle loop (§5.1).
template <typename ReadBuf>
struct Loop {
  const Mapping& m;
  const ReadOperand &ifm, &fil;
  ReadBuf &ib, &fb;
  WriteBuffer& ob;
  int64_t ofmap_latency;
  Span si, sf, so;
  int64_t stalls = 0, row = 0, last_ofmap = 0;

  // One demand row: all three rows are presented at the same cycle; the largest stall wins.
  void Step(int64_t fc_i, int64_t fr_i, int64_t t) {
    const int64_t cycle = row + stalls;
    const DemandRow ri = ifm.Row(m, fc_i, fr_i, t), rf = fil.Row(m, fc_i, fr_i, t);
    const int64_t served_i = ib.Serve(ri, cycle), served_f = fb.Serve(rf, cycle);
    const int64_t writes = OfmapWritesInRow(m, fc_i, fr_i, t);
    const int64_t served_o = ob.Write(writes, cycle);
    if (ifm.RowHasRequest(ri)) si.Note(served_i);
    if (fil.RowHasRequest(rf)) sf.Note(served_f);
    if (writes > 0) so.Note(served_o);
    stalls +=
        std::max({served_i - cycle - 1, served_f - cycle - 1, served_o - cycle - ofmap_latency});
    last_ofmap = served_o;
    ++row;
  }

  // The rows of `op` from t that surely hit, at most k (0 when row t may miss).
  static int64_t Hits(const ReadOperand& op, ReadBuf& buf, Reads reads, const Mapping& m,
                      int64_t fc_i, int64_t fr_i, int64_t t, int64_t k) {
    if (reads == Reads::kIdle) return k;
    if (op.has_holes) return 0;  // rows without a request would not count (RowHasRequest)
    return reads == Reads::kStream ? buf.HitRows(m, fc_i, fr_i, t, k)
                                   : buf.LoadHits(m, fc_i, fr_i, t, k);
  }

  // Rows t, t+1, ... of segment `s` at once while nothing can happen in them: every read
  // hits, the writes neither stall nor start a drain (so every row is served at cycle + 1 /
  // cycle). Same result as Step() row by row (the reference sweeps check it). Returns the
  // rows done.
  int64_t Bulk(int64_t fc_i, int64_t fr_i, int64_t t, const Segment& s) {
    int64_t k = s.t1 - t;
    if (k < 2) return 0;
    k = Hits(ifm, ib, s.ifmap, m, fc_i, fr_i, t, k);
    if (k >= 2) k = Hits(fil, fb, s.filter, m, fc_i, fr_i, t, k);
    if (k < 2) return 0;
    const int64_t cycle = row + stalls, writes = s.writes + s.slope * (t - s.t0);
    k = ob.WriteRamp(writes, s.slope, cycle, k);
    if (k == 0) return 0;
    if (s.ifmap != Reads::kIdle) si.Note(cycle + 1), si.Note(cycle + k);
    if (s.filter != Reads::kIdle) sf.Note(cycle + 1), sf.Note(cycle + k);
    if (writes > 0) so.Note(cycle), so.Note(cycle + k - 1);  // all rows write, or none
    last_ofmap = cycle + k - 1;
    row += k;
    return k;
  }
};

template <typename ReadBuf>
void RunLoop(const Mapping& m, const ReadOperand& ifm, const ReadOperand& fil, ReadBuf& ib,
             ReadBuf& fb, WriteBuffer& ob, StallModel model, LayerReport* r) {
  Loop<ReadBuf> loop{m, ifm, fil, ib, fb, ob, model == StallModel::kV202 ? 1 : 0};
  std::vector<Segment> kinds[4];  // by (last column fold, last row fold)
  for (int64_t fc_i = 0; fc_i < m.fc; ++fc_i) {
    for (int64_t fr_i = 0; fr_i < m.fr; ++fr_i) {
      std::vector<Segment>& segs = kinds[2 * (fc_i == m.fc - 1) + (fr_i == m.fr - 1)];
      if (segs.empty()) segs = FoldSegments(m, ifm, fil, fc_i, fr_i);
      for (const Segment& s : segs) {
        for (int64_t t = s.t0; t < s.t1;) {
          const int64_t k = loop.Bulk(fc_i, fr_i, t, s);
          if (k > 0) {
            t += k;
          } else {
            loop.Step(fc_i, fr_i, t++);
          }
        }
      }
    }
  }
  r->stall_cycles = loop.stalls;
  r->total_cycles = loop.last_ofmap;  // serviced cycle of the last OFMAP row
  r->sram_ifmap_start = loop.si.first, r->sram_ifmap_stop = loop.si.last;
  r->sram_filter_start = loop.sf.first, r->sram_filter_stop = loop.sf.last;
  r->sram_ofmap_start = loop.so.first, r->sram_ofmap_stop = loop.so.last;
}

}  // namespace

MemoryParams ScaleSimMemory(const AcceleratorConfig& c) {
  MemoryParams p;
  p.ifmap_words = c.ifmap_sram_kb * 1024;
  p.filter_words = c.filter_sram_kb * 1024;
  p.ofmap_words = c.ofmap_sram_kb * 1024;
  p.calc = c.bandwidth_mode == BandwidthMode::kCalc;
  if (p.calc) {
    p.ifmap_bw = p.filter_bw = 10;  // "arbitrary" default of SCALE-Sim's CALC mode
    p.ofmap_bw = c.array_cols;
  } else {
    p.ifmap_bw = p.filter_bw = p.ofmap_bw = c.user_bandwidth();
  }
  return p;
}

LayerReport SimulateLayer(const Layer& layer, const AcceleratorConfig& config,
                          const MemoryParams& mem, LayerWorkspace* workspace) {
  LayerWorkspace local;
  LayerWorkspace& ws = workspace != nullptr ? *workspace : local;
  LayerReport r;
  r.name = layer.name;
  r.dims = Dims(layer);
  const Mapping m = MakeMapping(config.dataflow, config.array_rows, config.array_cols, r.dims);
  const ComputeStats cs = MakeComputeStats(m, r.dims);
  r.mapping_eff_pct = cs.mapping_eff_pct;
  r.compute_util_pct = cs.compute_util_pct;
  r.sram_ifmap_reads = cs.sram_ifmap_reads;
  r.sram_filter_reads = cs.sram_filter_reads;
  r.sram_ofmap_writes = cs.sram_ofmap_writes;
  ReadOperand& ifm = ws.ifmap;
  ReadOperand& fil = ws.filter;
  // CALC reads addresses; USER needs only prefetch positions (tables only with holes).
  BuildReadOperand(layer, config, m, Operand::kIfmap, mem.calc, &ifm);
  BuildReadOperand(layer, config, m, Operand::kFilter, mem.calc, &fil);
  WriteBuffer ob(mem.ofmap_words, mem.ofmap_bw);
  if (mem.calc) {
    CalcReadBuffer ib(ifm, mem.ifmap_words, mem.ifmap_bw), fb(fil, mem.filter_words, mem.filter_bw);
    RunLoop(m, ifm, fil, ib, fb, ob, mem.stall_model, &r);
    ib.Finish();
    fb.Finish();
    r.dram_ifmap = ib.dram(), r.dram_filter = fb.dram();
  } else {
    UserReadBuffer ib(ifm, mem.ifmap_words, mem.ifmap_bw, mem.stall_model);
    UserReadBuffer fb(fil, mem.filter_words, mem.filter_bw, mem.stall_model);
    RunLoop(m, ifm, fil, ib, fb, ob, mem.stall_model, &r);
    r.dram_ifmap = ib.dram(), r.dram_filter = fb.dram();
  }
  ob.Finish(r.total_cycles);
  r.dram_ofmap = ob.dram();
  // Overall Util % = 100*M*N*K / (Total Cycles * R*C), §3 (exact ints, one rounding).
  r.overall_util_pct = static_cast<double>(r.dims.macs() * 100) /
                       static_cast<double>(r.total_cycles * config.array_rows * config.array_cols);
  return r;
}

}  // namespace strata::hwsim
