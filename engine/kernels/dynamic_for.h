// Private to engine/kernels: parallel loops for the kernels.
//
// ParallelForRef: ParallelFor without a heap allocation. ParallelFor takes a std::function,
// which allocates for a lambda capturing more than two references; the kernels promise to
// allocate nothing, so they pass a lambda holding one pointer to theirs.
//
// DynamicFor: dynamic work distribution that keeps results bit-identical.
// ParallelFor gives each thread a fixed range; on this shared machine one thread is often
// descheduled, and the other then idles at the barrier. DynamicFor instead hands items out
// one at a time from an atomic counter. Which thread runs an item changes from run to run,
// but not what it computes: each item writes only its own outputs, in a fixed order, using
// the scratch of the slot (thread) running it. So results still do not depend on the thread
// count or the schedule.
#ifndef STRATA_ENGINE_KERNELS_DYNAMIC_FOR_H_
#define STRATA_ENGINE_KERNELS_DYNAMIC_FOR_H_

#include <algorithm>
#include <atomic>
#include <cstdint>

#include "engine/parallel.h"

namespace strata {
namespace kernels {
namespace internal {

template <typename Fn>
void ParallelForRef(int64_t n, int64_t grain, const Fn& fn) {
  ParallelFor(n, grain, [f = &fn](int64_t begin, int64_t end) { (*f)(begin, end); });
}

// Calls fn(slot, item) for every item in [0, items) on up to `slots` threads (slot <
// slots identifies the thread's scratch).
template <typename Fn>
void DynamicFor(int slots, int64_t items, const Fn& fn) {
  std::atomic<int64_t> next{0};
  slots = int(std::max<int64_t>(1, std::min<int64_t>(slots, items)));
  ParallelForRef(slots, 1, [&](int64_t begin, int64_t end) {
    for (int64_t slot = begin; slot < end; ++slot) {
      for (int64_t i = next++; i < items; i = next++) fn(int(slot), i);
    }
  });
}

}  // namespace internal
}  // namespace kernels
}  // namespace strata

#endif  // STRATA_ENGINE_KERNELS_DYNAMIC_FOR_H_
