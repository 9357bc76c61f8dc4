#include "quant/kernels/int_conv.h"

#include <cstring>
#include <vector>

#include "engine/parallel.h"
#include "engine/rng.h"
#include "gtest/gtest.h"

namespace strata {
namespace quant {
namespace kernels {
namespace {

// {N, C, H, W, K, R, S, stride_h, stride_w, pad_h, pad_w, groups}
IntConv2dShape Make(int N, int C, int H, int W, int K, int R, int S, int sh, int sw, int ph,
                    int pw, int groups) {
  IntConv2dShape s;
  s.N = N, s.C = C, s.H = H, s.W = W, s.K = K, s.R = R, s.S = S;
  s.stride_h = sh, s.stride_w = sw, s.pad_h = ph, s.pad_w = pw, s.groups = groups;
  return s;
}

// Awkward shapes: 1x1, 3x3 same and strided (2 and 3, unequal strides), odd channel counts
// (a missing pair partner), K not a multiple of 4, rows not a multiple of the 8-pixel
// vector, several 16-row chunks, depthwise, grouped, rectangular kernels, padding wider than
// the kernel reach, a ResNet-18-deep layer (D = 4608).
const IntConv2dShape kShapes[] = {
    Make(1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1),       Make(2, 3, 5, 7, 5, 1, 1, 1, 1, 0, 0, 1),
    Make(2, 16, 9, 9, 16, 3, 3, 1, 1, 1, 1, 1),     Make(3, 5, 11, 13, 7, 3, 3, 2, 2, 1, 1, 1),
    Make(2, 16, 32, 32, 32, 1, 1, 2, 2, 0, 0, 1),   Make(1, 3, 17, 15, 6, 7, 7, 2, 2, 3, 3, 1),
    Make(2, 12, 10, 10, 12, 3, 3, 1, 1, 1, 1, 12),  Make(2, 8, 9, 9, 8, 3, 3, 2, 2, 1, 1, 8),
    Make(2, 6, 8, 9, 9, 3, 3, 1, 1, 1, 1, 3),       Make(1, 4, 6, 5, 5, 2, 3, 1, 2, 2, 0, 1),
    Make(1, 2, 4, 4, 3, 3, 3, 3, 1, 3, 2, 1),       Make(1, 512, 4, 4, 10, 3, 3, 1, 1, 1, 1, 1),
    Make(1, 16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1),   Make(1, 3, 37, 21, 5, 3, 3, 1, 1, 1, 1, 1),
    Make(2, 5, 20, 23, 6, 5, 5, 3, 3, 2, 2, 1),     Make(1, 7, 9, 9, 4, 1, 1, 2, 2, 0, 0, 1),
};

template <class T>
std::vector<T> Codes(int64_t n, int lo, int hi, uint64_t seed) {
  const Philox rng(seed, 3);
  std::vector<T> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = T(lo + int(rng.UniformInt(i, uint32_t(hi - lo + 1))));
  return v;
}

bool SameBits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

template <class X>
void CheckAgainstReference(const IntConv2dShape& s, const std::vector<X>& x,
                           const std::vector<int8_t>& w, const std::vector<float>& bias,
                           const char* what) {
  std::vector<float> fast(s.YSize()), ref(s.YSize());
  std::vector<int32_t> ws(IntConv2dWorkspaceInts(s));
  const float scale = 0.0123f;
  for (const float* b : {static_cast<const float*>(nullptr), bias.data()}) {
    IntConv2dForward(s, x.data(), w.data(), scale, b, fast.data(), ws.data());
    IntConv2dForwardReference(s, x.data(), w.data(), scale, b, ref.data());
    EXPECT_TRUE(SameBits(fast, ref)) << what << " N=" << s.N << " C=" << s.C << " H=" << s.H
                                     << " W=" << s.W << " K=" << s.K << " R=" << s.R << " S=" << s.S
                                     << " stride " << s.stride_h << "," << s.stride_w << " pad "
                                     << s.pad_h << "," << s.pad_w << " groups " << s.groups
                                     << (b ? " bias" : "");
  }
}

TEST(IntConvTest, EqualsReferenceBitForBitOnAwkwardShapes) {
  uint64_t seed = 0;
  for (const IntConv2dShape& s : kShapes) {
    const auto w = Codes<int8_t>(s.WSize(), -128, 127, ++seed);
    const auto xu = Codes<uint8_t>(s.XSize(), 0, 255, ++seed);
    const auto xs = Codes<int8_t>(s.XSize(), -128, 127, ++seed);
    std::vector<float> bias(s.K);
    for (int k = 0; k < s.K; ++k) bias[k] = 0.37f * float(k) - 1.f;
    CheckAgainstReference(s, xu, w, bias, "uint8");
    CheckAgainstReference(s, xs, w, bias, "int8");
  }
}

TEST(IntConvTest, ExtremeCodesDoNotOverflow) {
  // Every product at its largest magnitude, D = 4608: acc = -4608 * 128 * 255 exactly.
  const IntConv2dShape s = Make(1, 512, 3, 3, 2, 3, 3, 1, 1, 0, 0, 1);
  const std::vector<uint8_t> x(s.XSize(), 255);
  const std::vector<int8_t> w(s.WSize(), -128);
  std::vector<float> y(s.YSize());
  std::vector<int32_t> ws(IntConv2dWorkspaceInts(s));
  IntConv2dForward(s, x.data(), w.data(), 1.f, nullptr, y.data(), ws.data());
  for (float v : y) EXPECT_EQ(v, -4608.f * 128.f * 255.f);
}

TEST(IntConvTest, BitIdenticalForOneTwoAndThreeThreads) {
  const IntConv2dShape s = Make(5, 16, 16, 16, 16, 3, 3, 1, 1, 1, 1, 1);
  const auto w = Codes<int8_t>(s.WSize(), -8, 7, 1);
  const auto x = Codes<uint8_t>(s.XSize(), 0, 15, 2);
  std::vector<float> y[3];
  for (int t = 1; t <= 3; ++t) {
    SetNumThreads(t);
    std::vector<int32_t> ws(IntConv2dWorkspaceInts(s));
    y[t - 1].resize(s.YSize());
    IntConv2dForward(s, x.data(), w.data(), 0.01f, nullptr, y[t - 1].data(), ws.data());
  }
  EXPECT_TRUE(SameBits(y[0], y[1]));
  EXPECT_TRUE(SameBits(y[0], y[2]));
}

}  // namespace
}  // namespace kernels
}  // namespace quant
}  // namespace strata
