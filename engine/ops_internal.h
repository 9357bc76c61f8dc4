// Helpers shared by the ops_*.cc files. Private to //engine.
#ifndef STRATA_ENGINE_OPS_INTERNAL_H_
#define STRATA_ENGINE_OPS_INTERNAL_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "engine/autograd.h"
#include "engine/check.h"
#include "engine/parallel.h"
#include "engine/tensor.h"

namespace strata {
namespace internal {

// Elementwise loops are split across the pool in ranges of at least this many elements
// (1 MiB of floats). They are memory-bound, so a second thread buys little on small
// tensors while every parallel region costs a join; on a busy machine the join waits for
// a descheduled thread. Measured on a ResNet-20 step (2 threads, 5 other processes):
// 2^18 ran 5-15 % faster than 2^14 and 12-26 % faster than fully serial loops.
constexpr int64_t kElementwiseGrain = 1 << 18;

// f(i) for i in [0, n), in parallel; each i must touch only its own outputs. f is copied
// into each range (capture pointers by value: the loop then keeps them in registers and
// vectorizes, where by-reference captures are reloaded every iteration).
template <class F>
void ForEach(int64_t n, const F& f) {
  ParallelFor(n, kElementwiseGrain, [&f](int64_t begin, int64_t end) {
    const F local = f;
    for (int64_t i = begin; i < end; ++i) local(i);
  });
}

// Writes (accumulate ? += : =) v(i) into out[i] for i in [0, n).
template <class F>
void StoreEach(float* out, bool accumulate, int64_t n, const F& v) {
  if (accumulate) {
    ForEach(n, [out, v](int64_t i) { out[i] += v(i); });
  } else {
    ForEach(n, [out, v](int64_t i) { out[i] = v(i); });
  }
}

// NumPy broadcasting of a against b: the output shape and, per output axis, the strides
// of a and b (0 along a stretched axis).
struct Broadcast {
  Shape out;
  std::vector<int64_t> sa, sb;
  bool same = false;  // a, b and out have one shape
};

inline Broadcast MakeBroadcast(const Shape& a, const Shape& b, const char* op) {
  const int rank = static_cast<int>(std::max(a.size(), b.size()));
  Broadcast bc;
  bc.same = a == b;
  bc.out.assign(rank, 1);
  bc.sa.assign(rank, 0);
  bc.sb.assign(rank, 0);
  int64_t stride_a = 1, stride_b = 1;
  for (int d = rank - 1; d >= 0; --d) {
    const int ia = d - (rank - static_cast<int>(a.size()));
    const int ib = d - (rank - static_cast<int>(b.size()));
    const int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
    CHECK(da == db || da == 1 || db == 1)
        << op << ": shapes " << ShapeStr(a) << " and " << ShapeStr(b) << " do not broadcast";
    bc.out[d] = std::max(da, db);
    if (da == bc.out[d] && da != 1) bc.sa[d] = stride_a;
    if (db == bc.out[d] && db != 1) bc.sb[d] = stride_b;
    stride_a *= da;
    stride_b *= db;
  }
  return bc;
}

// f(i, ia, ib) for every output index i with the matching offsets into a and b. Rows
// (all axes but the last) are spread over the pool.
template <class F>
void ForEachBroadcast(const Broadcast& bc, const F& f) {
  const int rank = static_cast<int>(bc.out.size());
  const int64_t inner = rank ? bc.out[rank - 1] : 1;
  const int64_t sa_in = rank ? bc.sa[rank - 1] : 0, sb_in = rank ? bc.sb[rank - 1] : 0;
  const int64_t rows = inner ? NumElements(bc.out) / inner : 0;
  ParallelFor(rows, std::max<int64_t>(1, internal::kElementwiseGrain / std::max<int64_t>(inner, 1)),
              [&](int64_t r0, int64_t r1) {
                const F local = f;
                for (int64_t r = r0; r < r1; ++r) {
                  int64_t rem = r, oa = 0, ob = 0;
                  for (int d = rank - 2; d >= 0; --d) {
                    const int64_t idx = rem % bc.out[d];
                    rem /= bc.out[d];
                    oa += idx * bc.sa[d];
                    ob += idx * bc.sb[d];
                  }
                  for (int64_t j = 0; j < inner; ++j)
                    local(r * inner + j, oa + j * sa_in, ob + j * sb_in);
                }
              });
}

// Pooled scratch of n floats (a Tensor so it returns to the pool).
inline Tensor Scratch(int64_t n) { return Tensor::Empty({n > 0 ? n : 1}); }

}  // namespace internal
}  // namespace strata

#endif  // STRATA_ENGINE_OPS_INTERNAL_H_
