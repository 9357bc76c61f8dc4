#include "engine/kernels/gemm.h"

#include <cblas.h>

#include <algorithm>
#include <cstdint>

#include "engine/check.h"
#include "engine/kernels/dynamic_for.h"
#include "engine/parallel.h"

namespace strata {
namespace kernels {
namespace {

// Determinism. OpenBLAS's threaded driver blocks K differently from its serial one when
// GEMM_Q < K < 2*GEMM_Q (measured: 96x700x300 differs between 1 and 2 threads), and its
// small-matrix path depends on M*N*K. So OpenBLAS always runs single-threaded here and we
// parallelize ourselves over fixed slices of C whose boundaries depend on the shape only:
// every slice is the same serial sgemm call whatever the thread count.
// OpenBLAS here is the pthread build, so single-threaded calls also avoid oversubscribing
// the cores from inside our own OpenMP regions.
constexpr int kMinSlice = 256;  // rows or columns of C per slice
constexpr int kMaxSlices = 8;

// SetNumThreads() also sets OpenBLAS's (process-wide) count, so reset it on every call; from
// several threads at once this is a benign store of 1 (no pool resize in OpenBLAS 0.3.21).
void SerialBlas() {
  if (openblas_get_num_threads() != 1) openblas_set_num_threads(1);
}

// Slice width along a dimension of length n: at most kMaxSlices slices of >= kMinSlice.
int SliceWidth(int n) {
  const int w = (n + kMaxSlices - 1) / kMaxSlices;
  return std::max(kMinSlice, (w + 15) / 16 * 16);
}

void CheckGemmArgs(bool trans_a, bool trans_b, int M, int N, int K, int lda, int ldb, int ldc) {
  CHECK(M >= 0 && N >= 0 && K >= 0) << "Gemm: negative size M=" << M << " N=" << N << " K=" << K;
  CHECK_GE(lda, std::max(1, trans_a ? M : K)) << "Gemm: lda (trans_a=" << trans_a << ")";
  CHECK_GE(ldb, std::max(1, trans_b ? K : N)) << "Gemm: ldb (trans_b=" << trans_b << ")";
  CHECK_GE(ldc, std::max(1, N)) << "Gemm: ldc";
}

}  // namespace

void Gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
          const float* B, int ldb, float beta, float* C, int ldc) {
  CheckGemmArgs(trans_a, trans_b, M, N, K, lda, ldb, ldc);
  if (M == 0 || N == 0) return;
  SerialBlas();
  const CBLAS_TRANSPOSE ta = trans_a ? CblasTrans : CblasNoTrans;
  const CBLAS_TRANSPOSE tb = trans_b ? CblasTrans : CblasNoTrans;
  const bool split_n = N >= M;  // slice the longer side of C
  const int width = SliceWidth(split_n ? N : M);
  const int slices = ((split_n ? N : M) + width - 1) / width;
  internal::ParallelForRef(slices, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const int lo = int(i) * width;
      const int n = std::min(width, (split_n ? N : M) - lo);
      if (split_n) {
        const float* b = trans_b ? B + int64_t(lo) * ldb : B + lo;
        cblas_sgemm(CblasRowMajor, ta, tb, M, n, K, alpha, A, lda, b, ldb, beta, C + lo, ldc);
      } else {
        const float* a = trans_a ? A + lo : A + int64_t(lo) * lda;
        cblas_sgemm(CblasRowMajor, ta, tb, n, N, K, alpha, a, lda, B, ldb, beta,
                    C + int64_t(lo) * ldc, ldc);
      }
    }
  });
}

void GemmReference(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A,
                   int lda, const float* B, int ldb, float beta, float* C, int ldc) {
  CheckGemmArgs(trans_a, trans_b, M, N, K, lda, ldb, ldc);
  for (int i = 0; i < M; ++i) {
    for (int j = 0; j < N; ++j) {
      double acc = 0;
      for (int k = 0; k < K; ++k) {
        const double a = trans_a ? A[int64_t(k) * lda + i] : A[int64_t(i) * lda + k];
        const double b = trans_b ? B[int64_t(j) * ldb + k] : B[int64_t(k) * ldb + j];
        acc += a * b;
      }
      float& c = C[int64_t(i) * ldc + j];
      // beta == 0 overwrites: C may hold garbage (NaN), as in BLAS.
      c = static_cast<float>(alpha * acc + (beta == 0.f ? 0.0 : double(beta) * c));
    }
  }
}

}  // namespace kernels
}  // namespace strata
