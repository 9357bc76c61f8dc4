// Tensor-level integer inference (see int_conv.h) over quant/kernels/int_conv.h.
#include "quant/int_conv.h"

#include <cmath>

#include "quant/kernels/int_conv.h"
#include "quant/kernels/lsq_kernels.h"

namespace strata {
namespace quant {

QuantizedTensor QuantizeCodes(const Tensor& v, float step, QuantRange r) {
  CHECK((r.qn == 0 && r.qp >= 1 && r.qp <= 255) || (r.qn >= 1 && r.qn <= 128 && r.qp <= 127))
      << "QuantizeCodes: range {qn " << r.qn << ", qp " << r.qp
      << "} does not fit a byte ---> HINT: the integer path takes up to 8 bits";
  CHECK(step > 0.f && std::isfinite(step)) << "QuantizeCodes: step " << step;
  QuantizedTensor q;
  q.shape = v.shape();
  q.range = r;
  q.step = step;
  q.bytes.resize(v.numel());
  if (q.is_signed()) {
    kernels::LsqCodes(v.numel(), v.data(), step, r.qn, r.qp,
                      reinterpret_cast<int8_t*>(q.bytes.data()));
  } else {
    kernels::LsqCodes(v.numel(), v.data(), step, r.qn, r.qp, q.bytes.data());
  }
  return q;
}

Tensor Dequantize(const QuantizedTensor& q) {
  Tensor y = Tensor::Empty(q.shape);
  float* yp = y.data();
  const int64_t n = y.numel();
  ParallelFor(n, 1 << 18, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) yp[i] = float(q.code(i)) * q.step;
  });
  return y;
}

Tensor IntConv2d(const QuantizedTensor& x, const QuantizedTensor& w, const Tensor& bias,
                 const Conv2dParams& p) {
  CHECK(x.shape.size() == 4 && w.shape.size() == 4)
      << "IntConv2d: x " << ShapeStr(x.shape) << " w " << ShapeStr(w.shape)
      << " ---> HINT: x is (N,C,H,W), w is (K,C/groups,R,S)";
  CHECK(w.is_signed()) << "IntConv2d: weight codes must be signed (SignedRange)";
  kernels::IntConv2dShape s;
  s.N = int(x.shape[0]), s.C = int(x.shape[1]), s.H = int(x.shape[2]), s.W = int(x.shape[3]);
  s.K = int(w.shape[0]), s.R = int(w.shape[2]), s.S = int(w.shape[3]);
  s.stride_h = s.stride_w = p.stride;
  s.pad_h = s.pad_w = p.padding;
  s.groups = p.groups;
  CHECK(p.groups >= 1 && s.C % p.groups == 0 && s.K % p.groups == 0 && w.shape[1] == s.C / p.groups)
      << "IntConv2d: x " << ShapeStr(x.shape) << " w " << ShapeStr(w.shape) << " groups "
      << p.groups;
  CHECK(!bias.defined() || bias.numel() == s.K)
      << "IntConv2d: bias " << ShapeStr(bias.shape()) << " for w " << ShapeStr(w.shape);
  CHECK(p.stride >= 1 && p.padding >= 0 && s.P() >= 1 && s.Q() >= 1)
      << "IntConv2d: empty output for x " << ShapeStr(x.shape) << " w " << ShapeStr(w.shape)
      << " stride " << p.stride << " padding " << p.padding;
  Tensor y = Tensor::Empty({s.N, s.K, s.P(), s.Q()});
  std::vector<int32_t> ws(kernels::IntConv2dWorkspaceInts(s));
  const float scale = w.step * x.step;
  const int8_t* wc = reinterpret_cast<const int8_t*>(w.bytes.data());
  const float* b = bias.defined() ? bias.data() : nullptr;
  if (x.is_signed()) {
    kernels::IntConv2dForward(s, reinterpret_cast<const int8_t*>(x.bytes.data()), wc, scale, b,
                              y.data(), ws.data());
  } else {
    kernels::IntConv2dForward(s, x.bytes.data(), wc, scale, b, y.data(), ws.data());
  }
  return y;
}

}  // namespace quant
}  // namespace strata
