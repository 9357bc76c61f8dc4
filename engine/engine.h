// strata's engine: the one public header of //engine.
//
// Overview
//   status.h     Status / StatusOr for everything the outside world can break
//   check.h      CHECK macros for programmer errors
//   rng.h        counter-based Philox RNG: every draw = f(seed, stream, index)
//   parallel.h   persistent OpenMP pool; thread-count-independent loops and reductions
//   file_util.h  atomic writes, reads, SHA-256
#ifndef STRATA_ENGINE_ENGINE_H_
#define STRATA_ENGINE_ENGINE_H_

#include "engine/check.h"
#include "engine/file_util.h"
#include "engine/parallel.h"
#include "engine/rng.h"
#include "engine/status.h"

#endif  // STRATA_ENGINE_ENGINE_H_
