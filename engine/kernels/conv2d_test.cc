#include "engine/kernels/conv2d.h"

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "engine/kernels/conv2d_internal.h"
#include "engine/kernels/test_util.h"
#include "engine/parallel.h"
#include "gtest/gtest.h"

namespace strata {
namespace kernels {
namespace {

using internal::ConvAlgo;

std::string Describe(const Conv2dShape& s) {
  std::ostringstream o;
  o << "N" << s.N << " C" << s.C << " H" << s.H << " W" << s.W << " K" << s.K << " R" << s.R << " S"
    << s.S << " stride" << s.stride_h << "x" << s.stride_w << " pad" << s.pad_h << "x" << s.pad_w
    << " G" << s.groups;
  return o.str();
}

// Workspace filled with NaN: a kernel reading scratch it did not write shows up as NaN.
std::vector<float> Workspace(const Conv2dShape& s, ConvAlgo algo) {
  const int slots = internal::NumSlots(s.N);
  const int64_t n = algo == ConvAlgo::kDirect ? internal::DirectWorkspaceFloats(s, slots)
                                              : internal::GemmWorkspaceFloats(s, slots);
  return std::vector<float>(n, std::nanf(""));
}

struct Outputs {
  std::vector<float> y, dx, dw, dbias;
  std::vector<float> dx_fresh;  // backward-data with accumulate = false
};

// Runs the three passes with `algo` (fast) or the references; dx, dw, dbias start random to
// check that the backward passes accumulate. dx_fresh starts NaN for the fast kernels (the
// overwrite mode must write every element) and 0 for the reference.
Outputs Run(const Conv2dShape& s, ConvAlgo algo, bool reference, uint64_t seed) {
  const auto x = RandomVector(s.XSize(), seed, 1), w = RandomVector(s.WSize(), seed, 2);
  const auto bias = RandomVector(s.K, seed, 3), dy = RandomVector(s.YSize(), seed, 4);
  Outputs o{std::vector<float>(s.YSize()), RandomVector(s.XSize(), seed, 5),
            RandomVector(s.WSize(), seed, 6), RandomVector(s.K, seed, 7),
            std::vector<float>(s.XSize(), reference ? 0.f : std::nanf(""))};
  if (reference) {
    Conv2dForwardReference(s, x.data(), w.data(), bias.data(), o.y.data());
    Conv2dBackwardDataReference(s, dy.data(), w.data(), o.dx.data());
    Conv2dBackwardDataReference(s, dy.data(), w.data(), o.dx_fresh.data());
    Conv2dBackwardWeightReference(s, x.data(), dy.data(), o.dw.data(), o.dbias.data());
    return o;
  }
  auto ws = Workspace(s, algo);
  if (algo == ConvAlgo::kDirect) {
    internal::DirectForward(s, x.data(), w.data(), bias.data(), o.y.data(), ws.data());
    internal::DirectBackwardData(s, dy.data(), w.data(), o.dx.data(), ws.data(), true);
    internal::DirectBackwardData(s, dy.data(), w.data(), o.dx_fresh.data(), ws.data(), false);
    internal::DirectBackwardWeight(s, x.data(), dy.data(), o.dw.data(), o.dbias.data(), ws.data());
  } else {
    internal::GemmForward(s, x.data(), w.data(), bias.data(), o.y.data(), ws.data());
    internal::GemmBackwardData(s, dy.data(), w.data(), o.dx.data(), ws.data(), true);
    internal::GemmBackwardData(s, dy.data(), w.data(), o.dx_fresh.data(), ws.data(), false);
    internal::GemmBackwardWeight(s, x.data(), dy.data(), o.dw.data(), o.dbias.data(), ws.data());
  }
  return o;
}

void ExpectAgree(const Conv2dShape& s, uint64_t seed) {
  const Outputs ref = Run(s, ConvAlgo::kDirect, true, seed);
  const int Cg = s.C / s.groups, Kg = s.K / s.groups;
  for (ConvAlgo algo : {ConvAlgo::kDirect, ConvAlgo::kGemm}) {
    const Outputs fast = Run(s, algo, false, seed);
    const char* name = algo == ConvAlgo::kDirect ? "direct " : "gemm ";
    EXPECT_TRUE(Agree(fast.y, ref.y, int64_t(Cg) * s.R * s.S))
        << name << "forward " << Describe(s) << " seed " << seed;
    EXPECT_TRUE(Agree(fast.dx, ref.dx, int64_t(Kg) * s.R * s.S + 1))
        << name << "backward-data " << Describe(s) << " seed " << seed;
    EXPECT_TRUE(Agree(fast.dx_fresh, ref.dx_fresh, int64_t(Kg) * s.R * s.S + 1))
        << name << "backward-data, overwrite " << Describe(s) << " seed " << seed;
    EXPECT_TRUE(Agree(fast.dw, ref.dw, int64_t(s.N) * s.P() * s.Q() + 1))
        << name << "backward-weight " << Describe(s) << " seed " << seed;
    EXPECT_TRUE(Agree(fast.dbias, ref.dbias, int64_t(s.N) * s.P() * s.Q() + 1))
        << name << "backward-bias " << Describe(s) << " seed " << seed;
  }
}

Conv2dShape Shape(int N, int C, int H, int W, int K, int R, int S, int stride, int pad,
                  int groups = 1) {
  Conv2dShape s;
  s.N = N, s.C = C, s.H = H, s.W = W, s.K = K, s.R = R, s.S = S;
  s.stride_h = s.stride_w = stride;
  s.pad_h = s.pad_w = pad;
  s.groups = groups;
  return s;
}

TEST(Conv2dTest, ChannelSweepAroundTileEdges) {
  const int channels[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17};
  uint64_t seed = 100;
  for (int C : channels) {
    for (int K : channels) {
      const int hw = 5 + (C + K) % 5, stride = 1 + (C * K) % 2, pad = (C + K) % 2;
      ExpectAgree(Shape(2, C, hw, hw + 2, K, 3, 3, stride, pad), ++seed);
    }
  }
}

TEST(Conv2dTest, WideChannelsAndKernelSizes) {
  uint64_t seed = 200;
  for (int c : {31, 32, 33, 63, 64, 65}) {
    ExpectAgree(Shape(2, c, 5, 6, 97 - c, 3, 3, 1, 1), ++seed);
    ExpectAgree(Shape(1, c, 4, 4, c, 1, 1, 2, 0), ++seed);
  }
  for (int stride : {1, 2}) {
    for (int pad : {0, 1, 3}) {
      ExpectAgree(Shape(2, 3, 11, 13, 5, 7, 7, stride, pad), ++seed);
      ExpectAgree(Shape(3, 6, 7, 9, 10, 1, 1, stride, pad), ++seed);
      ExpectAgree(Shape(2, 4, 9, 17, 6, 3, 3, stride, pad), ++seed);
    }
  }
}

TEST(Conv2dTest, AwkwardSpatialShapes) {
  uint64_t seed = 300;
  ExpectAgree(Shape(1, 1, 1, 1, 1, 1, 1, 1, 0), ++seed);
  ExpectAgree(Shape(2, 3, 1, 1, 4, 3, 3, 1, 1), ++seed);
  ExpectAgree(Shape(2, 3, 1, 23, 4, 1, 3, 1, 0), ++seed);
  ExpectAgree(Shape(3, 2, 13, 1, 5, 3, 1, 2, 0), ++seed);
  ExpectAgree(Shape(2, 5, 2, 2, 3, 3, 3, 2, 1), ++seed);
  ExpectAgree(Shape(1, 4, 3, 3, 4, 3, 3, 3, 1), ++seed);
  Conv2dShape s = Shape(2, 3, 10, 19, 5, 2, 3, 1, 0);
  s.stride_h = 2, s.stride_w = 3, s.pad_h = 1, s.pad_w = 2;
  ExpectAgree(s, ++seed);
}

TEST(Conv2dTest, GroupsAndDepthwise) {
  uint64_t seed = 400;
  ExpectAgree(Shape(2, 4, 7, 7, 6, 3, 3, 1, 1, 2), ++seed);
  ExpectAgree(Shape(2, 10, 9, 8, 6, 3, 3, 2, 1, 2), ++seed);
  ExpectAgree(Shape(2, 16, 7, 9, 34, 3, 3, 1, 1, 2), ++seed);  // K/G >= 8: wide weight tile
  ExpectAgree(Shape(3, 24, 9, 9, 48, 3, 3, 2, 1, 3), ++seed);
  for (int c : {1, 5, 16, 17}) {
    ExpectAgree(Shape(2, c, 9, 11, c, 3, 3, 1, 1, c), ++seed);
    ExpectAgree(Shape(2, c, 9, 11, c, 3, 3, 2, 1, c), ++seed);
    ExpectAgree(Shape(1, c, 8, 8, 2 * c, 5, 5, 1, 2, c), ++seed);
  }
}

TEST(Conv2dTest, ResNetShapesAgreeOnSmallBatch) {
  uint64_t seed = 500;
  ExpectAgree(Shape(2, 3, 32, 32, 16, 3, 3, 1, 1), ++seed);
  ExpectAgree(Shape(2, 16, 32, 32, 32, 3, 3, 2, 1), ++seed);
  ExpectAgree(Shape(2, 32, 16, 16, 64, 1, 1, 2, 0), ++seed);
}

void ExpectSameBitsForThreadCounts(const Conv2dShape& s, ConvAlgo algo) {
  SetNumThreads(1);
  const Outputs one = Run(s, algo, false, 9);
  for (int threads : {2, 3}) {
    SetNumThreads(threads);
    const Outputs many = Run(s, algo, false, 9);
    EXPECT_TRUE(BitIdentical(one.y, many.y)) << threads << " threads " << Describe(s);
    EXPECT_TRUE(BitIdentical(one.dx, many.dx)) << threads << " threads " << Describe(s);
    EXPECT_TRUE(BitIdentical(one.dw, many.dw)) << threads << " threads " << Describe(s);
    EXPECT_TRUE(BitIdentical(one.dbias, many.dbias)) << threads << " threads " << Describe(s);
  }
  SetNumThreads(2);
}

TEST(Conv2dTest, BitIdenticalForOneTwoThreeThreads) {
  for (ConvAlgo algo : {ConvAlgo::kDirect, ConvAlgo::kGemm}) {
    ExpectSameBitsForThreadCounts(Shape(7, 16, 16, 16, 16, 3, 3, 1, 1), algo);
    ExpectSameBitsForThreadCounts(Shape(11, 8, 15, 15, 12, 3, 3, 2, 1), algo);
    ExpectSameBitsForThreadCounts(Shape(5, 70, 8, 8, 80, 3, 3, 1, 1), algo);
  }
}

TEST(Conv2dTest, PublicEntryPointsMatchReference) {
  for (const Conv2dShape& s :
       {Shape(3, 16, 8, 8, 16, 3, 3, 1, 1), Shape(2, 130, 5, 5, 140, 3, 3, 1, 1)}) {
    const auto x = RandomVector(s.XSize(), 1, 1), w = RandomVector(s.WSize(), 1, 2);
    std::vector<float> ws(Conv2dWorkspaceFloats(s)), y(s.YSize()), ref(s.YSize());
    Conv2dForward(s, x.data(), w.data(), nullptr, y.data(), ws.data());
    Conv2dForwardReference(s, x.data(), w.data(), nullptr, ref.data());
    EXPECT_TRUE(Agree(y, ref, s.C * 9)) << Describe(s);
  }
}

TEST(Conv2dDeathTest, BadShapeNamesOpAndValues) {
  Conv2dShape s = Shape(1, 6, 4, 4, 4, 3, 3, 1, 1, 4);
  EXPECT_DEATH(Conv2dWorkspaceFloats(s), "Conv2dWorkspaceFloats.*groups");
}

}  // namespace
}  // namespace kernels
}  // namespace strata
