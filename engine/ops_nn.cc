// Layer ops: conv2d, batch norm, relu/relu6, pooling, linear. Kernels live in
// engine/kernels; these functions check shapes, allocate and record the backward.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/kernels/batchnorm.h"
#include "engine/kernels/conv2d.h"
#include "engine/kernels/gemm.h"
#include "engine/kernels/pool.h"
#include "engine/ops.h"
#include "engine/ops_internal.h"

namespace strata {

using internal::ForEach;
using internal::Scratch;
using internal::StoreEach;

Tensor Conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dParams& p) {
  CHECK(x.rank() == 4 && w.rank() == 4)
      << "Conv2d: x " << ShapeStr(x.shape()) << " w " << ShapeStr(w.shape())
      << " ---> HINT: x is (N,C,H,W), w is (K,C/groups,R,S)";
  kernels::Conv2dShape s;
  s.N = x.dim(0), s.C = x.dim(1), s.H = x.dim(2), s.W = x.dim(3);
  s.K = w.dim(0), s.R = w.dim(2), s.S = w.dim(3);
  s.stride_h = s.stride_w = p.stride;
  s.pad_h = s.pad_w = p.padding;
  s.groups = p.groups;
  CHECK(p.groups >= 1 && s.C % p.groups == 0 && s.K % p.groups == 0 && w.dim(1) == s.C / p.groups)
      << "Conv2d: x " << ShapeStr(x.shape()) << " w " << ShapeStr(w.shape()) << " groups "
      << p.groups;
  CHECK(!bias.defined() || bias.numel() == s.K)
      << "Conv2d: bias " << ShapeStr(bias.shape()) << " for w " << ShapeStr(w.shape());
  CHECK(p.stride >= 1 && s.P() >= 1 && s.Q() >= 1)
      << "Conv2d: empty output for x " << ShapeStr(x.shape()) << " w " << ShapeStr(w.shape())
      << " stride " << p.stride << " padding " << p.padding;
  Tensor y = Tensor::Empty({s.N, s.K, s.P(), s.Q()});
  {
    Tensor ws = Scratch(kernels::Conv2dWorkspaceFloats(s));
    kernels::Conv2dForward(s, x.data(), w.data(), bias.defined() ? bias.data() : nullptr, y.data(),
                           ws.data());
  }
  if (!NeedsRecord({&x, &w, &bias})) return y;
  Record(OpKind::kConv2d, {&x, &w, &bias}, y, [x, w, s](const Tensor& dy, GradSlots& dx) {
    Tensor ws = Scratch(kernels::Conv2dWorkspaceFloats(s));
    if (dx.Needs(0)) {
      bool accumulate = false;
      float* out = dx.Out(0, &accumulate);  // a fresh gradient is written, not zeroed and added
      kernels::Conv2dBackwardData(s, dy.data(), w.data(), out, ws.data(), accumulate);
    }
    if (dx.Needs(1) || dx.Needs(2)) {
      Tensor dw_scratch = dx.Needs(1) ? Tensor() : Tensor::Zeros(w.shape());
      float* dw = dx.Needs(1) ? dx.Acc(1) : dw_scratch.data();
      kernels::Conv2dBackwardWeight(s, x.data(), dy.data(), dw, dx.Needs(2) ? dx.Acc(2) : nullptr,
                                    ws.data());
    }
  });
  return y;
}

