// Counter-based random numbers (Philox4x32-10; Salmon et al., "Parallel random numbers:
// as easy as 1, 2, 3", SC 2011). Every draw is a pure function of (seed, stream, index),
// so results never depend on thread count, prefetching or call order.
//
//   Philox rng(/*seed=*/42, /*stream=*/Stream("init", layer_index));
//   float u = rng.Uniform(i);     // i-th uniform in [0,1) of this stream
//   float z = rng.Normal(i);      // i-th standard normal
//
// Streams separate uses (weight init of layer 3, shuffle of epoch 7, crop of sample 12,
// ...): derive them with Stream() from a name and up to two integers.
#ifndef STRATA_ENGINE_RNG_H_
#define STRATA_ENGINE_RNG_H_

#include <array>
#include <cstdint>
#include <string_view>

namespace strata {

// One Philox4x32-10 block: 128 random bits for a 128-bit counter under a 64-bit key.
std::array<uint32_t, 4> Philox4x32(std::array<uint32_t, 4> counter, std::array<uint32_t, 2> key);

// A 64-bit stream id from a name and two integers (FNV-1a then a SplitMix64 finalizer).
uint64_t Stream(std::string_view name, uint64_t a = 0, uint64_t b = 0);

class Philox {
 public:
  Philox(uint64_t seed, uint64_t stream) : seed_(seed), stream_(stream) {}

  // The 32 random bits at position `index` of this stream.
  uint32_t Bits(uint64_t index) const;
  // Uniform in [0, 1), 24 bits of resolution.
  float Uniform(uint64_t index) const;
  // Uniform(4·block + j) for j = 0..3, from one Philox block (a quarter of the cost of four
  // Uniform calls): for loops that draw every position of a stream.
  std::array<float, 4> Uniform4(uint64_t block) const;
  // Uniform integer in [0, n) (n > 0), unbiased by rejection over successive indices of a
  // sub-stream derived from `index`.
  uint32_t UniformInt(uint64_t index, uint32_t n) const;
  // Standard normal by Box–Muller from the two 32-bit words of one block half.
  float Normal(uint64_t index) const;

  uint64_t seed() const { return seed_; }
  uint64_t stream() const { return stream_; }

 private:
  std::array<uint32_t, 4> Block(uint64_t block_index, uint32_t sub) const;
  uint64_t seed_;
  uint64_t stream_;
};

// A sequential cursor over one stream: convenient where draws are made in a fixed order
// (e.g. a shuffle). Its state (the cursor) is a single integer and can be checkpointed.
class RngCursor {
 public:
  RngCursor(uint64_t seed, uint64_t stream, uint64_t position = 0)
      : rng_(seed, stream), position_(position) {}
  uint32_t NextBits() { return rng_.Bits(position_++); }
  float NextUniform() { return rng_.Uniform(position_++); }
  float NextNormal() { return rng_.Normal(position_++); }
  uint32_t NextInt(uint32_t n) { return rng_.UniformInt(position_++, n); }
  uint64_t position() const { return position_; }

 private:
  Philox rng_;
  uint64_t position_;
};

// Fisher–Yates shuffle of [0, n) drawn from (seed, stream): a pure function of its inputs.
void ShuffledIndices(uint64_t seed, uint64_t stream, uint32_t n, uint32_t* out);

}  // namespace strata

#endif  // STRATA_ENGINE_RNG_H_
