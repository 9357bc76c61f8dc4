// strata quant: the one public header of //quant.
//
// uniform quantizer (Eq. 1), LSQ, vertical-layered weights, recipes, INQ, mixed precision, model file.
#ifndef STRATA_QUANT_QUANT_H_
#define STRATA_QUANT_QUANT_H_

#include "quant/bitplanes.h"  // vertical layers: basic codes + enhance planes (Eqs. 3-5), bit packing
#include "quant/inq.h"  // INQ: power-of-two codebooks, partition schedule, frozen weights
#include "quant/int_conv.h"  // integer inference of a quantized conv (int8 codes, int32 sums)
#include "quant/lsq.h"  // uniform quantizer (Eq. 1): ranges, LSQ op, initial steps, grad scales
#include "quant/mixed_precision.h"  // Eq. 12: per-layer widths under a bit budget (exact knapsack)
#include "quant/vertical.h"  // vertical layering: once-QAT quantizer op, codes, steps, Heaviside STE
#include "quant/vlmodel_file.h"  // the vertical-layered model file: one file, every precision (prefixes)

#endif  // STRATA_QUANT_QUANT_H_
