// "Kernels allocate nothing": counts operator new calls (replaced for this binary) during
// the fast kernels. OpenBLAS's and OpenMP's own buffers (malloc) are theirs and not counted.
#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "engine/kernels/batchnorm.h"
#include "engine/kernels/conv2d.h"
#include "engine/kernels/gemm.h"
#include "engine/kernels/pool.h"
#include "engine/parallel.h"
#include "gtest/gtest.h"

namespace {
std::atomic<long> g_news{0};
}  // namespace

void* operator new(std::size_t n) {
  ++g_news;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace strata {
namespace kernels {
namespace {

Conv2dShape Shape(int C, int HW, int K, int R, int stride) {
  Conv2dShape s;
  s.N = 5, s.C = C, s.H = s.W = HW, s.K = K, s.R = s.S = R;
  s.stride_h = s.stride_w = stride;
  s.pad_h = s.pad_w = R / 2;
  return s;
}

TEST(NoAllocTest, FastKernelsDoNotCallNew) {
  SetNumThreads(2);
  for (const Conv2dShape& s : {Shape(16, 12, 16, 3, 1), Shape(8, 11, 4, 3, 2),
                               Shape(140, 6, 150, 3, 1), Shape(16, 8, 32, 1, 2)}) {
    std::vector<float> x(s.XSize(), 0.5f), w(s.WSize(), 0.25f), y(s.YSize()), dx(s.XSize()),
        dw(s.WSize()), b(s.K), db(s.K), ws(Conv2dWorkspaceFloats(s));
    const BatchNormShape bs{s.N, s.K, s.P() * s.Q()};
    std::vector<float> bn(s.YSize()), dbn(s.YSize()), stats(4 * s.K, 1.f);
    std::vector<float> ga(64 * 40, 1.f), gb(300 * 40, 1.f), gc(64 * 300);
    PoolShape ps;
    ps.N = s.N, ps.C = s.K, ps.H = s.P(), ps.W = s.Q(), ps.R = ps.S = 2,
    ps.stride_h = ps.stride_w = 2;
    std::vector<float> pooled(int64_t(s.N) * s.K * ps.P() * ps.Q());
    std::vector<int32_t> arg(pooled.size());
    const long before = g_news;
    Conv2dForward(s, x.data(), w.data(), b.data(), y.data(), ws.data());
    Conv2dBackwardData(s, y.data(), w.data(), dx.data(), ws.data());
    Conv2dBackwardWeight(s, x.data(), y.data(), dw.data(), db.data(), ws.data());
    BatchNormForwardTrain(bs, y.data(), b.data(), b.data(), 1e-5f, 0.1f, nullptr, nullptr,
                          Activation::kReLU, bn.data(), stats.data(), stats.data() + s.K);
    BatchNormBackward(bs, y.data(), bn.data(), y.data(), b.data(), stats.data(), stats.data() + s.K,
                      Activation::kReLU, dbn.data(), stats.data() + 2 * s.K,
                      stats.data() + 3 * s.K);
    MaxPool2dForward(ps, y.data(), pooled.data(), arg.data());
    AvgPool2dBackward(ps, pooled.data(), y.data());
    Gemm(false, true, 64, 300, 40, 1.f, ga.data(), 40, gb.data(), 40, 0.f, gc.data(), 300);
    EXPECT_EQ(g_news - before, 0) << "C=" << s.C << " K=" << s.K << " R=" << s.R;
  }
}

}  // namespace
}  // namespace kernels
}  // namespace strata
