// strata quant: the one public header of //quant — quantizers as ops, their integer codes,
// and the vertical-layered model file. No training here: the recipes that drive these ops
// are //moo's.
//
//   lsq.h              the uniform quantizer (Eq. 1 of seed 001): signed/unsigned ranges, the
//                      LSQ op with its learnable step (Esser et al. 2020), initial steps,
//                      gradient scales
//   vertical.h         vertical layering (seed 001 Secs. 3.2, 4.1): the once-QAT quantizer op
//                      (source quantization, downsampling Eq. 5, compensation Eq. 6), integer
//                      codes, the paper's widths kPaperBasicBits = 2 / kPaperSourceBits = 4,
//                      the baselines' Heaviside straight-through bit
//   bitplanes.h        a code as a basic layer plus enhance bit planes (Eqs. 3-5), packed
//   vlmodel_file.h     the vertical-layered model file: one file, every precision; a prefix
//                      ending on a section boundary is the lower-precision model
//   mixed_precision.h  Eq. 12: per-layer widths under a bit budget (exact knapsack)
//   inq.h              incremental network quantization (seed 004): power-of-two codebooks,
//                      the partition schedule, frozen weights, storage
//   int_conv.h         integer inference of a quantized conv (int8 codes, int32 sums)
//
// Every op is deterministic and bit-identical for any thread count (fixed-order double
// reductions in quant/kernels/).
//
// Worked example: one layer's weights as the once-QAT quantizer sees them, then as stored.
//
//   Tensor w = ...;                                             // FP weights of a conv
//   const int n = quant::kPaperSourceBits;                      // 4-bit source
//   Tensor s_w = Tensor::Full({1}, quant::InitSourceStep(w, n)).set_requires_grad(true);
//   const float g = quant::VerticalGradScale(w.numel(), n);
//   Tensor w2 = quant::VerticalQuantize(w, s_w, n, /*bits=*/2, /*compensation=*/true, g);
//   ... forward at 2 bits with w2; Backward() reaches w and s_w through the op ...
//   std::vector<int32_t> q4 = quant::VerticalCodes(w, s_w.item(), n, n);    // source codes
//   quant::VerticalLayers v = quant::Decompose(q4, n, quant::kPaperBasicBits);
//   // v.basic: the 2-bit codes q_2; v.planes[0], v.planes[1]: the 3rd and 4th bit planes
//   // (the model file stores them in sections 0, 1, 2: any prefix is a model).
#ifndef STRATA_QUANT_QUANT_H_
#define STRATA_QUANT_QUANT_H_

#include "quant/bitplanes.h"
#include "quant/inq.h"
#include "quant/int_conv.h"
#include "quant/lsq.h"
#include "quant/mixed_precision.h"
#include "quant/vertical.h"
#include "quant/vlmodel_file.h"

#endif  // STRATA_QUANT_QUANT_H_
