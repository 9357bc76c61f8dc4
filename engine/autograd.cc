#include "engine/autograd.h"

#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "engine/check.h"
#include "engine/parallel.h"

namespace strata {
namespace {

// The one piece of per-thread mutable state besides the pools: PyTorch's grad mode.
thread_local bool grad_enabled = true;

// In OpKind order.
constexpr const char* kOpKindNames[] = {
    "conv2d",
    "batch_norm2d",
    "relu",
    "relu6",
    "max_pool2d",
    "avg_pool2d",
    "global_avg_pool",
    "linear",
    "add",
    "sub",
    "mul",
    "div",
    "scale",
    "add_scalar",
    "neg",
    "sqrt",
    "abs",
    "square",
    "exp",
    "log",
    "clamp",
    "round_ste",
    "floor_ste",
    "grad_scale",
    "softmax",
    "log_softmax",
    "cross_entropy",
    "sum",
    "mean",
    "dropout",
    "reshape",
};
static_assert(sizeof(kOpKindNames) / sizeof(kOpKindNames[0]) == static_cast<int>(OpKind::kCount),
              "every OpKind needs a name in kOpKindNames");

void AddInto(float* dst, const float* src, int64_t n) {
  ParallelFor(n, 1 << 15, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) dst[i] += src[i];
  });
}

// Kinds registered from outside the engine, in registration order (kCount + i). Append
// only: a name's kind and its c_str() stay valid for the process.
struct RegisteredKinds {
  std::mutex mu;
  std::deque<std::string> names;
};
RegisteredKinds& Registered() {
  static RegisteredKinds* kinds = new RegisteredKinds();  // never destroyed: used at exit
  return *kinds;
}

}  // namespace

const char* OpKindName(OpKind kind) {
  const int k = static_cast<int>(kind);
  if (k < static_cast<int>(OpKind::kCount)) return kOpKindNames[k];
  RegisteredKinds& r = Registered();
  std::lock_guard<std::mutex> lock(r.mu);
  const size_t i = static_cast<size_t>(k - static_cast<int>(OpKind::kCount));
  CHECK_LT(i, r.names.size()) << "OpKindName: kind " << k << " was never registered";
  return r.names[i].c_str();
}

OpKind RegisterOpKind(const std::string& name) {
  for (int k = 0; k < static_cast<int>(OpKind::kCount); ++k) {
    CHECK(name != kOpKindNames[k]) << "RegisterOpKind: '" << name << "' is an engine op";
  }
  RegisteredKinds& r = Registered();
  std::lock_guard<std::mutex> lock(r.mu);
  size_t i = 0;
  while (i < r.names.size() && r.names[i] != name) ++i;
  if (i == r.names.size()) r.names.push_back(name);
  return static_cast<OpKind>(static_cast<int>(OpKind::kCount) + static_cast<int>(i));
}

bool GradEnabled() { return grad_enabled; }
NoGradGuard::NoGradGuard() : previous_(grad_enabled) { grad_enabled = false; }
NoGradGuard::~NoGradGuard() { grad_enabled = previous_; }

// One gradient under construction. `borrowed` buffers may be shared with other slots or
// the caller and are copied before any in-place update (copy on write).
struct GradSlots::Slot {
  Tensor g;
  bool borrowed = false;
  const Shape* shape = nullptr;

  void Materialize() {
    if (!g.defined()) {
      g = Tensor::Zeros(*shape);
    } else if (borrowed && !SoleOwner()) {
      g = g.Clone();
    }
    borrowed = false;
  }
  // A borrowed buffer nobody else holds any more (e.g. the dy an Add passed to both its
  // inputs, once the other input's slot is consumed) can be taken over instead of copied.
  bool SoleOwner() const { return g.impl().use_count() == 1 && g.impl()->storage.use_count() == 1; }
};

bool GradSlots::Needs(int i) const { return slots_[i] != nullptr; }

float* GradSlots::Acc(int i) {
  Slot* s = slots_[i];
  DCHECK(s != nullptr);
  s->Materialize();
  return s->g.data();
}

