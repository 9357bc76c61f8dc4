#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <vector>

#include "engine/file_util.h"
#include "engine/parallel.h"
#include "engine/rng.h"
#include "engine/status.h"
#include "gtest/gtest.h"

namespace strata {
namespace {

// Known-answer test from the Random123 distribution (kat_vectors: philox4x32_10).
TEST(Philox, KnownAnswer) {
  auto r = Philox4x32({0, 0, 0, 0}, {0, 0});
  EXPECT_EQ(r[0], 0x6627e8d5u);
  EXPECT_EQ(r[1], 0xe169c58du);
  EXPECT_EQ(r[2], 0xbc57ac4cu);
  EXPECT_EQ(r[3], 0x9b00dbd8u);
  r = Philox4x32({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                 {0xffffffffu, 0xffffffffu});
  EXPECT_EQ(r[0], 0x408f276du);
  EXPECT_EQ(r[1], 0x41c83b0eu);
  EXPECT_EQ(r[2], 0xa20bc7c6u);
  EXPECT_EQ(r[3], 0x6d5451fdu);
  r = Philox4x32({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
                 {0xa4093822u, 0x299f31d0u});
  EXPECT_EQ(r[0], 0xd16cfe09u);
  EXPECT_EQ(r[1], 0x94fdccebu);
  EXPECT_EQ(r[2], 0x5001e420u);
  EXPECT_EQ(r[3], 0x24126ea1u);
}

TEST(Philox, PureFunctionOfSeedStreamIndex) {
  Philox a(7, Stream("init", 3)), b(7, Stream("init", 3)), c(8, Stream("init", 3)),
      d(7, Stream("init", 4));
  int same_c = 0, same_d = 0;
  for (uint64_t i = 0; i < 1000; ++i) {
    EXPECT_EQ(a.Bits(i), b.Bits(i));
    same_c += a.Bits(i) == c.Bits(i);
    same_d += a.Bits(i) == d.Bits(i);
  }
  EXPECT_LT(same_c, 3);
  EXPECT_LT(same_d, 3);
}

TEST(Philox, Uniform4IsFourConsecutiveUniforms) {
  const Philox rng(5, Stream("dropout", 2));
  for (uint64_t b : {0ull, 1ull, 77ull, (1ull << 40) + 3}) {
    const std::array<float, 4> u = rng.Uniform4(b);
    for (uint64_t j = 0; j < 4; ++j) EXPECT_EQ(u[j], rng.Uniform(4 * b + j)) << b << " " << j;
  }
}

TEST(Philox, UniformAndNormalMoments) {
  Philox rng(1, 2);
  const int n = 200000;
  double su = 0, sz = 0, szz = 0;
  for (int i = 0; i < n; ++i) {
    const float u = rng.Uniform(i);
    ASSERT_GE(u, 0.f);
    ASSERT_LT(u, 1.f);
    su += u;
    const double z = rng.Normal(i);
    sz += z;
    szz += z * z;
  }
  // Standard errors: uniform mean 0.29/sqrt(n) ~ 6.5e-4, normal mean 1/sqrt(n) ~ 2.2e-3.
  EXPECT_NEAR(su / n, 0.5, 4e-3);
  EXPECT_NEAR(sz / n, 0.0, 1.2e-2);
  EXPECT_NEAR(szz / n, 1.0, 1.5e-2);
}

TEST(Philox, UniformIntCoversRangeEvenly) {
  Philox rng(3, 4);
  std::vector<int> count(7, 0);
  for (int i = 0; i < 70000; ++i) count[rng.UniformInt(i, 7)]++;
  for (int c : count) EXPECT_NEAR(c, 10000, 500);
}

TEST(Shuffle, IsPermutationAndDependsOnStream) {
  std::vector<uint32_t> a(1000), b(1000), c(1000);
  ShuffledIndices(5, Stream("epoch", 0), 1000, a.data());
  ShuffledIndices(5, Stream("epoch", 0), 1000, b.data());
  ShuffledIndices(5, Stream("epoch", 1), 1000, c.data());
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(std::set<uint32_t>(a.begin(), a.end()).size(), 1000u);
}

TEST(Parallel, CoversRangeOnceForAnyThreadCount) {
  for (int threads : {1, 2, 3}) {
    SetNumThreads(threads);
    std::vector<int> hits(1001, 0);
    ParallelFor(1001, 1, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) hits[i]++;
    });
    for (int h : hits) ASSERT_EQ(h, 1);
  }
  SetNumThreads(2);
}

TEST(Status, MessagesAndMacros) {
  Status s = InvalidArgumentError("cfg.pbtxt: field 'epochs': value -1");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.ToString(), "INVALID_ARGUMENT: cfg.pbtxt: field 'epochs': value -1");
  auto fails = []() -> StatusOr<int> { return NotFoundError("x"); };
  auto uses = [&]() -> Status {
    STRATA_ASSIGN_OR_RETURN(int v, fails());
    (void)v;
    return Status::Ok();
  };
  EXPECT_EQ(uses().code(), StatusCode::kNotFound);
}

TEST(FileUtil, AtomicWriteReadAndSha) {
  const std::string dir = std::string(getenv("TEST_TMPDIR")) + "/a/b";
  ASSERT_TRUE(MakeDirs(dir).ok());
  const std::string path = dir + "/f.bin";
  ASSERT_TRUE(WriteFileAtomic(path, "abc").ok());
  auto r = ReadFile(path);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "abc");
  EXPECT_FALSE(ReadFile(dir + "/missing").ok());
  EXPECT_FALSE(WriteFileAtomic(dir + "/no/such/dir/f", "x").ok());
  // FIPS 180-4 example.
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// `bazel run` runs a binary inside its runfiles tree; paths the user typed are taken from
// where the command was called, and the workspace root from BUILD_WORKSPACE_DIRECTORY.
TEST(FileUtil, UserPathAndWorkspaceRootFollowBazelRun) {
  ASSERT_EQ(unsetenv("BUILD_WORKING_DIRECTORY"), 0);
  ASSERT_EQ(unsetenv("BUILD_WORKSPACE_DIRECTORY"), 0);
  EXPECT_EQ(UserPath("runs/a"), "runs/a");
  EXPECT_EQ(WorkspaceRoot(), ".");
  ASSERT_EQ(setenv("BUILD_WORKING_DIRECTORY", "/home/u/strata/reports", 1), 0);
  ASSERT_EQ(setenv("BUILD_WORKSPACE_DIRECTORY", "/home/u/strata", 1), 0);
  EXPECT_EQ(UserPath("runs/a"), "/home/u/strata/reports/runs/a");
  EXPECT_EQ(UserPath("/data/cifar"), "/data/cifar");
  EXPECT_EQ(UserPath(""), "");
  EXPECT_EQ(WorkspaceRoot(), "/home/u/strata");
  ASSERT_EQ(setenv("BUILD_WORKING_DIRECTORY", "", 1), 0);
  EXPECT_EQ(UserPath("runs/a"), "runs/a");
  ASSERT_EQ(unsetenv("BUILD_WORKING_DIRECTORY"), 0);
  ASSERT_EQ(unsetenv("BUILD_WORKSPACE_DIRECTORY"), 0);
}

}  // namespace
}  // namespace strata
