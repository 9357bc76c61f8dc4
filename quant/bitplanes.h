// Integer codes of vertical-layered weights as a basic layer plus enhance bit planes (Wu et
// al., TPAMI 2023, Eqs. 3-5), and their packing into bytes for the model file.
//
//   q_{b-1} = floor(q_b / 2)                 downsampling: an arithmetic right shift (Eq. 5)
//   e_b     = q_b - 2 q_{b-1} in {0, 1}      the enhance layer of width b (Sec. 4.1)
//   q_b     = 2 q_{b-1} + e_b                (Eq. 3), hence
//   q_{b0+k} = 2^k q_{b0} + sum_{j=1..k} 2^(k-j) e_{b0+j}                            (Eq. 4)
//
//   VerticalLayers v = Decompose(q4, /*bits=*/4, /*basic_bits=*/2);  // q_2, {e_3, e_4}
//   std::vector<int32_t> q3 = Reconstruct(v, /*num_planes=*/1);     // == DownsampleCodes(q4, 4, 3)
//   std::string bytes = PackBits(v.planes[0]);                      // ceil(n / 8) bytes
//
// Packing, LSB-first: bit i of a plane is bit i % 8 (value 2^(i % 8)) of byte i / 8. Codes
// of width b are b-bit two's-complement fields in one LSB-first bit stream: bit j of code i
// is stream bit i b + j. Unused high bits of the last byte are 0 (PaddingIsZero checks).
// Byte buffers are std::string (protobuf `bytes`). Sizes and value ranges are CHECKed:
// readers of outside data validate them (PackedBytes, PaddingIsZero) before unpacking.
#ifndef STRATA_QUANT_BITPLANES_H_
#define STRATA_QUANT_BITPLANES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "quant/vertical.h"

namespace strata {
namespace quant {

// Bytes holding n fields of `bits` bits: ceil(n bits / 8).
int64_t PackedBytes(int64_t n, int bits);

// q_to = floor(q_from / 2^(from_bits - to_bits)) for codes of width from_bits (Eq. 5).
std::vector<int32_t> DownsampleCodes(const std::vector<int32_t>& codes, int from_bits, int to_bits);

// e_b = q_b - 2 floor(q_b / 2), the least significant bit of each code.
std::vector<uint8_t> EnhancePlane(const std::vector<int32_t>& q_b);
// q <- 2 q + e (Eq. 3): one more bit of precision.
void AddEnhancePlane(const std::vector<uint8_t>& e, std::vector<int32_t>* q);

struct VerticalLayers {
  int basic_bits = kPaperBasicBits;
  std::vector<int32_t> basic;                // q_{b0}
  std::vector<std::vector<uint8_t>> planes;  // planes[k - 1] = e_{b0 + k}, k = 1..bits - b0
};
// Splits codes of width `bits` into the basic layer of width basic_bits and its planes.
VerticalLayers Decompose(const std::vector<int32_t>& codes, int bits, int basic_bits);
// q_{b0 + num_planes} from the basic layer and its first num_planes planes (Eq. 4).
std::vector<int32_t> Reconstruct(const VerticalLayers& layers, int num_planes);

// One bit (0 or 1) per element -> PackedBytes(n, 1) bytes, and back.
std::string PackBits(const std::vector<uint8_t>& bits);
std::vector<uint8_t> UnpackBits(const std::string& bytes, int64_t n);
// Codes in [-2^(bits-1), 2^(bits-1) - 1] -> PackedBytes(n, bits) bytes, and back
// (sign-extended). 1 <= bits <= 31.
std::string PackCodes(const std::vector<int32_t>& codes, int bits);
std::vector<int32_t> UnpackCodes(const std::string& bytes, int64_t n, int bits);

// Whether the bits after the first n fields of `bits` bits are all 0 (bytes must hold
// exactly PackedBytes(n, bits) bytes).
bool PaddingIsZero(const std::string& bytes, int64_t n, int bits);

}  // namespace quant
}  // namespace strata

#endif  // STRATA_QUANT_BITPLANES_H_