float* GradSlots::Out(int i, bool* accumulate) {
  Slot* s = slots_[i];
  DCHECK(s != nullptr);
  *accumulate = s->g.defined();
  if (!s->g.defined()) {
    s->g = Tensor::Empty(*s->shape);
    s->borrowed = false;
  }
  s->Materialize();
  return s->g.data();
}

void GradSlots::Pass(int i, const Tensor& g) {
  Slot* s = slots_[i];
  DCHECK(s != nullptr);
  CHECK_EQ(g.numel(), NumElements(*s->shape)) << "GradSlots::Pass: gradient " << ShapeStr(g.shape())
                                              << " for input " << ShapeStr(*s->shape);
  if (!s->g.defined()) {
    s->g = g.shape() == *s->shape ? g : AliasWithShape(g, *s->shape);
    s->borrowed = true;
    return;
  }
  s->Materialize();
  AddInto(s->g.data(), g.data(), g.numel());
}

bool NeedsRecord(std::initializer_list<const Tensor*> inputs) {
  if (!grad_enabled) return false;
  for (const Tensor* t : inputs) {
    if (t != nullptr && t->defined() && t->requires_grad()) return true;
  }
  return false;
}

void Record(OpKind kind, std::initializer_list<const Tensor*> inputs, Tensor& out,
            BackwardFn backward) {
  auto node = std::make_shared<Node>();
  node->kind = kind;
  node->out_shape = out.shape();
  node->inputs.reserve(inputs.size());
  for (const Tensor* t : inputs) {
    Node::Edge edge;
    if (t != nullptr && t->defined()) {
      if (t->node()) {
        edge.node = t->node();
      } else {
        edge.leaf = t->impl();
      }
    }
    node->inputs.push_back(std::move(edge));
  }
  node->backward = std::move(backward);
  out.impl()->node = std::move(node);
  out.impl()->requires_grad = true;
}

namespace {

// One reverse sweep over the graph below `roots`. In kBackward mode leaf gradients go to
// leaf.grad (+=); in kGrad mode only the `wrt` tensors' gradients are collected.
class BackwardPass {
 public:
  enum class Mode { kBackward, kGrad };

  BackwardPass(Mode mode, const std::vector<Tensor>& wrt) : mode_(mode) {
    for (const Tensor& t : wrt) {
      if (t.node()) {
        wrt_nodes_.insert(t.node().get());
      } else {
        wrt_leaves_.insert(t.impl().get());
      }
    }
  }

  void Seed(const Tensor& root, const Tensor& seed) {
    CHECK(root.defined()) << "Backward: undefined root";
    if (seed.defined()) {
      CHECK(seed.shape() == root.shape())
          << "Backward: seed " << ShapeStr(seed.shape()) << " for root " << ShapeStr(root.shape());
    }
    const Tensor g = seed.defined() ? seed : Tensor::Full(root.shape(), 1.f);
    GradSlots::Slot* slot = root.node() ? NodeSlot(root.node().get()) : LeafSlot(root.impl());
    if (slot == nullptr) return;  // a leaf that takes no gradient
    GradSlots({slot}).Pass(0, g);
    if (root.node()) roots_.push_back(root.node().get());
  }

  void Run() {
    TopologicalOrder();
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
      Node* node = *it;
      auto found = node_slots_.find(node);
      if (found == node_slots_.end() || !found->second.g.defined()) continue;
      if (wrt_nodes_.count(node)) node_results_[node] = Owned(found->second);
      if (runs_.count(node)) {
        std::vector<GradSlots::Slot*> slots;
        slots.reserve(node->inputs.size());
        for (const Node::Edge& e : node->inputs) slots.push_back(EdgeSlot(e));
        GradSlots dx(std::move(slots));
        node->backward(found->second.g, dx);
      }
      node_slots_.erase(node);  // release this gradient as early as possible
    }
    if (mode_ == Mode::kBackward) {
      for (auto& [impl, slot] : leaf_slots_) {
        if (slot.g.defined()) impl->grad = Owned(slot);
      }
    }
  }

  Tensor Result(const Tensor& t) {
    if (t.node()) {
      auto it = node_results_.find(t.node().get());
      return it == node_results_.end() ? Tensor::Zeros(t.shape()) : it->second;
    }
    auto it = leaf_slots_.find(t.impl().get());
    if (it == leaf_slots_.end() || !it->second.g.defined()) return Tensor::Zeros(t.shape());
    return Owned(it->second);
  }

