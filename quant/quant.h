// strata quant: the one public header of //quant.
//
// uniform quantizer (Eq. 1), LSQ, vertical-layered weights, recipes, INQ, mixed precision, model file.
#ifndef STRATA_QUANT_QUANT_H_
#define STRATA_QUANT_QUANT_H_

#include "quant/inq.h"  // INQ: power-of-two codebooks, partition schedule, frozen weights

#endif  // STRATA_QUANT_QUANT_H_
