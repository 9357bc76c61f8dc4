#include "engine/rng.h"

#include <cmath>

#include "engine/check.h"

namespace strata {
namespace {

constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;

inline void MulHiLo(uint32_t a, uint32_t b, uint32_t* hi, uint32_t* lo) {
  const uint64_t p = static_cast<uint64_t>(a) * b;
  *hi = static_cast<uint32_t>(p >> 32);
  *lo = static_cast<uint32_t>(p);
}

uint64_t SplitMix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The top 24 bits as a float in [0, 1).
float BitsToUniform(uint32_t bits) { return static_cast<float>(bits >> 8) * (1.0f / 16777216.0f); }

}  // namespace

std::array<uint32_t, 4> Philox4x32(std::array<uint32_t, 4> c, std::array<uint32_t, 2> k) {
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, lo0, hi1, lo1;
    MulHiLo(kM0, c[0], &hi0, &lo0);
    MulHiLo(kM1, c[2], &hi1, &lo1);
    c = {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
    k[0] += kW0;
    k[1] += kW1;
  }
  return c;
}

uint64_t Stream(std::string_view name, uint64_t a, uint64_t b) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char ch : name) {
    h ^= ch;
    h *= 0x100000001B3ull;
  }
  h = SplitMix64(h ^ SplitMix64(a + 1));
  return SplitMix64(h ^ SplitMix64(b + 0x51ED270B27A1ull));
}

std::array<uint32_t, 4> Philox::Block(uint64_t block_index, uint32_t sub) const {
  // Counter = (block index, stream); key = seed. `sub` perturbs the stream word for
  // derived sub-streams (rejection sampling), keeping blocks disjoint.
  const uint64_t s = stream_ ^ (static_cast<uint64_t>(sub) << 32);
  return Philox4x32({static_cast<uint32_t>(block_index), static_cast<uint32_t>(block_index >> 32),
                     static_cast<uint32_t>(s), static_cast<uint32_t>(s >> 32)},
                    {static_cast<uint32_t>(seed_), static_cast<uint32_t>(seed_ >> 32)});
}

uint32_t Philox::Bits(uint64_t index) const { return Block(index >> 2, 0)[index & 3]; }

float Philox::Uniform(uint64_t index) const { return BitsToUniform(Bits(index)); }

std::array<float, 4> Philox::Uniform4(uint64_t block) const {
  const std::array<uint32_t, 4> b = Block(block, 0);
  return {BitsToUniform(b[0]), BitsToUniform(b[1]), BitsToUniform(b[2]), BitsToUniform(b[3])};
}

uint32_t Philox::UniformInt(uint64_t index, uint32_t n) const {
  CHECK_GT(n, 0u) << "Philox::UniformInt";
  // Lemire's method with rejection; retries draw from sub-stream words index*4 + j.
  const uint32_t threshold = static_cast<uint32_t>(-n) % n;
  for (uint32_t attempt = 0;; ++attempt) {
    const uint32_t x = attempt == 0 ? Bits(index) : Block(index, attempt)[attempt & 3];
    const uint64_t m = static_cast<uint64_t>(x) * n;
    if (static_cast<uint32_t>(m) >= threshold) return static_cast<uint32_t>(m >> 32);
  }
}

float Philox::Normal(uint64_t index) const {
  const auto b = Block(index >> 1, 0x4E4F524Du);  // "NORM": a sub-stream of its own
  const int half = static_cast<int>(index & 1);
  // u1 in (0, 1] so log(u1) is finite; u2 in [0, 1).
  const double u1 = (static_cast<double>(b[2 * half]) + 1.0) / 4294967296.0;
  const double u2 = static_cast<double>(b[2 * half + 1]) / 4294967296.0;
  return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
}

void ShuffledIndices(uint64_t seed, uint64_t stream, uint32_t n, uint32_t* out) {
  for (uint32_t i = 0; i < n; ++i) out[i] = i;
  Philox rng(seed, stream);
  for (uint32_t i = n; i > 1; --i) {
    const uint32_t j = rng.UniformInt(i, i);
    const uint32_t t = out[i - 1];
    out[i - 1] = out[j];
    out[j] = t;
  }
}

}  // namespace strata
