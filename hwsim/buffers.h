// The double-buffered scratchpads of HWSIM.md §5: the USER-mode read buffer (§5.2), the
// CALC-mode read buffer (§5.4) and the OFMAP write buffer (§5.3).
//
// Each read buffer serves one demand row at a time and returns the cycle it could serve it
// (>= cycle + 1, the hit latency); each counts the DRAM words it fetched and the first and
// last cycle of its DRAM traffic. The write buffer takes the number of valid OFMAP writes of
// a row and returns the cycle the row's writes were accepted.
//
// Speed: the USER read buffer never walks a row's addresses while the row's whole range of
// prefetch positions is inside the active window (two closed-form positions, operands.h);
// runs of rows (HitRows, LoadHits) are checked the same way. It falls back to the exact
// per-address loop only for rows that may miss; there a repeated IFMAP address is looked up
// in the other cells holding it without divisions, and a miss computes how far the window
// must move. The write buffer processes the writes of a row, and of runs of rows, in bulk.
// reference_sim.h does all three literally, address by address.
#ifndef STRATA_HWSIM_BUFFERS_H_
#define STRATA_HWSIM_BUFFERS_H_

#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "hwsim/operands.h"

namespace strata::hwsim {

struct DramStats {
  int64_t start = 0, stop = 0;  // cycles of the first and last DRAM row (may be negative)
  int64_t words = 0;            // words moved, including -1 padding and whole-row rounding
};

// How a USER-mode miss turns into stall cycles; SCALE-Sim changed it twice (HWSIM.md §5.6).
enum class StallModel {
  kHead,     // 22f88b1 (2025-02-25, the contract): positive potential stalls only
  kD78b477,  // 2024-09-30: every potential stall added, positive ones twice
  kV202,     // v2.0.2 (PyPI 2024): every potential stall added; OFMAP stall served-cycle-1
};

// Buffer sizes and DRAM widths of one layer in elements (HWSIM.md §5; §7 in bit-aware mode).
struct MemoryParams {
  int64_t ifmap_words = 0, filter_words = 0, ofmap_words = 0;
  int64_t ifmap_bw = 10, filter_bw = 10, ofmap_bw = 10;  // elements per cycle
  bool calc = false;                                     // CALC mode: reads never stall (§5.4)
  StallModel stall_model = StallModel::kHead;
};

// Works in prefetch positions (operands.h): line l of the 1% lines holds positions
// [l*E, (l+1)*E) for E entries per line, so the window of lines [start, start+active) mod
// #lines is the ring interval of positions [start*E, (start+active)*E) mod #lines*E.
class UserReadBuffer {
 public:
  UserReadBuffer(const ReadOperand& op, int64_t buffer_words, int64_t bw,
                 StallModel model = StallModel::kHead);
  int64_t Serve(const DemandRow& row, int64_t cycle) {
    if (row.empty()) return cycle + 1;
    // Fast path: the row's cells are in increasing prefetch order, so its positions lie in
    // [lo, hi]; if that whole range is in the active window every address hits.
    const int64_t lo = op_.Position(row.cell_row(row.p0), row.p0);
    const int64_t hi = op_.Position(row.cell_row(row.p1), row.p1);
    if (Ahead(lo) + (hi - lo) < active_span_) return cycle + 1;
    return ServeExactly(row, lo, cycle);
  }
  // Bulk form of Serve for rows t .. t+k-1 of fold (fc_i, fr_i), all non-empty streamed rows
  // (their positions never decrease): the largest k <= k_max whose rows all take the fast
  // path (every address hits, nothing changes), 0 if even row t may miss.
  int64_t HitRows(const Mapping& m, int64_t fc_i, int64_t fr_i, int64_t t, int64_t k_max) const;
  // The same for k stationary rows t .. t+k-1 loading a tile: k if all of them take the fast
  // path, else 0.
  int64_t LoadHits(const Mapping& m, int64_t fc_i, int64_t fr_i, int64_t t, int64_t k) const;
  DramStats dram() const { return dram_; }
  int64_t prefetches() const { return prefetches_; }

