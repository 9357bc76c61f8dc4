#include "engine/kernels/reduce.h"

#include <vector>

#include "engine/kernels/test_util.h"
#include "engine/parallel.h"
#include "gtest/gtest.h"

namespace strata {
namespace kernels {
namespace {

TEST(ReduceSumTest, AgreesWithReferenceOverAxisSetsAndAwkwardSizes) {
  const std::vector<std::vector<int64_t>> shapes = {
      {1}, {17}, {3, 1, 5}, {2, 3, 5, 7}, {4, 16, 33, 1}, {1, 31, 65}, {2, 20000}};
  uint64_t seed = 0;
  for (const auto& dims : shapes) {
    const int rank = static_cast<int>(dims.size());
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    const auto x = RandomVector(n, ++seed);
    for (uint32_t mask = 0; mask < (1u << rank); ++mask) {
      int64_t n_out = 1, depth = 1;
      for (int d = 0; d < rank; ++d) ((mask >> d) & 1 ? depth : n_out) *= dims[d];
      std::vector<float> fast(n_out), ref(n_out);
      ReduceSum(dims.data(), rank, mask, x.data(), fast.data());
      ReduceSumReference(dims.data(), rank, mask, x.data(), ref.data());
      EXPECT_TRUE(Agree(fast, ref, depth)) << "rank " << rank << " mask " << mask;
    }
  }
}

TEST(ReduceSumTest, BitIdenticalForAnyThreadCount) {
  const std::vector<int64_t> dims = {3, 70001};
  const auto x = RandomVector(dims[0] * dims[1], 5);
  std::vector<float> results[3];
  for (int t = 1; t <= 3; ++t) {
    SetNumThreads(t);
    for (uint32_t mask : {1u, 2u, 3u}) {
      std::vector<float> out(mask == 3 ? 1 : (mask == 1 ? dims[1] : dims[0]));
      ReduceSum(dims.data(), 2, mask, x.data(), out.data());
      results[t - 1].insert(results[t - 1].end(), out.begin(), out.end());
    }
  }
  EXPECT_TRUE(BitIdentical(results[0], results[1]));
  EXPECT_TRUE(BitIdentical(results[0], results[2]));
}

}  // namespace
}  // namespace kernels
}  // namespace strata
