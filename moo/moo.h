// strata moo: the one public header of //moo.
//
// loss/gradient combination (US, MGD), self-KD losses, AMED search, Pareto fronts.
#ifndef STRATA_MOO_MOO_H_
#define STRATA_MOO_MOO_H_

#include "moo/combine.h"
#include "moo/inq_recipe.h"
#include "moo/kd.h"
#include "moo/once_qat.h"
#include "moo/recipe.h"

#endif  // STRATA_MOO_MOO_H_