 private:
  // Distance of position `pos` ahead of the window start, around the ring.
  int64_t Ahead(int64_t pos) const {
    const int64_t d = pos - window_start_;
    return d < 0 ? d + ring_ : d;
  }
  bool InWindow(int64_t pos) const { return Ahead(pos) < active_span_; }
  int64_t ServeExactly(const DemandRow& row, int64_t lo, int64_t cycle);
  int64_t ServePorts(const DemandRow& row, int64_t cycle);
  void Miss(int64_t moves, int64_t cycle, int64_t* offset);
  void NewPrefetch();

  // The other cell (jy, jx) through which the last request hit. Along a row without holes
  // the candidate's cell moves like the row's own cells — (s+1, u+da), the next position in
  // prefetch order while it stays in one block — so `pos` is known without recomputing.
  struct Candidate {
    int64_t jy = 0, jx = 0;
    int64_t pos = 0, col = 0;  // for the current port, when `known`
    bool known = false;
  };
  bool OtherCellHit(const IfmapRequest& x);
  int64_t CandidateRun(const IfmapRequest& x, int64_t dpix, int64_t dk, int64_t left) const;
  int64_t MovesUntil(int64_t q) const;
  int64_t MovesUntilSeen(int64_t pos, const IfmapRequest& x) const;

  const ReadOperand& op_;
  StallModel model_;
  int64_t bw_, prefetch_rows_;
  int64_t ring_, active_span_, prefetch_span_;  // in positions: #lines, active, prefetch lines
  int64_t window_start_ = 0, last_prefetch_ = -1, prefetches_ = 0;
  Candidate cand_;
  DramStats dram_;
};

class CalcReadBuffer {
 public:
  CalcReadBuffer(const ReadOperand& op, int64_t buffer_words, int64_t default_bw);
  int64_t Serve(const DemandRow& row, int64_t cycle);
  void Finish();  // complete_all_prefetches: fetch the last partial window
  // Every CALC request changes the buffer's state: no bulk rows.
  int64_t HitRows(const Mapping&, int64_t, int64_t, int64_t, int64_t) const { return 0; }
  int64_t LoadHits(const Mapping&, int64_t, int64_t, int64_t, int64_t) const { return 0; }
  DramStats dram() const { return dram_; }

 private:
  void Insert(int64_t index, int64_t cycle);
  void WindowFull(int64_t cycle);
  void Record(int64_t first, int64_t last);

  const ReadOperand& op_;
  int64_t items_per_set_, default_bw_;
  std::vector<int32_t> latest_set_;  // per address: set it was last inserted into, or -1
  int64_t read_start_ = 0, read_end_ = 49, current_set_ = 0, elems_current_ = 0;
  int64_t last_start_ = -2, last_end_ = -1, first_request_cycle_ = 0;
  bool first_seen_ = false, active_done_ = false, recorded_ = false;
  DramStats dram_;
};

class WriteBuffer {
 public:
  WriteBuffer(int64_t buffer_words, int64_t bw);
  // Stores `writes` valid words arriving at `cycle`; returns the cycle they were accepted.
  int64_t Write(int64_t writes, int64_t cycle);
  // Bulk form of Write for k rows of `writes` words at cycles cycle, cycle+1, ...: stores the
  // leading rows that neither stall nor start a drain and returns how many it stored.
  int64_t WriteRun(int64_t writes, int64_t cycle, int64_t k);
  // The same for writes + slope*i words in row i.
  int64_t WriteRamp(int64_t writes, int64_t slope, int64_t cycle, int64_t k);
  // Drains everything left, starting at `cycle` (not part of Total Cycles, §5.1).
  void Finish(int64_t cycle);
  DramStats dram() const { return dram_; }

 private:
  void Store(int64_t n);
  int64_t Drain(int64_t start_cycle);

  int64_t total_, active_, drain_lines_, bw_;
  int64_t free_, line_fill_ = 0, drain_end_ = 0, pending_lines_ = 0;
  std::deque<std::pair<int64_t, int64_t>> lines_;  // runs of (valid words per line, count)
  bool drained_ = false;
  DramStats dram_;
};

}  // namespace strata::hwsim

#endif  // STRATA_HWSIM_BUFFERS_H_
