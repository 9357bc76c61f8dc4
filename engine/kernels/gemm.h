// GEMM: every matrix product in strata goes through Gemm() (one wrapper over
// cblas_sgemm); GemmReference() is its naive oracle.
//
// Row-major. C (M x N) = alpha * op(A) (M x K) * op(B) (K x N) + beta * C, where op(X) is X
// or its transpose. beta = 0 overwrites C (C may hold garbage), beta = 1 accumulates.
// Deterministic: bit-identical for any NumThreads(). OpenBLAS runs single-threaded; Gemm
// itself splits C into slices fixed by the shape (never by the thread count) and runs them
// in a ParallelFor. Inside a ParallelFor body the slices run serially (no oversubscription).
// Thread-safe for distinct C.
#ifndef STRATA_ENGINE_KERNELS_GEMM_H_
#define STRATA_ENGINE_KERNELS_GEMM_H_

namespace strata {
namespace kernels {

void Gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
          const float* B, int ldb, float beta, float* C, int ldc);

// Naive triple loop, double accumulation. Test oracle only.
void GemmReference(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A,
                   int lda, const float* B, int ldb, float beta, float* C, int ldc);

}  // namespace kernels
}  // namespace strata

#endif  // STRATA_ENGINE_KERNELS_GEMM_H_
