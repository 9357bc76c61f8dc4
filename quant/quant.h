// strata quant: the one public header of //quant.
//
// uniform quantizer (Eq. 1), LSQ, vertical-layered weights, recipes, INQ, mixed precision, model file.
#ifndef STRATA_QUANT_QUANT_H_
#define STRATA_QUANT_QUANT_H_

#endif  // STRATA_QUANT_QUANT_H_
