// strata moo: the one public header of //moo.
//
// loss/gradient combination (US, MGD), self-KD losses, AMED search, Pareto fronts; the
// training recipes (recipe.h): LSQ (lsq.h), the vertical-layering baselines (baselines.h),
// Table 5's QAT + fine-tune and AdaBits-style (qat_baselines.h),
// and the per-bit-width quantization state they share (quant_state.h).
#ifndef STRATA_MOO_MOO_H_
#define STRATA_MOO_MOO_H_

#include "moo/baselines.h"
#include "moo/combine.h"
#include "moo/ensemble.h"
#include "moo/inq_recipe.h"
#include "moo/kd.h"
#include "moo/lsq.h"
#include "moo/once_qat.h"
#include "moo/qat_baselines.h"
#include "moo/quant_state.h"
#include "moo/recipe.h"

#endif  // STRATA_MOO_MOO_H_
