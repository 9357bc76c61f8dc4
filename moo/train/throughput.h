// Training and inference throughput of a network under a recipe, timed the way the loop
// trains (TrainStep) and evaluates: the harness of //reports:strata_speed and of the
// benchmarks that time recipe steps.
//
//   STRATA_ASSIGN_OR_RETURN(Timing t, TimeTraining(*net, &recipe, x, labels, {1, 3}, 0.01f));
//   t.img_s (median over the timed steps), t.cpu_ms (median process CPU time per step)
//
// Each timed step is one call; the median is over `reps` calls after `warmup` untimed ones.
// Wall time is the steady clock; CPU time is the process's (all threads).
#ifndef STRATA_MOO_TRAIN_THROUGHPUT_H_
#define STRATA_MOO_TRAIN_THROUGHPUT_H_

#include <functional>
#include <vector>

#include "engine/engine.h"
#include "models/models.h"
#include "moo/moo.h"

namespace strata {
namespace moo {

struct Timing {
  double img_s = 0, img_s_min = 0, img_s_max = 0;  // median, min, max over the reps
  double cpu_ms = 0;                               // median CPU milliseconds per call
};
struct Repetitions {
  int warmup = 1, reps = 3;
};

// `step` processes `batch` images per call.
Timing TimeSteps(int batch, const Repetitions& r, const std::function<void()>& step);

// Training steps of `recipe` on `net` over one fixed batch (x, labels): BeginStage(0) from
// the network as built, then TrainStep with SGD (momentum 0.9, weight decay 5e-4 on the
// weights, none on the recipe's parameters) at `lr`.
StatusOr<Timing> TimeTraining(const models::Network& net, Recipe* recipe, const Tensor& x,
                              const std::vector<int32_t>& labels, const Repetitions& r, float lr);
// Eval-mode forward passes under no-grad.
Timing TimeInference(const models::Network& net, const Tensor& x, const Repetitions& r);

// GFLOP/s of the engine's GEMM (Linear: x w^T) on n x n x n, best of `reps` after one
// warm-up: the machine's sgemm ceiling as the engine reaches it.
double SgemmGflops(int n, int reps);
// Conv and linear multiply-adds x 2 per image at the nominal input size (BN, activations
// and pooling not counted).
double ForwardGflopPerImage(const models::Network& net);

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_TRAIN_THROUGHPUT_H_
