// Helpers shared by vlmodel_file.cc (writing) and vlmodel_read.cc (reading). Private.
#ifndef STRATA_QUANT_VLMODEL_INTERNAL_H_
#define STRATA_QUANT_VLMODEL_INTERNAL_H_

#include <cstdint>
#include <string>

#include "engine/engine.h"

namespace strata {
namespace quant {
namespace internal {

// Largest tensor or layer a model file may describe (elements).
constexpr int64_t kMaxVlElements = int64_t{1} << 40;

// prod(shape), or -1 when a dimension is negative or the product exceeds kMaxVlElements.
int64_t CheckedNumel(const Shape& shape);

// "section 2 (4-bit)", "section 0 (2-bit basic layer)"; just "section k" while the basic
// width is unknown (basic_bits 0).
std::string SectionName(int k, int basic_bits);

}  // namespace internal
}  // namespace quant
}  // namespace strata

#endif  // STRATA_QUANT_VLMODEL_INTERNAL_H_
