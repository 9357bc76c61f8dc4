// Bit planes and packing: exhaustive decomposition/reconstruction of every N-bit code
// against two's-complement bit slicing, pack/unpack round trips over awkward lengths, and
// the documented LSB-first layout checked bit by bit.
#include "quant/bitplanes.h"

#include <cmath>
#include <vector>

#include "engine/rng.h"
#include "gtest/gtest.h"

namespace strata {
namespace quant {
namespace {

const int64_t kLengths[] = {0, 1, 2, 3, 5, 7, 8, 9, 13, 15, 16, 17, 31, 63, 64, 65, 127, 1009};

// Every code of width n_bits, in order.
std::vector<int32_t> EveryCode(int n_bits) {
  std::vector<int32_t> q;
  for (int32_t v = -(1 << (n_bits - 1)); v < (1 << (n_bits - 1)); ++v) q.push_back(v);
  return q;
}

// Bit j (0 = least significant) of q's two's complement.
int Bit(int32_t q, int j) { return (static_cast<uint32_t>(q) >> j) & 1u; }

TEST(BitplanesTest, DecompositionIsBitSlicingAndReconstructsEveryWidth) {
  for (int n_bits = 2; n_bits <= 8; ++n_bits) {
    const std::vector<int32_t> q = EveryCode(n_bits);
    for (int b0 = 1; b0 <= n_bits; ++b0) {
      const VerticalLayers v = Decompose(q, n_bits, b0);
      ASSERT_EQ(static_cast<int>(v.planes.size()), n_bits - b0);
      for (size_t i = 0; i < q.size(); ++i) {
        // basic layer = floor(q / 2^(N - b0)) (Eq. 5 read in double)
        ASSERT_EQ(v.basic[i],
                  static_cast<int32_t>(std::floor(q[i] / std::ldexp(1.0, n_bits - b0))));
        for (int k = 1; k <= n_bits - b0; ++k) {  // e_{b0+k} is bit N - b0 - k of q
          ASSERT_EQ(v.planes[k - 1][i], Bit(q[i], n_bits - b0 - k)) << "q=" << q[i] << " k=" << k;
        }
      }
      for (int k = 0; k <= n_bits - b0; ++k) {
        const std::vector<int32_t> expected = DownsampleCodes(q, n_bits, b0 + k);
        ASSERT_EQ(Reconstruct(v, k), expected) << "N=" << n_bits << " b0=" << b0 << " k=" << k;
        for (size_t i = 0; i < q.size(); ++i) {
          ASSERT_EQ(expected[i],
                    static_cast<int32_t>(std::floor(q[i] / std::ldexp(1.0, n_bits - b0 - k))));
        }
      }
    }
  }
}

TEST(BitplanesTest, EnhancePlaneIsQbMinusTwiceQbMinusOne) {
  const std::vector<int32_t> q = EveryCode(6);
  const std::vector<uint8_t> e = EnhancePlane(q);
  const std::vector<int32_t> q_lower = DownsampleCodes(q, 6, 5);
  std::vector<int32_t> rebuilt = q_lower;
  AddEnhancePlane(e, &rebuilt);
  EXPECT_EQ(rebuilt, q);
  for (size_t i = 0; i < q.size(); ++i) {
    ASSERT_EQ(int{e[i]}, q[i] - 2 * q_lower[i]);  // Eq. 3
    ASSERT_LE(e[i], 1);
  }
}

TEST(BitplanesTest, PackBitsRoundTripsAndIsLsbFirst) {
  for (const int64_t n : kLengths) {
    const Philox rng(n, 1);
    std::vector<uint8_t> bits(n);
    for (int64_t i = 0; i < n; ++i) bits[i] = rng.Bits(i) & 1;
    const std::string packed = PackBits(bits);
    ASSERT_EQ(static_cast<int64_t>(packed.size()), (n + 7) / 8) << n;
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_EQ((static_cast<uint8_t>(packed[i / 8]) >> (i % 8)) & 1, bits[i]) << n << " " << i;
    }
    EXPECT_TRUE(PaddingIsZero(packed, n, 1)) << n;
    EXPECT_EQ(UnpackBits(packed, n), bits) << n;
    if (n % 8 != 0) {
      std::string dirty = packed;
      dirty.back() = static_cast<char>(static_cast<uint8_t>(dirty.back()) | 0x80);
      EXPECT_FALSE(PaddingIsZero(dirty, n, 1)) << n;
    }
  }
}

TEST(BitplanesTest, PackCodesRoundTripsEveryWidthAndIsOneLsbFirstStream) {
  for (int bits = 1; bits <= 16; ++bits) {
    for (const int64_t n : kLengths) {
      const Philox rng(bits, n);
      std::vector<int32_t> q(n);
      for (int64_t i = 0; i < n; ++i) {
        q[i] = static_cast<int32_t>(rng.UniformInt(i, 1u << bits)) - (1 << (bits - 1));
      }
      const std::string packed = PackCodes(q, bits);
      ASSERT_EQ(static_cast<int64_t>(packed.size()), (n * bits + 7) / 8);
      // Stream bit i b + j = bit j of code i.
      for (int64_t i = 0; i < n; ++i) {
        for (int j = 0; j < bits; ++j) {
          const int64_t s = i * bits + j;
          ASSERT_EQ((static_cast<uint8_t>(packed[s / 8]) >> (s % 8)) & 1, Bit(q[i], j))
              << "bits=" << bits << " n=" << n << " code " << i << " bit " << j;
        }
      }
      EXPECT_TRUE(PaddingIsZero(packed, n, bits));
      EXPECT_EQ(UnpackCodes(packed, n, bits), q) << "bits=" << bits << " n=" << n;
    }
  }
  // The layout spelled out: 3-bit codes -1, 2, -4 = 111, 010, 100 -> stream (bit 0 first)
  // 1 1 1 0 1 0 0 0 | 1 -> bytes 0x17, 0x01.
  EXPECT_EQ(PackCodes({-1, 2, -4}, 3), std::string("\x17\x01", 2));
}

}  // namespace
}  // namespace quant
}  // namespace strata