namespace {

kernels::Activation KernelAct(Act a) { return static_cast<kernels::Activation>(a); }

// 1 where the fused activation let the gradient through (y is its output).
inline float ActMask(Act act, float y) {
  if (act == Act::kRelu) return y > 0.f ? 1.f : 0.f;
  if (act == Act::kRelu6) return ((y > 0.f) & (y < 6.f)) ? 1.f : 0.f;
  return 1.f;
}

// Backward of the evaluation form y = act(gamma (x - rm) invstd + beta): statistics
// are constants. Per channel c: dx = m dy gamma invstd, dgamma = sum m dy xhat,
// dbeta = sum m dy (m the activation mask). Fixed order per channel.
void BatchNormEvalBackward(const kernels::BatchNormShape& s, const float* x, const float* y,
                           const float* dy, const float* gamma, const float* rmean,
                           const float* invstd, Act act, float* dx, float* dgamma, float* dbeta) {
  ParallelFor(s.C, 1, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      const float g = gamma ? gamma[c] : 1.f;
      double sg = 0, sb = 0;
      for (int n = 0; n < s.N; ++n) {
        const int64_t base = (int64_t(n) * s.C + c) * s.HW;
        for (int i = 0; i < s.HW; ++i) {
          const float d = dy[base + i] * ActMask(act, y[base + i]);
          sb += d;
          sg += double(d) * (x[base + i] - rmean[c]) * invstd[c];
          if (dx) dx[base + i] += d * g * invstd[c];
        }
      }
      if (dgamma) dgamma[c] += static_cast<float>(sg);
      if (dbeta) dbeta[c] += static_cast<float>(sb);
    }
  });
}

kernels::BatchNormShape BnShape(const Tensor& x) {
  kernels::BatchNormShape s;
  s.N = x.dim(0), s.C = x.dim(1);
  s.HW = x.rank() == 4 ? x.dim(2) * x.dim(3) : 1;
  return s;
}

// Statistics the backward uses: batch statistics in training, running ones in eval.
struct BnSaved {
  kernels::BatchNormShape s;
  Tensor x, y, gamma, mean, invstd;  // y only with a fused activation
  bool training;
  Act act;
};

void BatchNormBackwardStep(const BnSaved& b, const Tensor& dy, GradSlots& dx) {
  Tensor dx_scratch = dx.Needs(0) ? Tensor() : Tensor::Zeros(b.x.shape());
  float* dxp = dx.Needs(0) ? dx.Acc(0) : dx_scratch.data();
  float* dg = dx.Needs(1) ? dx.Acc(1) : nullptr;
  float* db = dx.Needs(2) ? dx.Acc(2) : nullptr;
  const float* yp = b.y.defined() ? b.y.data() : nullptr;
  if (b.training) {
    kernels::BatchNormBackward(b.s, b.x.data(), yp, dy.data(), b.gamma.data(), b.mean.data(),
                               b.invstd.data(), KernelAct(b.act), dxp, dg, db);
  } else {
    BatchNormEvalBackward(b.s, b.x.data(), yp, dy.data(), b.gamma.data(), b.mean.data(),
                          b.invstd.data(), b.act, dxp, dg, db);
  }
}

}  // namespace

Tensor BatchNorm2d(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                   const Tensor& running_mean, const Tensor& running_var,
                   const BatchNormParams& p) {
  CHECK(x.rank() == 4 || x.rank() == 2) << "BatchNorm2d: x " << ShapeStr(x.shape());
  BnSaved b{BnShape(x), x, Tensor(), Tensor(), Tensor(), Tensor(), p.training, p.act};
  const int C = b.s.C;
  for (const Tensor* t : {&gamma, &beta, &running_mean, &running_var}) {
    CHECK(!t->defined() || t->numel() == C)
        << "BatchNorm2d: x " << ShapeStr(x.shape()) << " vs per-channel " << ShapeStr(t->shape());
  }
  CHECK(p.training || (running_mean.defined() && running_var.defined()))
      << "BatchNorm2d: evaluation needs running statistics";
  // No affine: gamma = 1, beta = 0 (kernels take plain arrays).
  b.gamma = gamma.defined() ? gamma : Tensor::Full({C}, 1.f);
  const Tensor beta_or_0 = beta.defined() ? beta : Tensor::Zeros({C});
  Tensor y = Tensor::Empty(x.shape());
  b.mean = Tensor::Empty({C}), b.invstd = Tensor::Empty({C});
  if (p.training) {
    kernels::BatchNormForwardTrain(b.s, x.data(), b.gamma.data(), beta_or_0.data(), p.eps,
                                   p.momentum,
                                   running_mean.defined() ? running_mean.data() : nullptr,
                                   running_var.defined() ? running_var.data() : nullptr,
                                   KernelAct(p.act), y.data(), b.mean.data(), b.invstd.data());
  } else {
    kernels::BatchNormForwardEval(b.s, x.data(), b.gamma.data(), beta_or_0.data(),
                                  running_mean.data(), running_var.data(), p.eps, KernelAct(p.act),
                                  y.data());
    b.mean.CopyFrom(running_mean);
    for (int c = 0; c < C; ++c) b.invstd.data()[c] = 1.f / std::sqrt(running_var.data()[c] + p.eps);
  }
  if (!NeedsRecord({&x, &gamma, &beta})) return y;
  if (p.act != Act::kNone) b.y = SaveOutput(y);
  Record(OpKind::kBatchNorm2d, {&x, &gamma, &beta}, y,
         [b](const Tensor& dy, GradSlots& dx) { BatchNormBackwardStep(b, dy, dx); });
  return y;
}

