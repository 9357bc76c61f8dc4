#include "engine/kernels/reduce.h"

#include <algorithm>
#include <vector>

#include "engine/check.h"
#include "engine/parallel.h"

namespace strata {
namespace kernels {
namespace {

// A list of (size, stride) axes, outermost first.
struct Axes {
  int rank = 0;
  int64_t size[kMaxReduceRank];
  int64_t stride[kMaxReduceRank];
  int64_t count() const {
    int64_t n = 1;
    for (int i = 0; i < rank; ++i) n *= size[i];
    return n;
  }
  // Memory offset of the i-th element in row-major order over these axes.
  int64_t Offset(int64_t i) const {
    int64_t off = 0;
    for (int d = rank - 1; d >= 0; --d) {
      off += (i % size[d]) * stride[d];
      i /= size[d];
    }
    return off;
  }
};

// Splits the input into kept and reduced axes, dropping size-1 axes and merging
// neighbours of the same kind that are contiguous with each other.
void SplitAxes(const int64_t* dims, int rank, uint32_t mask, Axes* kept, Axes* red) {
  int64_t stride = 1;
  int last_kind = -1;
  for (int d = rank - 1; d >= 0; --d) {
    const int kind = (mask >> d) & 1;
    if (dims[d] != 1) {
      Axes* a = kind ? red : kept;
      if (kind == last_kind && a->rank > 0) {
        a->size[0] *= dims[d];  // merge with the axis just inside it
      } else {
        for (int i = a->rank; i > 0; --i)
          a->size[i] = a->size[i - 1], a->stride[i] = a->stride[i - 1];
        a->size[0] = dims[d];
        a->stride[0] = stride;
        ++a->rank;
      }
      last_kind = kind;
    }
    stride *= dims[d];
  }
}

// Sum of x[base + red.Offset(r)] for r in [r0, r1), in increasing r.
double SumRange(const float* x, int64_t base, const Axes& red, int64_t r0, int64_t r1) {
  if (red.rank == 0) return r0 < r1 ? x[base] : 0.0;
  const int inner = red.rank - 1;
  const int64_t n_in = red.size[inner], s_in = red.stride[inner];
  double sum = 0;
  int64_t r = r0;
  while (r < r1) {
    const int64_t i0 = r % n_in;
    const int64_t len = std::min(n_in - i0, r1 - r);
    const float* p = x + base + red.Offset(r);
    if (s_in == 1) {
      for (int64_t i = 0; i < len; ++i) sum += p[i];
    } else {
      for (int64_t i = 0; i < len; ++i) sum += p[i * s_in];
    }
    r += len;
  }
  return sum;
}

constexpr int64_t kChunk = 1 << 14;
constexpr int64_t kManyOutputs = 16;

}  // namespace

void ReduceSum(const int64_t* dims, int rank, uint32_t mask, const float* x, float* out) {
  CHECK(rank <= kMaxReduceRank) << "ReduceSum: rank " << rank;
  Axes kept, red;
  SplitAxes(dims, rank, mask, &kept, &red);
  const int64_t n_out = kept.count(), n_red = red.count();
  if (n_out >= kManyOutputs || n_red <= kChunk) {
    ParallelFor(n_out, 1, [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; ++o) {
        out[o] = static_cast<float>(SumRange(x, kept.Offset(o), red, 0, n_red));
      }
    });
    return;
  }
  // Few outputs, long reductions: fixed chunks in parallel, combined in chunk order.
  const int64_t chunks = NumChunks(n_red, kChunk);
  std::vector<double> partial(chunks);
  for (int64_t o = 0; o < n_out; ++o) {
    const int64_t base = kept.Offset(o);
    ParallelFor(chunks, 1, [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; ++c) {
        partial[c] = SumRange(x, base, red, c * kChunk, std::min(n_red, (c + 1) * kChunk));
      }
    });
    double sum = 0;
    for (double p : partial) sum += p;
    out[o] = static_cast<float>(sum);
  }
}

void ReduceSumReference(const int64_t* dims, int rank, uint32_t mask, const float* x, float* out) {
  int64_t n = 1, n_out = 1;
  for (int d = 0; d < rank; ++d) {
    n *= dims[d];
    if (!((mask >> d) & 1)) n_out *= dims[d];
  }
  std::vector<double> acc(n_out, 0.0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t rem = i, o = 0, o_stride = 1;
    for (int d = rank - 1; d >= 0; --d) {
      const int64_t idx = rem % dims[d];
      rem /= dims[d];
      if (!((mask >> d) & 1)) {
        o += idx * o_stride;
        o_stride *= dims[d];
      }
    }
    acc[o] += x[i];
  }
  for (int64_t o = 0; o < n_out; ++o) out[o] = static_cast<float>(acc[o]);
}

}  // namespace kernels
}  // namespace strata
