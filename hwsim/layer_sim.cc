#include "hwsim/layer_sim.h"

#include <algorithm>

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

template <typename ReadBuf>
void RunLoop(const Mapping& m, const ReadOperand& ifm, const ReadOperand& fil, ReadBuf& ib,
             ReadBuf& fb, WriteBuffer& ob, StallModel model, LayerReport* r) {
  const int64_t ofmap_latency = model == StallModel::kV202 ? 1 : 0;
  Span si, sf, so;
  int64_t stalls = 0, row = 0, last_ofmap = 0;
  for (int64_t fc_i = 0; fc_i < m.fc; ++fc_i) {
    for (int64_t fr_i = 0; fr_i < m.fr; ++fr_i) {
      for (int64_t t = 0; t < m.fold_len; ++t, ++row) {
        // §5.1: all three rows are presented at the same cycle; the largest stall wins.
        const int64_t cycle = row + stalls;
        const DemandRow ri = ifm.Row(m, fc_i, fr_i, t), rf = fil.Row(m, fc_i, fr_i, t);
        const int64_t served_i = ib.Serve(ri, cycle), served_f = fb.Serve(rf, cycle);
        const int64_t writes = OfmapWritesInRow(m, fc_i, fr_i, t);
        const int64_t served_o = ob.Write(writes, cycle);
        if (ifm.RowHasRequest(ri)) si.Note(served_i);
        if (fil.RowHasRequest(rf)) sf.Note(served_f);
        if (writes > 0) so.Note(served_o);
        stalls += std::max(
            {served_i - cycle - 1, served_f - cycle - 1, served_o - cycle - ofmap_latency});
        last_ofmap = served_o;
      }
    }
  }
  r->stall_cycles = stalls;
  r->total_cycles = last_ofmap;  // serviced cycle of the last OFMAP row
  r->sram_ifmap_start = si.first, r->sram_ifmap_stop = si.last;
  r->sram_filter_start = sf.first, r->sram_filter_stop = sf.last;
  r->sram_ofmap_start = so.first, r->sram_ofmap_stop = so.last;
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
  // §5.2: lines of ceil(words/100) valid entries (only the USER buffer uses them).
  BuildReadOperand(layer, config, m, Operand::kIfmap, (mem.ifmap_words + 99) / 100, &ifm);
  BuildReadOperand(layer, config, m, Operand::kFilter, (mem.filter_words + 99) / 100, &fil);
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
