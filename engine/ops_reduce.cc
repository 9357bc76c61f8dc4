// Reductions, softmax / log-softmax, cross-entropy, reshape.
#include <algorithm>

#include "engine/kernels/reduce.h"
#include "engine/kernels/softmax.h"
#include "engine/ops.h"
#include "engine/ops_internal.h"

namespace strata {

using internal::ForEachBroadcast;
using internal::MakeBroadcast;

namespace {

// Reduction over `axes` (empty = all) scaled by `scale_all ? 1/count : 1`.
Tensor SumImpl(const Tensor& x, const std::vector<int>& axes, bool keepdim, bool mean,
               OpKind kind) {
  const int rank = x.rank();
  CHECK_LE(rank, kernels::kMaxReduceRank) << OpKindName(kind) << ": x " << ShapeStr(x.shape());
  uint32_t mask = axes.empty() ? (1u << rank) - 1 : 0;
  for (int a : axes) {
    CHECK(a >= -rank && a < rank) << OpKindName(kind) << ": axis " << a << " of x "
                                  << ShapeStr(x.shape());
    mask |= 1u << (a < 0 ? a + rank : a);
  }
  Shape kept, keep_shape;
  int64_t count = 1;
  for (int d = 0; d < rank; ++d) {
    const bool reduced = (mask >> d) & 1;
    if (reduced) count *= x.dim(d);
    if (!reduced) kept.push_back(x.dim(d));
    keep_shape.push_back(reduced ? 1 : x.dim(d));
  }
  Tensor y = Tensor::Empty(keepdim ? keep_shape : kept);
  kernels::ReduceSum(x.shape().data(), rank, mask, x.data(), y.data());
  const float scale = mean ? 1.f / static_cast<float>(std::max<int64_t>(count, 1)) : 1.f;
  if (mean) {
    for (int64_t i = 0; i < y.numel(); ++i) y.data()[i] *= scale;
  }
  if (!NeedsRecord({&x})) return y;
  const Shape xs = x.shape();
  Record(kind, {&x}, y, [xs, keep_shape, scale](const Tensor& dy, GradSlots& dx) {
    const internal::Broadcast bc = MakeBroadcast(xs, keep_shape, "Sum backward");
    float* d = dx.Acc(0);
    const float* g = dy.data();
    ForEachBroadcast(bc, [=](int64_t i, int64_t, int64_t ib) { d[i] += scale * g[ib]; });
  });
  return y;
}

int64_t Rows(const Tensor& x, const char* op) {
  CHECK_GE(x.rank(), 1) << op << ": x " << ShapeStr(x.shape());
  return x.numel() / std::max<int64_t>(x.dim(-1), 1);
}

}  // namespace

Tensor Sum(const Tensor& x, const std::vector<int>& axes, bool keepdim) {
  return SumImpl(x, axes, keepdim, false, OpKind::kSum);
}
Tensor Mean(const Tensor& x, const std::vector<int>& axes, bool keepdim) {
  return SumImpl(x, axes, keepdim, true, OpKind::kMean);
}

Tensor Softmax(const Tensor& x) {
  const int64_t M = Rows(x, "Softmax"), K = x.dim(-1);
  Tensor y = Tensor::Empty(x.shape());
  kernels::SoftmaxForward(M, K, x.data(), y.data());
  if (!NeedsRecord({&x})) return y;
  const Tensor ys = SaveOutput(y);
  Record(OpKind::kSoftmax, {&x}, y, [ys, M, K](const Tensor& dy, GradSlots& dx) {
    kernels::SoftmaxBackward(M, K, ys.data(), dy.data(), dx.Acc(0));
  });
  return y;
}

Tensor LogSoftmax(const Tensor& x) {
  const int64_t M = Rows(x, "LogSoftmax"), K = x.dim(-1);
  Tensor y = Tensor::Empty(x.shape());
  kernels::LogSoftmaxForward(M, K, x.data(), y.data());
  if (!NeedsRecord({&x})) return y;
  const Tensor ys = SaveOutput(y);
  Record(OpKind::kLogSoftmax, {&x}, y, [ys, M, K](const Tensor& dy, GradSlots& dx) {
    kernels::LogSoftmaxBackward(M, K, ys.data(), dy.data(), dx.Acc(0));
  });
  return y;
}

Tensor CrossEntropy(const Tensor& logits, const std::vector<int32_t>& labels) {
  CHECK(logits.rank() == 2 && logits.dim(0) == static_cast<int64_t>(labels.size()))
      << "CrossEntropy: logits " << ShapeStr(logits.shape()) << " vs " << labels.size()
      << " labels ---> HINT: logits are (N,K)";
  const int64_t M = logits.dim(0), K = logits.dim(1);
  for (int32_t l : labels) CHECK(l >= 0 && l < K) << "CrossEntropy: label " << l << " of " << K;
  Tensor prob = Tensor::Empty(logits.shape());
  const double loss = kernels::CrossEntropyForward(M, K, logits.data(), labels.data(), prob.data());
  Tensor y = Tensor::Full({}, static_cast<float>(loss));
  if (!NeedsRecord({&logits})) return y;
  Record(OpKind::kCrossEntropy, {&logits}, y,
         [prob, labels, M, K](const Tensor& dy, GradSlots& dx) {
           kernels::CrossEntropyBackward(M, K, prob.data(), labels.data(), dy.item(), dx.Acc(0));
         });
  return y;
}

Tensor Reshape(const Tensor& x, const Shape& shape) {
  Shape s = shape;
  int64_t known = 1;
  int infer = -1;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == -1) {
      CHECK_EQ(infer, -1) << "Reshape: two -1 in " << ShapeStr(shape);
      infer = static_cast<int>(i);
    } else {
      known *= s[i];
    }
  }
  if (infer >= 0) s[infer] = known ? x.numel() / known : 0;
  CHECK_EQ(NumElements(s), x.numel())
      << "Reshape: x " << ShapeStr(x.shape()) << " to " << ShapeStr(shape);
  Tensor y = AliasWithShape(x, s);
  if (!NeedsRecord({&x})) return y;
  Record(OpKind::kReshape, {&x}, y, [](const Tensor& dy, GradSlots& dx) { dx.Pass(0, dy); });
  return y;
}

Tensor Flatten(const Tensor& x) {
  CHECK_GE(x.rank(), 1) << "Flatten: x " << ShapeStr(x.shape());
  return Reshape(x, {x.dim(0), -1});
}

}  // namespace strata
