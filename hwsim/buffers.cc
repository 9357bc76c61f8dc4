#include "hwsim/buffers.h"

#include <algorithm>
#include <cassert>

namespace strata::hwsim {
namespace {
int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
}  // namespace

// ---------------------------------------------------------------------------------------
// USER-mode read buffer, HWSIM.md §5.2.

UserReadBuffer::UserReadBuffer(const ReadOperand& op, int64_t total_words, int64_t bw,
                               StallModel model)
    : op_(op), model_(model), bw_(bw) {
  const int64_t active_words = CeilDiv(total_words, 2);  // 50/50 split, active rounded up
  const int64_t prefetch_words = total_words - active_words;
  const int64_t per_line = CeilDiv(total_words, 100);  // lines of 1% of the buffer
  const int64_t lines = op.valid / per_line + 1;       // the last (possibly empty) line counts too
  const int64_t active_lines = std::min(CeilDiv(active_words, per_line), lines);
  const int64_t prefetch_lines = std::min(CeilDiv(prefetch_words, per_line), lines - active_lines);
  ring_ = lines * per_line;
  active_span_ = active_lines * per_line;
  prefetch_span_ = prefetch_lines * per_line;
  prefetch_rows_ = CeilDiv(prefetch_words, bw);
  // Initial fill before cycle 0: rows at cycles -n .. -1, BW words each.
  const int64_t fetch_rows = CeilDiv(op.rows * op.cols, bw);
  const int64_t fill_rows = std::min(CeilDiv(active_words, bw), fetch_rows);
  dram_.words = fill_rows * bw;
  dram_.start = -fill_rows;
  dram_.stop = -1;
}

void UserReadBuffer::NewPrefetch() {
  // The window moves forward (circularly) by the prefetch lines; the prefetch's rows go out
  // back to back after the previous prefetch completed (+1 for the read port latency).
  window_start_ = (window_start_ + prefetch_span_) % ring_;
  dram_.words += prefetch_rows_ * bw_;
  last_prefetch_ += prefetch_rows_ + 1;
  dram_.stop = last_prefetch_;
  ++prefetches_;
}

// The same IFMAP address also sits in the cells of every (pixel, window position) whose
// window covers it (overlapping windows, §1); any of them in the window is a hit. The
// candidate that hit last is tried first: neighbouring requests usually hit through the same
// one, and along a row its position just advances by one (see Candidate). The answer does
// not depend on the order.
bool UserReadBuffer::OtherCellHit(const IfmapRequest& x) {
  const ReadOperand& o = op_;
  if (!cand_.known && (cand_.jy != 0 || cand_.jx != 0) && o.Holds(x, cand_.jy, cand_.jx)) {
    cand_.pos = o.CandidatePosition(x, cand_.jy, cand_.jx, &cand_.col);
    cand_.known = !o.has_holes;  // with holes positions do not advance one per port
    if (InWindow(cand_.pos)) return true;
  }
  const int64_t jy_lo = std::max(-x.fy / o.sh, x.oy - o.eh + 1),
                jy_hi = std::min((o.fh - 1 - x.fy) / o.sh, x.oy);
  const int64_t jx_lo = std::max(-x.fx / o.sw, x.ox - o.ew + 1),
                jx_hi = std::min((o.fw - 1 - x.fx) / o.sw, x.ox);
  for (int64_t jy = jy_lo; jy <= jy_hi; ++jy) {
    for (int64_t jx = jx_lo; jx <= jx_hi; ++jx) {
      if (jy == 0 && jx == 0) continue;  // the cell itself
      int64_t col = 0;
      const int64_t pos = o.CandidatePosition(x, jy, jx, &col);
      if (InWindow(pos)) {
        cand_ = {jy, jx, pos, col, !o.has_holes};
        return true;
      }
    }
  }
  return false;
}

// Ports from the current one (request x, `left` ports to the row's end) that hit through
// the known candidate: while it holds the address, stays in its block (positions advance by
// one) and stays in view. Only the digits that move can end it: the pixel column (wrap or
// leaving the candidate's range) and the channel (its wrap moves fx); 0 if it does not hit.
int64_t UserReadBuffer::CandidateRun(const IfmapRequest& x, int64_t dpix, int64_t dk,
                                     int64_t left) const {
  if (!cand_.known || !InWindow(cand_.pos)) return 0;
  return std::min({left, active_span_ - Ahead(cand_.pos), op_.ports - cand_.col,
                   op_.HoldsRun(x, cand_.jy, cand_.jx, dpix, dk)});
}

int64_t UserReadBuffer::ServeExactly(const DemandRow& row, int64_t lo, int64_t cycle) {
  // Exact path: address by address; every miss moves the window until the address is seen.
  // Without holes the row's cells are all valid with consecutive positions lo, lo+1, ..., so
  // runs of ports that hit — their own cells in view, or the known candidate's — go at once.
  const ReadOperand& o = op_;
  if (o.has_holes) return ServePorts(row, cycle);
  int64_t offset = 1;  // hit latency
  IfmapRequest x{};
  int64_t dpix = 0, dk = 0;  // per port: s += 1, u += da
  if (o.may_repeat) {
    x = o.RequestOf(row.s0 + row.p0, row.u0 + row.da * row.p0);
    dpix = o.spatial_is_pixel ? 1 : row.da;
    dk = o.spatial_is_pixel ? row.da : 1;
    cand_.known = false;
  }
  for (int64_t p = row.p0; p <= row.p1;) {
    const int64_t pos = lo + (p - row.p0), left = row.p1 - p + 1;
    int64_t n = 0;  // ports served
    if (InWindow(pos)) {
      n = std::min(left, active_span_ - Ahead(pos));
    } else if (o.may_repeat) {
      n = CandidateRun(x, dpix, dk, left);
    }
    if (n == 0) {  // one port: another cell, or a miss
      n = 1;
      if (!o.may_repeat || !OtherCellHit(x)) Miss(MovesUntilSeen(pos, x), cycle, &offset);
    }
    p += n;
    if (!o.may_repeat) continue;
    o.Advance(&x, n, dpix, dk);
    // The candidate's cell moves like the row's, (s+1, u+da) per port: while it stays in one
    // block (and in range at both ends, so in between), its position advances by one.
    cand_.pos += n, cand_.col += n;
    cand_.known = cand_.known && cand_.col < o.ports && o.Holds(x, cand_.jy, cand_.jx);
  }
  return cycle + offset;
}

// The rows of an IFMAP with holes: port by port from the tables.
int64_t UserReadBuffer::ServePorts(const DemandRow& row, int64_t cycle) {
  const ReadOperand& o = op_;
  int64_t offset = 1;  // hit latency
  for (int64_t p = row.p0; p <= row.p1; ++p) {
    const int64_t cell = o.cell(row.cell_row(p), p);
    if (o.addr[cell] == -1) continue;
    const int64_t pos = o.pos[cell];
    if (InWindow(pos)) continue;
    const IfmapRequest x =
        o.may_repeat ? o.RequestOf(row.s0 + p, row.u0 + row.da * p) : IfmapRequest{};
    if (o.may_repeat && OtherCellHit(x)) continue;
    Miss(MovesUntilSeen(pos, x), cycle, &offset);
  }
  return cycle + offset;
}

// A miss: the window moves, one prefetch at a time, `moves` times (MovesUntilSeen); each
// prefetch's completion may stall the row (offset from `cycle`).
void UserReadBuffer::Miss(int64_t moves, int64_t cycle, int64_t* offset) {
  for (; moves > 0; --moves) {
    NewPrefetch();
    const int64_t stall = last_prefetch_ - (cycle + *offset);
    if (model_ != StallModel::kHead) *offset += stall;  // older versions: negatives too
    if (stall > 0 && model_ != StallModel::kV202) *offset += stall;  // 22f88b1: positive only
  }
}

// Window moves until position q, not in view, is: after n moves q is d - n*P ahead of the
// start (d = Ahead(q) >= A, within the first lap), in view once that is < A. The interval
// (d - A, d] is A >= P long, so it holds a multiple of P.
int64_t UserReadBuffer::MovesUntil(int64_t q) const {
  const int64_t d = Ahead(q), P = prefetch_span_, A = active_span_;
  assert(d >= A && P > 0);  // P = 0 only when the window is the whole ring: no misses
  return (d - A + P) / P;   // ceil((d - A + 1) / P)
}

// The fewest moves that bring any cell holding request x's address (position `pos`, or a
// candidate of OtherCellHit) into view: the same as moving once and re-checking every cell.
int64_t UserReadBuffer::MovesUntilSeen(int64_t pos, const IfmapRequest& x) const {
  int64_t n = MovesUntil(pos);
  if (!op_.may_repeat) return n;
  const ReadOperand& o = op_;
  const int64_t jy_lo = std::max(-x.fy / o.sh, x.oy - o.eh + 1),
                jy_hi = std::min((o.fh - 1 - x.fy) / o.sh, x.oy);
  const int64_t jx_lo = std::max(-x.fx / o.sw, x.ox - o.ew + 1),
                jx_hi = std::min((o.fw - 1 - x.fx) / o.sw, x.ox);
  for (int64_t jy = jy_lo; jy <= jy_hi; ++jy) {
    for (int64_t jx = jx_lo; jx <= jx_hi; ++jx) {
      int64_t col = 0;
      if (jy != 0 || jx != 0) n = std::min(n, MovesUntil(o.CandidatePosition(x, jy, jx, &col)));
    }
  }
  return n;
}

int64_t UserReadBuffer::HitRows(const Mapping& m, int64_t fc_i, int64_t fr_i, int64_t t,
                                int64_t k_max) const {
  const DemandRow first = op_.Row(m, fc_i, fr_i, t);
  const int64_t lo = op_.Position(first.cell_row(first.p0), first.p0);
  const int64_t d = Ahead(lo);
  auto fits = [&](int64_t k) {  // rows t .. t+k-1 span positions [lo, hi(t+k-1)]
    const DemandRow last = op_.Row(m, fc_i, fr_i, t + k - 1);
    return d + (op_.Position(last.cell_row(last.p1), last.p1) - lo) < active_span_;
  };
  if (!fits(1)) return 0;  // the usual answer while rows miss: test it first
  if (fits(k_max)) return k_max;
  int64_t good = 1, bad = k_max;  // fits(good), !fits(bad)
  while (bad - good > 1) {
    const int64_t mid = good + (bad - good) / 2;
    (fits(mid) ? good : bad) = mid;
  }
  return good;
}

int64_t UserReadBuffer::LoadHits(const Mapping& m, int64_t fc_i, int64_t fr_i, int64_t t,
                                 int64_t k) const {
  // Row t loads the tile's highest row, row t+k-1 its lowest: together rows [lo, hi] of the
  // row-major prefetch matrix, positions [first cell of the last, last cell of the first].
  const DemandRow first = op_.Row(m, fc_i, fr_i, t), last = op_.Row(m, fc_i, fr_i, t + k - 1);
  const int64_t lo = op_.Position(last.row_a, last.p0);
  const int64_t hi = op_.Position(first.row_a, first.p1);
  return Ahead(lo) + (hi - lo) < active_span_ ? k : 0;
}

// ---------------------------------------------------------------------------------------
// CALC-mode read buffer, HWSIM.md §5.4: reads never stall; DRAM reads are the distinct
// addresses per 1% set, in demand order; the prefetch bandwidth is re-estimated per window.

CalcReadBuffer::CalcReadBuffer(const ReadOperand& op, int64_t total_words, int64_t default_bw)
    : op_(op),
      items_per_set_(total_words / 100),
      default_bw_(default_bw),
      latest_set_(static_cast<size_t>(op.addr_span), -1) {}

void CalcReadBuffer::Record(int64_t first, int64_t last) {
  if (!recorded_) dram_.start = first;
  recorded_ = true;
  dram_.stop = last;
}

void CalcReadBuffer::WindowFull(int64_t cycle) {
  if (!active_done_) {
    // The first 50 sets are fetched before the first request, at default bandwidth.
    last_end_ = first_request_cycle_ - 2;
    const int64_t cycles = CeilDiv(50 * items_per_set_, default_bw_);
    last_start_ = last_end_ - cycles + 1;
    active_done_ = true;
  }
  Record(last_start_ + 1, last_end_ + 1);  // read port latency 1
  read_start_ += 50;
  read_end_ += 50;
  last_start_ = last_end_ + 1;
  last_end_ = cycle;
}

void CalcReadBuffer::Insert(int64_t index, int64_t cycle) {
  // Present iff last inserted into a set that is not evicted (in the window or current).
  if (latest_set_[index] >= read_start_) return;
  latest_set_[index] = static_cast<int32_t>(current_set_);
  ++dram_.words;
  if (++elems_current_ < items_per_set_) return;
  elems_current_ = 0;
  if (++current_set_ == read_end_ + 1) WindowFull(cycle);
}

int64_t CalcReadBuffer::Serve(const DemandRow& row, int64_t cycle) {
  for (int64_t p = row.p0; p <= row.p1; ++p) {
    const int32_t a = op_.addr[op_.cell(row.cell_row(p), p)];
    if (a == -1) continue;
    if (!first_seen_) first_request_cycle_ = cycle;
    first_seen_ = true;
    Insert(a - op_.addr_base, cycle);
  }
  return cycle + 1;
}

void CalcReadBuffer::Finish() {
  if (elems_current_ == 0) --current_set_;  // an empty current set is not fetched
  if (!active_done_) {
    last_end_ = -2;
    const int64_t cycles = CeilDiv((current_set_ + 1) * items_per_set_, default_bw_);
    last_start_ = last_end_ - cycles + 1;
  }
  Record(last_start_ + 1, last_end_ + 1);
}

// ---------------------------------------------------------------------------------------
// OFMAP write buffer, HWSIM.md §5.3.

WriteBuffer::WriteBuffer(int64_t total_words, int64_t bw)
    : total_(total_words),
      active_(CeilDiv(total_words, 2)),
      drain_lines_(CeilDiv(total_words - CeilDiv(total_words, 2), bw)),
      bw_(bw),
      free_(total_words) {}

void WriteBuffer::Store(int64_t n) {
  free_ -= n;
  line_fill_ += n;
  const int64_t full = line_fill_ / bw_;
  line_fill_ %= bw_;
  if (full > 0) {
    if (!lines_.empty() && lines_.back().first == bw_)
      lines_.back().second += full;
    else
      lines_.emplace_back(bw_, full);
    pending_lines_ += full;
  }
}

int64_t WriteBuffer::Drain(int64_t start) {
  if (line_fill_ > 0) {  // a drain closes the partly filled line
    lines_.emplace_back(line_fill_, 1);
    ++pending_lines_;
    line_fill_ = 0;
  }
  const int64_t n = std::min(drain_lines_, pending_lines_);
  int64_t taken = 0, last_valid = 0;
  while (taken < n) {
    auto& run = lines_.front();
    const int64_t k = std::min(run.second, n - taken);
    taken += k;
    last_valid = run.first;
    run.second -= k;
    if (run.second == 0) lines_.pop_front();
  }
  pending_lines_ -= n;
  // Lines count as full except the last one of the chunk (§5.3); space is credited at once.
  const int64_t words = (n - 1) * bw_ + last_valid;
  dram_.words += words;
  free_ += words;
  if (!drained_) dram_.start = start;
  drained_ = true;
  dram_.stop = start + n - 1;  // one line per cycle, write port latency 0
  return dram_.stop;
}

int64_t WriteBuffer::Write(int64_t n, int64_t cycle) {
  int64_t cur = cycle;
  while (n > 0) {
    if (cur < drain_end_) {
      // A drain is in progress: stall only when the buffer becomes completely full.
      if (free_ > n) {
        Store(n);
        break;
      }
      const int64_t k = std::max<int64_t>(free_, 1);
      Store(k);
      n -= k;
      cur = drain_end_;
    } else {
      // No drain in progress: the write that leaves fewer than `active_` free starts one.
      const int64_t j = std::max<int64_t>(free_ - active_ + 1, 1);
      if (n < j) {
        Store(n);
        break;
      }
      Store(j);
      n -= j;
      drain_end_ = Drain(cur);
    }
  }
  return cur;
}

int64_t WriteBuffer::WriteRun(int64_t n, int64_t cycle, int64_t k) {
  if (n == 0) return k;
  int64_t i = 0;
  while (i < k) {
    const int64_t cur = cycle + i;
    if (cur < drain_end_) {
      const int64_t draining = std::min(k - i, drain_end_ - cur);  // rows while it drains
      const int64_t safe = free_ >= 1 ? (free_ - 1) / n : 0;       // rows leaving >= 1 free
      const int64_t rows = std::min(draining, safe);
      Store(rows * n);
      i += rows;
      if (rows < draining) return i;  // the next row may stall: Write() handles it
    } else {
      const int64_t trigger = std::max<int64_t>(free_ - active_ + 1, 1);  // word starting a drain
      const int64_t before = (trigger - 1) / n;                           // rows before it
      if (i + before >= k) {
        Store((k - i) * n);
        return k;
      }
      Store(before * n);
      return i + before;  // the row that starts the drain goes through Write()
    }
  }
  return k;
}

int64_t WriteBuffer::WriteRamp(int64_t n, int64_t slope, int64_t cycle, int64_t k) {
  if (slope == 0) return WriteRun(n, cycle, k);
  // Row by row, Write()'s conditions on the free space left by the rows before: while a
  // drain is in progress a row stalls unless more than its words are free; otherwise the
  // row whose words leave fewer than `active_` free starts a drain. Store() is additive.
  int64_t free = free_, stored = 0, i = 0;
  for (; i < k; ++i, n += slope) {
    if (n > 0 &&
        (cycle + i < drain_end_ ? free <= n : n >= std::max<int64_t>(free - active_ + 1, 1)))
      break;
    free -= n;
    stored += n;
  }
  Store(stored);
  return i;
}

void WriteBuffer::Finish(int64_t cycle) {
  while (pending_lines_ > 0 || line_fill_ > 0) {
    drain_end_ = Drain(cycle);
    cycle = drain_end_ + 1;
  }
}

}  // namespace strata::hwsim
