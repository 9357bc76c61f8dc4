// Loss/gradient combination for the joint training of several bit-widths (vertical-layering
// paper, Sec. 4.2.2): L_shared = sum_t alpha_t L_t (Eq. 9) with alpha from unitary
// scalarization (US, alpha_t = 1/T) or multiple gradient descent (MGD, Eq. 10: alpha is the
// min-norm point of the convex hull of the task gradients; Sener & Koltun, NeurIPS 2018,
// whose Frank-Wolfe solver is isl-org/MultiObjectiveOptimization's MinNormSolver).
//
// A "task" is one bit-width's loss L_t; its gradient g_t is the list of d L_t / d shared[j]
// over the shared parameters (the weights w and source step sizes s_w), as returned by
// engine's Grad(L_t, shared). Width-specific parameters (BN, activation steps) are not part
// of g_t: they get d L_t / d theta unweighted (Sec. 4.2.2, last paragraph).
//
// Worked example: one MGD step (T losses, shared parameters `shared`, everything else in
// `params`, all .grad zeroed).
//
//   TaskGrads g = BackwardEach(losses, shared);  // width-specific params: .grad = dL_t (only
//                                                // L_t reaches them); g_t = dL_t / d shared
//   MooWeights w = ComputeWeights(MooMethod::kMgd, GramMatrix(g), {});
//   CombineGradients(g, w.alpha, shared, GradWrite::kAssign);   // shared .grad = sum a_t g_t
//   log(w.alpha);                         // the paper's Fig. 7(a) plots alpha per step
//
// US needs no per-task gradients: Backward(losses) from zeroed grads, then scale the shared
// parameters' .grad by 1/T (equal, up to rounding, to CombineGradients with UniformWeights).
//
// Determinism: every dot product is a double sum over fixed chunks of each parameter
// (chunk boundaries depend only on its size), the chunk partials added in (parameter,
// chunk) order on one thread; combinations are per element. Results are bit-identical for
// any thread count. Thread safety: pure functions, one caller at a time per output.
#ifndef STRATA_MOO_COMBINE_H_
#define STRATA_MOO_COMBINE_H_

#include <vector>

#include "engine/engine.h"

