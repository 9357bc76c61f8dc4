// Tape-based reverse-mode autograd, defined by run (micrograd's idea at tensor level).
//
// Every op that sees an input requiring a gradient (and grad mode on) attaches a Node to
// its output: the op kind, edges to its inputs (their producing nodes, or the leaf tensor
// itself) and a backward closure holding exactly the tensors it saved. The graph lives as
// long as any tensor referencing it (the losses); drop them to release it. Backward passes
// never free saved state, so the same graph can be walked several times (per-loss
// gradients for MGD, then the combined step).
//
//   Tensor loss = CrossEntropy(net(x), labels);
//   Backward({loss});                       // leaves' .grad += d loss / d leaf
//   Backward({l1, l2}, {w1, w2});           // .grad += w1 dl1 + w2 dl2 (seeds)
//   std::vector<Tensor> g = Grad(l1, params);   // d l1 / d params; .grad untouched
//   { NoGradGuard no_grad; y = net(x); }     // nothing recorded
//
// Gradient accumulation: leaves' .grad accumulate (+=) across Backward calls; zero them
// with Tensor::ZeroGrad (or ParameterSet::ZeroGrads) between steps. Backward closures call
// kernels directly, so gradients are not themselves differentiable (no double backward).
//
// Thread safety: grad mode is per thread (thread_local); a graph must be built and walked
// by one thread at a time. Kernels inside ops are parallel.
#ifndef STRATA_ENGINE_AUTOGRAD_H_
#define STRATA_ENGINE_AUTOGRAD_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/tensor.h"

namespace strata {

// --- grad mode ---
bool GradEnabled();
// Disables recording for its scope (restores the previous mode on exit).
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

// --- backward passes ---
// Accumulates into every reachable leaf with requires_grad: leaf.grad += sum_i
// seeds[i] . d roots[i] / d leaf. Seeds default to ones (roots of any shape; a seed
// must have its root's shape). The graph stays intact.
void Backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& seeds = {});

// d root / d wrt[j] for each j (zeros when wrt[j] is unreachable), seed as in Backward.
// wrt may hold leaves (requires_grad or not) and intermediate tensors. Touches no .grad
// and leaves the graph intact. Only nodes between root and wrt are evaluated.
std::vector<Tensor> Grad(const Tensor& root, const std::vector<Tensor>& wrt,
                         const Tensor& seed = Tensor());

// --- op kinds (the name table is pinned by a static_assert in autograd.cc) ---
enum class OpKind {
  kConv2d,
  kBatchNorm2d,
  kRelu,
  kRelu6,
  kMaxPool2d,
  kAvgPool2d,
  kGlobalAvgPool,
  kLinear,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kScale,
  kAddScalar,
  kNeg,
  kSqrt,
  kAbs,
  kSquare,
  kExp,
  kLog,
  kClamp,
  kRoundSte,
  kFloorSte,
  kGradScale,
  kSoftmax,
  kLogSoftmax,
  kCrossEntropy,
  kSum,
  kMean,
  kDropout,
  kReshape,
  kCount,  // the engine's own kinds end here; registered kinds follow
};
const char* OpKindName(OpKind kind);
// The kind of an op defined outside the engine (quant/'s quantizers, say), by name: the
// same kind for the same name on every call, a new one past kCount on the first. The
// engine knows no such op; the kind only names it in profiles and tape dumps. Thread-safe.
//   static const OpKind kLsqQuantize = RegisterOpKind("lsq_quantize");
OpKind RegisterOpKind(const std::string& name);

// ---------------------------------------------------------------------------------------
// For op implementations (ops_*.cc and ops written elsewhere, e.g. quantizers).

// Where a backward closure puts its inputs' gradients.
class GradSlots {
 public:
  // Whether input i wants a gradient; when false the op skips computing it.
  bool Needs(int i) const;
  // Buffer to ACCUMULATE (+=) input i's gradient into, zero-initialised on first use.
  float* Acc(int i);
  // Buffer for input i's gradient; *accumulate false means it is fresh and uninitialized:
  // write (=) into it; true means add (+=). Saves a memset for elementwise backwards.
  float* Out(int i, bool* accumulate);
  // Hands g over as (a term of) input i's gradient, without a copy when it is the first
  // term. The caller must not modify g afterwards.
  void Pass(int i, const Tensor& g);

  struct Slot;
  explicit GradSlots(std::vector<Slot*> slots) : slots_(std::move(slots)) {}

 private:
  std::vector<Slot*> slots_;
};

using BackwardFn = std::function<void(const Tensor& dy, GradSlots& dx)>;

struct Node {
  struct Edge {
    std::shared_ptr<Node> node;        // producer of a non-leaf input
    std::shared_ptr<TensorImpl> leaf;  // a leaf input (requires_grad or not)
  };
  OpKind kind;
  Shape out_shape;
  std::vector<Edge> inputs;
  BackwardFn backward;
};

// True if grad mode is on and some input requires a gradient: the op must then call
// Record (and may skip saving anything otherwise).
bool NeedsRecord(std::initializer_list<const Tensor*> inputs);
// Attaches a node to `out` (which becomes a non-leaf requiring grad). Call only when
// NeedsRecord returned true for the same inputs.
void Record(OpKind kind, std::initializer_list<const Tensor*> inputs, Tensor& out,
            BackwardFn backward);
// A handle to be captured by a backward closure in place of the op's own output: same
// storage, no node (capturing the output itself would make a reference cycle).
inline Tensor SaveOutput(const Tensor& y) { return y.Detach(); }

}  // namespace strata

#endif  // STRATA_ENGINE_AUTOGRAD_H_