namespace {

Tensor ClippedRelu(const Tensor& x, float hi, OpKind kind) {
  Tensor y = Tensor::Empty(x.shape());
  const float* xp = x.data();
  float* yp = y.data();
  ForEach(x.numel(), [=](int64_t i) { yp[i] = std::min(std::max(xp[i], 0.f), hi); });
  if (!NeedsRecord({&x})) return y;
  const Tensor ys = SaveOutput(y);
  Record(kind, {&x}, y, [ys, hi](const Tensor& dy, GradSlots& dx) {
    bool acc;
    float* d = dx.Out(0, &acc);
    const float* yv = ys.data();
    const float* g = dy.data();
    StoreEach(d, acc, dy.numel(), [=](int64_t i) {
      const float gi = g[i], yi = yv[i];  // both loaded: the select then vectorizes
      return ((yi > 0.f) & (yi < hi)) ? gi : 0.f;
    });
  });
  return y;
}

}  // namespace

Tensor Relu(const Tensor& x) { return ClippedRelu(x, INFINITY, OpKind::kRelu); }
Tensor Relu6(const Tensor& x) { return ClippedRelu(x, 6.f, OpKind::kRelu6); }

namespace {

kernels::PoolShape MakePoolShape(const Tensor& x, const Pool2dParams& p, const char* op) {
  CHECK_EQ(x.rank(), 4) << op << ": x " << ShapeStr(x.shape()) << " ---> HINT: (N,C,H,W)";
  kernels::PoolShape s;
  s.N = x.dim(0), s.C = x.dim(1), s.H = x.dim(2), s.W = x.dim(3);
  s.R = s.S = p.kernel;
  s.stride_h = s.stride_w = p.stride;
  s.pad_h = s.pad_w = p.padding;
  CHECK(p.kernel >= 1 && p.stride >= 1 && s.P() >= 1 && s.Q() >= 1)
      << op << ": x " << ShapeStr(x.shape()) << " kernel " << p.kernel << " stride " << p.stride
      << " padding " << p.padding;
  return s;
}

}  // namespace

Tensor MaxPool2d(const Tensor& x, const Pool2dParams& p) {
  const kernels::PoolShape s = MakePoolShape(x, p, "MaxPool2d");
  Tensor y = Tensor::Empty({s.N, s.C, s.P(), s.Q()});
  Tensor argmax = Tensor::Empty(y.shape());  // int32 indices stored in float-sized slots
  auto* idx = reinterpret_cast<int32_t*>(argmax.data());
  kernels::MaxPool2dForward(s, x.data(), y.data(), idx);
  if (!NeedsRecord({&x})) return y;
  Record(OpKind::kMaxPool2d, {&x}, y, [s, argmax](const Tensor& dy, GradSlots& dx) {
    kernels::MaxPool2dBackward(s, dy.data(), reinterpret_cast<const int32_t*>(argmax.data()),
                               dx.Acc(0));
  });
  return y;
}