namespace strata {
namespace moo {

// grads[t][j] = d L_t / d shared[j]; every task has the same number of tensors and
// grads[t][j].numel() == grads[0][j].numel().
using TaskGrads = std::vector<std::vector<Tensor>>;

// Grad(losses[t], shared) for every t (.grad untouched, graph kept).
TaskGrads TaskGradients(const std::vector<Tensor>& losses, const std::vector<Tensor>& shared);

// The same g_t with one backward pass in all instead of TaskGradients' T plus Backward's:
// Backward({losses[t]}) for t in order, each time taking the shared tensors' .grad out as
// g_t (zeros where L_t does not reach; the shared .grad is left undefined). Every other leaf
// gets what Backward(losses) gives it: tensors reached by one loss only (the width-specific
// ones) hold exactly dL_t. The shared tensors' .grad must be undefined or zero on entry;
// then g_t equals TaskGradients' bit for bit. For losses whose graphs meet only in the
// shared leaves (once-QAT's widths); where they share an intermediate tensor it is
// backpropagated once per loss.
TaskGrads BackwardEach(const std::vector<Tensor>& losses, const std::vector<Tensor>& shared);

// The T x T Gram matrix, row-major: M[i*T + j] = <g_i, g_j> summed over every element of
// every shared parameter (float products, exact in double, summed in double). Symmetric.
std::vector<double> GramMatrix(const TaskGrads& grads);
// Naive double loop (test oracle): same value up to summation order.
std::vector<double> GramMatrixReference(const TaskGrads& grads);

enum class MooMethod { kUnitaryScalarization, kMgd };
const char* MooMethodName(MooMethod method);  // "us", "mgd"

// How Eq. 10 is solved for more than two tasks.
enum class MgdSolver {
  // Sener & Koltun 2018, Algorithm 2 (the paper's choice; ALGORITHMS.md §2). Converges like
  // O(1/k) (f - f* <= 4 max|g_i - g_j|^2 / (k + 2), Jaggi 2013): on random 3-5 task
  // problems whose optimum lies on a face of the simplex (some alpha_t = 0) or whose M is
  // singular, 250 iterations leave the norm up to 2e-3 max|M_ij| (~10 %) above the minimum.
  kFrankWolfe,
  // Exact, for few tasks (T <= 16): for every support S of alpha, the minimizer of
  // |sum_{t in S} alpha_t g_t|^2 subject to sum alpha_t = 1 (a (|S|+1)-square KKT linear
  // system); the least-norm candidate with alpha >= 0 wins (ties: the first support in
  // bitmask order). O(2^T T^3); every candidate is on the simplex, so rounding can only
  // cost optimality, never feasibility.
  kExact,
};

struct MgdOptions {
  MgdSolver solver = MgdSolver::kFrankWolfe;
  // kFrankWolfe only (ALGORITHMS.md §2):
  int max_iterations = 250;  // iterations
  double tolerance = 1e-5;   // stop when sum_t |alpha_new - alpha_old| < tolerance
};

struct MooWeights {
  std::vector<double> alpha;  // on the simplex: alpha_t >= 0, sum = 1
  int iterations = 0;         // Frank-Wolfe line searches run (0: US, T <= 2, kExact)
};

// alpha_t = 1/T (Sec. 4.2.2, "Unitary scalarization").
std::vector<double> UniformWeights(int num_tasks);

// Two tasks, from their Gram entries v11 = |g1|^2, v12 = <g1,g2>, v22 = |g2|^2: the gamma
// in [0,1] minimizing |gamma g1 + (1-gamma) g2|^2, i.e.
// gamma = clamp((g2-g1).g2 / |g1-g2|^2, 0, 1) = clamp((v22-v12) / (v11+v22-2 v12), 0, 1).
// When |g1-g2|^2 <= 0 (the gradients coincide; every gamma is optimal) returns 1/2, so
// identical gradients get US weights.
double MinNormTwo(double v11, double v12, double v22);

// alpha = argmin alpha^T M alpha on the simplex (Eq. 10), M T x T row-major PSD, by
// options.solver. kFrankWolfe: from uniform alpha, each iteration picks
// t = argmin_t (M alpha)_t (lowest index on ties), moves to the min-norm point of the
// segment [alpha, e_t] (MinNormTwo on alpha^T M alpha, (M alpha)_t, M_tt; keeps alpha when
// both ends coincide) and stops once the L1 change is below options.tolerance or after
// options.max_iterations iterations. kExact: see MgdSolver (iterations = 0).
MooWeights MinNormSolve(const std::vector<double>& gram, int num_tasks,
                        const MgdOptions& options = {});

// The weights of `method` for tasks with Gram matrix `gram` (T = sqrt(gram.size())). MGD:
// T == 1 -> {1}; T == 2 -> the exact MinNormTwo (alpha = (gamma, 1-gamma)); T > 2 ->
// MinNormSolve. US ignores the Gram values.
MooWeights ComputeWeights(MooMethod method, const std::vector<double>& gram,
                          const MgdOptions& options);

// How CombineGradients writes into a tensor d.
enum class GradWrite {
  kAssign,      // d = float(sum_t alpha_t g_t)
  kAccumulate,  // d = float(d + sum_t alpha_t g_t)
};
// Writes sum_t alpha_t g_t (per element, in double, t in order) into the .grad of each
// params[j] (allocated, zero-filled first, when undefined); params[j] matches grads[t][j]
// in numel.
void CombineGradients(const TaskGrads& grads, const std::vector<double>& alpha,
                      const std::vector<Tensor>& params, GradWrite write);
// The same into given buffers: out[j] itself is written (not its .grad).
void CombineInto(const TaskGrads& grads, const std::vector<double>& alpha,
                 const std::vector<Tensor>& out, GradWrite write);

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_COMBINE_H_