 private:
  // The slot's gradient as a tensor nobody else will modify (copied if still shared).
  static Tensor Owned(GradSlots::Slot& slot) {
    slot.Materialize();
    return slot.g;
  }

  bool LeafWanted(const TensorImpl* leaf) const {
    return mode_ == Mode::kBackward ? leaf->requires_grad : wrt_leaves_.count(leaf) > 0;
  }

  GradSlots::Slot* NodeSlot(Node* node) {
    GradSlots::Slot& s = node_slots_[node];
    s.shape = &node->out_shape;
    return &s;
  }

  GradSlots::Slot* LeafSlot(const std::shared_ptr<TensorImpl>& leaf) {
    if (!LeafWanted(leaf.get())) return nullptr;
    auto [it, inserted] = leaf_slots_.try_emplace(leaf.get());
    GradSlots::Slot& s = it->second;
    if (inserted) {
      s.shape = &leaf->shape;
      // Backward accumulates straight into an existing .grad: kernels then += into it.
      if (mode_ == Mode::kBackward && leaf->grad.defined()) s.g = leaf->grad;
    }
    return &s;
  }

  GradSlots::Slot* EdgeSlot(const Node::Edge& e) {
    if (e.node) return reaches_.count(e.node.get()) ? NodeSlot(e.node.get()) : nullptr;
    if (e.leaf) return LeafSlot(e.leaf);
    return nullptr;
  }

  // Iterative DFS post-order; also marks which nodes lead to a wanted gradient (reaches_)
  // and which must run their backward (runs_: some input leads to one).
  void TopologicalOrder() {
    std::unordered_set<Node*> visited;
    std::vector<std::pair<Node*, size_t>> stack;
    for (Node* root : roots_) {
      if (!visited.insert(root).second) continue;
      stack.push_back({root, 0});
      while (!stack.empty()) {
        auto& [node, next] = stack.back();
        if (next < node->inputs.size()) {
          Node* child = node->inputs[next++].node.get();
          if (child != nullptr && visited.insert(child).second) stack.push_back({child, 0});
          continue;
        }
        Finish(node);
        stack.pop_back();
      }
    }
  }

  void Finish(Node* node) {
    bool runs = false;
    for (const Node::Edge& e : node->inputs) {
      if (e.node && reaches_.count(e.node.get())) runs = true;
      if (e.leaf && LeafWanted(e.leaf.get())) runs = true;
    }
    if (runs) runs_.insert(node);
    if (runs || wrt_nodes_.count(node)) reaches_.insert(node);
    order_.push_back(node);
  }

  Mode mode_;
  std::unordered_set<const Node*> wrt_nodes_;
  std::unordered_set<const TensorImpl*> wrt_leaves_;
  std::vector<Node*> roots_;
  std::vector<Node*> order_;
  std::unordered_set<const Node*> reaches_, runs_;
  std::unordered_map<const Node*, GradSlots::Slot> node_slots_;
  std::unordered_map<TensorImpl*, GradSlots::Slot> leaf_slots_;
  std::unordered_map<const Node*, Tensor> node_results_;
};

}  // namespace

void Backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& seeds) {
  CHECK(seeds.empty() || seeds.size() == roots.size())
      << "Backward: " << roots.size() << " roots but " << seeds.size() << " seeds";
  BackwardPass pass(BackwardPass::Mode::kBackward, {});
  for (size_t i = 0; i < roots.size(); ++i)
    pass.Seed(roots[i], seeds.empty() ? Tensor() : seeds[i]);
  pass.Run();
}

std::vector<Tensor> Grad(const Tensor& root, const std::vector<Tensor>& wrt, const Tensor& seed) {
  BackwardPass pass(BackwardPass::Mode::kGrad, wrt);
  pass.Seed(root, seed);
  pass.Run();
  std::vector<Tensor> out;
  out.reserve(wrt.size());
  for (const Tensor& t : wrt) out.push_back(pass.Result(t));
  return out;
}

}  // namespace strata
