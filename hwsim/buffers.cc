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

bool UserReadBuffer::Hit(int64_t pos, int64_t s, int64_t u) {
  if (InWindow(pos)) return true;
  return op_.may_repeat && OtherCellHit(s, u);
}

// The same IFMAP address also sits in the cells of every (pixel, window position) whose
// window covers it (overlapping windows, §1); any of them in the window is a hit. Candidates
// are (fy + jy*sh, oy - jy) x (fx + jx*sw, ox - jx). The candidate that hit last time is
// tried first (neighbouring requests usually hit through the same one); the answer does not
// depend on the order.
bool UserReadBuffer::OtherCellHit(int64_t s, int64_t u) {
  const ReadOperand& o = op_;
  const int64_t p = o.spatial_is_pixel ? s : u, k = o.spatial_is_pixel ? u : s;
  const int64_t fwc = o.fw * o.cin;
  const int64_t oy = p / o.ew, ox = p % o.ew, fy = k / fwc, fx = (k % fwc) / o.cin, c = k % o.cin;
  const int64_t jy_lo = std::max(-fy / o.sh, oy - o.eh + 1),
                jy_hi = std::min((o.fh - 1 - fy) / o.sh, oy);
  const int64_t jx_lo = std::max(-fx / o.sw, ox - o.ew + 1),
                jx_hi = std::min((o.fw - 1 - fx) / o.sw, ox);
  auto hit = [&](int64_t jy, int64_t jx) {
    const int64_t p2 = (oy - jy) * o.ew + ox - jx;
    const int64_t k2 = ((fy + jy * o.sh) * o.fw + fx + jx * o.sw) * o.cin + c;
    return InWindow(o.spatial_is_pixel ? o.PositionOf(p2, k2) : o.PositionOf(k2, p2));
  };
  if (last_jy_ >= jy_lo && last_jy_ <= jy_hi && last_jx_ >= jx_lo && last_jx_ <= jx_hi &&
      (last_jy_ != 0 || last_jx_ != 0) && hit(last_jy_, last_jx_)) {
    return true;
  }
  for (int64_t jy = jy_lo; jy <= jy_hi; ++jy) {
    for (int64_t jx = jx_lo; jx <= jx_hi; ++jx) {
      if ((jy != 0 || jx != 0) && hit(jy, jx)) {  // (0, 0) is the cell itself
        last_jy_ = jy, last_jx_ = jx;
        return true;
      }
    }
  }
  return false;
}

int64_t UserReadBuffer::ServeExactly(const DemandRow& row, int64_t lo, int64_t cycle) {
  // Exact path: address by address; every miss moves the window until the address is seen.
  // Without holes the row's cells are all valid with consecutive positions lo, lo+1, ...
  int64_t offset = 1;  // hit latency
  for (int64_t p = row.p0; p <= row.p1; ++p) {
    int64_t pos = lo + (p - row.p0);
    if (op_.has_holes) {
      const int64_t cell = op_.cell(row.cell_row(p), p);
      if (op_.addr[cell] == -1) continue;
      pos = op_.pos[cell];
    }
    const int64_t s = row.s0 + p, u = row.u0 + row.da * p;
    while (!Hit(pos, s, u)) {
      NewPrefetch();
      const int64_t stall = last_prefetch_ - (cycle + offset);
      if (model_ != StallModel::kHead) offset += stall;  // older versions: negatives too
      if (stall > 0 && model_ != StallModel::kV202) offset += stall;  // 22f88b1: positive only
    }
  }
  return cycle + offset;
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
  if (fits(k_max)) return k_max;
  if (!fits(1)) return 0;
  int64_t good = 1, bad = k_max;  // fits(good), !fits(bad)
  while (bad - good > 1) {
    const int64_t mid = good + (bad - good) / 2;
    (fits(mid) ? good : bad) = mid;
  }
  return good;
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

void WriteBuffer::Finish(int64_t cycle) {
  while (pending_lines_ > 0 || line_fill_ > 0) {
    drain_end_ = Drain(cycle);
    cycle = drain_end_ + 1;
  }
}

}  // namespace strata::hwsim