Tensor AvgPool2d(const Tensor& x, const Pool2dParams& p) {
  const kernels::PoolShape s = MakePoolShape(x, p, "AvgPool2d");
  Tensor y = Tensor::Empty({s.N, s.C, s.P(), s.Q()});
  kernels::AvgPool2dForward(s, x.data(), y.data());
  if (!NeedsRecord({&x})) return y;
  Record(OpKind::kAvgPool2d, {&x}, y, [s](const Tensor& dy, GradSlots& dx) {
    kernels::AvgPool2dBackward(s, dy.data(), dx.Acc(0));
  });
  return y;
}

Tensor GlobalAvgPool(const Tensor& x) {
  CHECK_EQ(x.rank(), 4) << "GlobalAvgPool: x " << ShapeStr(x.shape()) << " ---> HINT: (N,C,H,W)";
  const int N = x.dim(0), C = x.dim(1), HW = x.dim(2) * x.dim(3);
  Tensor y = Tensor::Empty({N, C});
  kernels::GlobalAvgPoolForward(N, C, HW, x.data(), y.data());
  if (!NeedsRecord({&x})) return y;
  Record(OpKind::kGlobalAvgPool, {&x}, y, [N, C, HW](const Tensor& dy, GradSlots& dx) {
    kernels::GlobalAvgPoolBackward(N, C, HW, dy.data(), dx.Acc(0));
  });
  return y;
}

Tensor Linear(const Tensor& x, const Tensor& w, const Tensor& bias) {
  CHECK(x.rank() == 2 && w.rank() == 2 && x.dim(1) == w.dim(1))
      << "Linear: x " << ShapeStr(x.shape()) << " w " << ShapeStr(w.shape())
      << " ---> HINT: x is (N,IN), w is (OUT,IN)";
  const int N = x.dim(0), IN = x.dim(1), OUT = w.dim(0);
  CHECK(!bias.defined() || bias.numel() == OUT)
      << "Linear: bias " << ShapeStr(bias.shape()) << " for w " << ShapeStr(w.shape());
  Tensor y = Tensor::Empty({N, OUT});
  kernels::Gemm(false, true, N, OUT, IN, 1.f, x.data(), IN, w.data(), IN, 0.f, y.data(), OUT);
  if (bias.defined()) {
    const float* b = bias.data();
    float* yp = y.data();
    for (int n = 0; n < N; ++n) {
      for (int o = 0; o < OUT; ++o) yp[int64_t(n) * OUT + o] += b[o];
    }
  }
  if (!NeedsRecord({&x, &w, &bias})) return y;
  Record(OpKind::kLinear, {&x, &w, &bias}, y, [x, w, N, IN, OUT](const Tensor& dy, GradSlots& dx) {
    bool acc;
    if (dx.Needs(0)) {
      float* d = dx.Out(0, &acc);
      kernels::Gemm(false, false, N, IN, OUT, 1.f, dy.data(), OUT, w.data(), IN, acc ? 1.f : 0.f, d,
                    IN);
    }
    if (dx.Needs(1)) {
      float* d = dx.Out(1, &acc);
      kernels::Gemm(true, false, OUT, IN, N, 1.f, dy.data(), OUT, x.data(), IN, acc ? 1.f : 0.f, d,
                    IN);
    }
    if (dx.Needs(2)) {
      float* db = dx.Acc(2);
      for (int o = 0; o < OUT; ++o) {
        double s = 0;
        for (int n = 0; n < N; ++n) s += dy.data()[int64_t(n) * OUT + o];
        db[o] += static_cast<float>(s);
      }
    }
  });
  return y;
}

}  // namespace strata
