// Basic layer + enhance planes, and LSB-first bit packing (see bitplanes.h).
#include "quant/bitplanes.h"

#include "engine/check.h"

namespace strata {
namespace quant {
namespace {

// GCC's >> of a negative int is arithmetic (floor division by 2^k, Eq. 5); C++20 requires it.
static_assert((-3 >> 1) == -2 && (-1 >> 3) == -1, "arithmetic right shift required");

void CheckBits(int bits) { CHECK(bits >= 1 && bits <= 31) << "code width " << bits; }

}  // namespace

int64_t PackedBytes(int64_t n, int bits) {
  CHECK(n >= 0) << "PackedBytes: n " << n;
  CheckBits(bits);
  return (n * bits + 7) / 8;
}

std::vector<int32_t> DownsampleCodes(const std::vector<int32_t>& codes, int from_bits,
                                     int to_bits) {
  CHECK(to_bits >= 1 && to_bits <= from_bits)
      << "DownsampleCodes: " << from_bits << " -> " << to_bits << " bits";
  std::vector<int32_t> out(codes.size());
  for (size_t i = 0; i < codes.size(); ++i) out[i] = codes[i] >> (from_bits - to_bits);
  return out;
}

std::vector<uint8_t> EnhancePlane(const std::vector<int32_t>& q_b) {
  std::vector<uint8_t> e(q_b.size());
  for (size_t i = 0; i < q_b.size(); ++i) e[i] = static_cast<uint8_t>(q_b[i] - 2 * (q_b[i] >> 1));
  return e;
}

void AddEnhancePlane(const std::vector<uint8_t>& e, std::vector<int32_t>* q) {
  CHECK_EQ(e.size(), q->size()) << "AddEnhancePlane: plane and codes differ in length";
  for (size_t i = 0; i < e.size(); ++i) {
    DCHECK(e[i] <= 1);
    (*q)[i] = 2 * (*q)[i] + e[i];  // Eq. 3
  }
}

VerticalLayers Decompose(const std::vector<int32_t>& codes, int bits, int basic_bits) {
  CHECK(basic_bits >= 1 && basic_bits <= bits)
      << "Decompose: " << bits << " bits, basic " << basic_bits;
  VerticalLayers v;
  v.basic_bits = basic_bits;
  v.basic = DownsampleCodes(codes, bits, basic_bits);
  for (int b = basic_bits + 1; b <= bits; ++b) {
    v.planes.push_back(EnhancePlane(DownsampleCodes(codes, bits, b)));
  }
  return v;
}

std::vector<int32_t> Reconstruct(const VerticalLayers& layers, int num_planes) {
  CHECK(num_planes >= 0 && num_planes <= static_cast<int>(layers.planes.size()))
      << "Reconstruct: " << num_planes << " of " << layers.planes.size() << " planes";
  std::vector<int32_t> q = layers.basic;
  for (int k = 0; k < num_planes; ++k) AddEnhancePlane(layers.planes[k], &q);
  return q;
}

std::string PackCodes(const std::vector<int32_t>& codes, int bits) {
  CheckBits(bits);
  const int64_t n = static_cast<int64_t>(codes.size());
  const int64_t lo = -(int64_t{1} << (bits - 1)), hi = (int64_t{1} << (bits - 1)) - 1;
  const uint64_t mask = (uint64_t{1} << bits) - 1;
  std::string out(PackedBytes(n, bits), '\0');
  uint64_t acc = 0;  // pending stream bits, the oldest in bit 0
  int pending = 0;
  int64_t byte = 0;
  for (int64_t i = 0; i < n; ++i) {
    CHECK(codes[i] >= lo && codes[i] <= hi)
        << "PackCodes: code " << codes[i] << " at " << i << " does not fit " << bits << " bits";
    acc |= (static_cast<uint64_t>(static_cast<uint32_t>(codes[i])) & mask) << pending;
    pending += bits;
    for (; pending >= 8; pending -= 8, acc >>= 8) out[byte++] = static_cast<char>(acc & 0xff);
  }
  if (pending > 0) out[byte] = static_cast<char>(acc & 0xff);
  return out;
}

std::vector<int32_t> UnpackCodes(const std::string& bytes, int64_t n, int bits) {
  CHECK_EQ(static_cast<int64_t>(bytes.size()), PackedBytes(n, bits))
      << "UnpackCodes: " << n << " codes of " << bits << " bits";
  const uint64_t mask = (uint64_t{1} << bits) - 1, sign = uint64_t{1} << (bits - 1);
  std::vector<int32_t> out(n);
  uint64_t acc = 0;
  int available = 0;
  int64_t byte = 0;
  for (int64_t i = 0; i < n; ++i) {
    for (; available < bits; available += 8) {
      acc |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[byte++])) << available;
    }
    const uint64_t u = acc & mask;
    out[i] = static_cast<int32_t>(static_cast<int64_t>(u ^ sign) - static_cast<int64_t>(sign));
    acc >>= bits;
    available -= bits;
  }
  return out;
}

std::string PackBits(const std::vector<uint8_t>& bits) {
  std::string out(PackedBytes(static_cast<int64_t>(bits.size()), 1), '\0');
  for (size_t i = 0; i < bits.size(); ++i) {
    CHECK(bits[i] <= 1) << "PackBits: value " << int{bits[i]} << " at " << i;
    out[i / 8] = static_cast<char>(static_cast<uint8_t>(out[i / 8]) | (bits[i] << (i % 8)));
  }
  return out;
}

std::vector<uint8_t> UnpackBits(const std::string& bytes, int64_t n) {
  CHECK_EQ(static_cast<int64_t>(bytes.size()), PackedBytes(n, 1)) << "UnpackBits: " << n << " bits";
  std::vector<uint8_t> out(n);
  for (int64_t i = 0; i < n; ++i) out[i] = (static_cast<uint8_t>(bytes[i / 8]) >> (i % 8)) & 1;
  return out;
}

bool PaddingIsZero(const std::string& bytes, int64_t n, int bits) {
  CHECK_EQ(static_cast<int64_t>(bytes.size()), PackedBytes(n, bits)) << "PaddingIsZero";
  const int used = static_cast<int>((n * bits) % 8);
  if (used == 0) return true;
  return (static_cast<uint8_t>(bytes.back()) >> used) == 0;
}

}  // namespace quant
}  // namespace strata
