#include "moo/combine.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace strata {
namespace moo {
namespace {

// Floats per piece of a parameter: a piece is the unit of parallel work and of the fixed
// summation order (its boundaries depend only on the parameter's size).
constexpr int64_t kPiece = 1 << 14;

struct Piece {
  int param;
  int64_t begin, end;
};

// Checks that every task lists tensors of the same sizes; returns T.
int CheckTasks(const TaskGrads& grads, const char* what) {
  CHECK(!grads.empty()) << what << ": no tasks";
  const std::vector<Tensor>& g0 = grads[0];
  for (size_t t = 0; t < grads.size(); ++t) {
    CHECK_EQ(grads[t].size(), g0.size()) << what << ": task " << t << " vs task 0 tensor count";
    for (size_t j = 0; j < g0.size(); ++j) {
      CHECK(grads[t][j].defined()) << what << ": task " << t << " tensor " << j << " undefined";
      CHECK_EQ(grads[t][j].numel(), g0[j].numel())
          << what << ": task " << t << " tensor " << j << " " << ShapeStr(grads[t][j].shape())
          << " vs task 0 " << ShapeStr(g0[j].shape());
    }
  }
  return static_cast<int>(grads.size());
}

// The pieces of tensors sized like `like`, in (parameter, offset) order.
std::vector<Piece> Pieces(const std::vector<Tensor>& like) {
  std::vector<Piece> pieces;
  for (size_t j = 0; j < like.size(); ++j) {
    const int64_t n = like[j].numel();
    for (int64_t b = 0; b < n; b += kPiece)
      pieces.push_back({static_cast<int>(j), b, std::min(n, b + kPiece)});
  }
  return pieces;
}

// sum_k a[k] b[k] in double over [0, n), four interleaved accumulators added in a fixed
// order (the products of floats are exact in double).
double Dot(const float* a, const float* b, int64_t n) {
  double s[4] = {0, 0, 0, 0};
  int64_t k = 0;
  for (; k + 4 <= n; k += 4)
    for (int l = 0; l < 4; ++l) s[l] += static_cast<double>(a[k + l]) * b[k + l];
  for (; k < n; ++k) s[0] += static_cast<double>(a[k]) * b[k];
  return (s[0] + s[1]) + (s[2] + s[3]);
}

// Min-norm gamma on [v1, v2] with `tie` returned when |v1 - v2|^2 <= 0.
double SegmentMinNorm(double v11, double v12, double v22, double tie) {
  const double denom = v11 + v22 - 2 * v12;  // |g1 - g2|^2
  if (!(denom > 0)) return tie;
  return std::min(1.0, std::max(0.0, (v22 - v12) / denom));
}

}  // namespace

TaskGrads TaskGradients(const std::vector<Tensor>& losses, const std::vector<Tensor>& shared) {
  TaskGrads grads;
  grads.reserve(losses.size());
  for (const Tensor& loss : losses) grads.push_back(Grad(loss, shared));
  return grads;
}

TaskGrads BackwardEach(const std::vector<Tensor>& losses, const std::vector<Tensor>& shared) {
  TaskGrads grads(losses.size());
  for (size_t t = 0; t < losses.size(); ++t) {
    Backward({losses[t]});
    for (Tensor p : shared) {  // a handle: takes the tensor's own .grad
      grads[t].push_back(p.grad().defined() ? p.grad() : Tensor::Zeros(p.shape()));
      p.mutable_grad() = Tensor();
    }
  }
  return grads;
}

std::vector<double> GramMatrix(const TaskGrads& grads) {
  const int T = CheckTasks(grads, "GramMatrix");
  const std::vector<Piece> pieces = Pieces(grads[0]);
  const int pairs = T * (T + 1) / 2;  // (i, j), i <= j
  std::vector<double> partial(pieces.size() * pairs);
  ParallelFor(static_cast<int64_t>(pieces.size()), 1, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const Piece& pc = pieces[p];
      double* out = &partial[p * pairs];
      for (int i = 0; i < T; ++i)
        for (int j = i; j < T; ++j)
          *out++ = Dot(grads[i][pc.param].data() + pc.begin, grads[j][pc.param].data() + pc.begin,
                       pc.end - pc.begin);
    }
  });
  std::vector<double> sum(pairs, 0.0);
  for (size_t p = 0; p < pieces.size(); ++p)
    for (int q = 0; q < pairs; ++q) sum[q] += partial[p * pairs + q];
  std::vector<double> gram(T * T);
  for (int i = 0, q = 0; i < T; ++i)
    for (int j = i; j < T; ++j, ++q) gram[i * T + j] = gram[j * T + i] = sum[q];
  return gram;
}

std::vector<double> GramMatrixReference(const TaskGrads& grads) {
  const int T = CheckTasks(grads, "GramMatrixReference");
  std::vector<double> gram(T * T, 0.0);
  for (int i = 0; i < T; ++i)
    for (int j = 0; j < T; ++j)
      for (size_t k = 0; k < grads[i].size(); ++k) {
        const float* a = grads[i][k].data();
        const float* b = grads[j][k].data();
        for (int64_t e = 0; e < grads[i][k].numel(); ++e)
          gram[i * T + j] += static_cast<double>(a[e]) * b[e];
      }
  return gram;
}

const char* MooMethodName(MooMethod method) {
  switch (method) {
    case MooMethod::kUnitaryScalarization:
      return "us";
    case MooMethod::kMgd:
      return "mgd";
  }
  return "?";
}

std::vector<double> UniformWeights(int num_tasks) {
  CHECK_GT(num_tasks, 0) << "UniformWeights: number of tasks";
  return std::vector<double>(num_tasks, 1.0 / num_tasks);
}

double MinNormTwo(double v11, double v12, double v22) {
  // Sener & Koltun 2018, Algorithm 1 (two tasks); vertical-layering Eq. 10 with n = 1.
  return SegmentMinNorm(v11, v12, v22, 0.5);
}

namespace {

// Sener & Koltun 2018, Algorithm 2 (Frank-Wolfe on Eq. 10); see MinNormSolve.
MooWeights FrankWolfe(const std::vector<double>& gram, int T, const MgdOptions& options) {
  CHECK_GE(options.max_iterations, 0) << "MinNormSolve: max_iterations";
  MooWeights w{UniformWeights(T), 0};
  std::vector<double> m_alpha(T);
  while (w.iterations < options.max_iterations) {
    ++w.iterations;
    // The linear minimizer of the gradient 2 M alpha over the simplex is the vertex e_t
    // with the smallest (M alpha)_t.
    for (int i = 0; i < T; ++i) {
      m_alpha[i] = 0;
      for (int j = 0; j < T; ++j) m_alpha[i] += gram[i * T + j] * w.alpha[j];
    }
    const int t =
        static_cast<int>(std::min_element(m_alpha.begin(), m_alpha.end()) - m_alpha.begin());
    double aMa = 0;
    for (int i = 0; i < T; ++i) aMa += w.alpha[i] * m_alpha[i];
    // Exact line search: gamma weights the current point, 1 - gamma the vertex e_t.
    const double gamma = SegmentMinNorm(aMa, m_alpha[t], gram[t * T + t], 1.0);
    double change = 0;
    for (int i = 0; i < T; ++i) {
      const double next = gamma * w.alpha[i] + (i == t ? 1 - gamma : 0.0);
      change += std::fabs(next - w.alpha[i]);
      w.alpha[i] = next;
    }
    if (change < options.tolerance) break;
  }
  return w;
}

// Solves a x = b in place (n x n row-major) by Gaussian elimination with partial pivoting;
// false when a pivot is below 1e-12 (the caller scales a to O(1) entries).
bool SolveLinear(std::vector<double>& a, std::vector<double>& b, int n) {
  for (int c = 0; c < n; ++c) {
    int p = c;
    for (int r = c + 1; r < n; ++r)
      if (std::fabs(a[r * n + c]) > std::fabs(a[p * n + c])) p = r;
    if (!(std::fabs(a[p * n + c]) > 1e-12)) return false;
    for (int k = 0; k < n; ++k) std::swap(a[c * n + k], a[p * n + k]);
    std::swap(b[c], b[p]);
    for (int r = c + 1; r < n; ++r) {
      const double f = a[r * n + c] / a[c * n + c];
      for (int k = c; k < n; ++k) a[r * n + k] -= f * a[c * n + k];
      b[r] -= f * b[c];
    }
  }
  for (int c = n - 1; c >= 0; --c) {
    for (int k = c + 1; k < n; ++k) b[c] -= a[c * n + k] * b[k];
    b[c] /= a[c * n + c];
  }
  return true;
}

// Eq. 10 by enumerating supports; see MgdSolver::kExact.
MooWeights ExactMinNorm(const std::vector<double>& gram, int T) {
  CHECK_LE(T, 16) << "MinNormSolve: kExact enumerates 2^T supports ---> HINT: kFrankWolfe";
  double scale = 0;
  for (double m : gram) scale = std::max(scale, std::fabs(m));
  if (!(scale > 0)) return {UniformWeights(T), 0};  // all gradients zero: any alpha
  MooWeights best{{}, 0};
  double best_f = 0;
  std::vector<int> support;
  for (uint32_t mask = 1; mask < (1u << T); ++mask) {
    support.clear();
    for (int t = 0; t < T; ++t)
      if (mask >> t & 1) support.push_back(t);
    // KKT of min a^T M_S a s.t. sum a = 1: [M_S 1; 1^T 0] [a; mu] = [0; 1].
    const int n = static_cast<int>(support.size()) + 1;
    std::vector<double> a(n * n, 1.0), b(n, 0.0);
    for (int i = 0; i + 1 < n; ++i)
      for (int j = 0; j + 1 < n; ++j) a[i * n + j] = gram[support[i] * T + support[j]] / scale;
    a[n * n - 1] = 0, b[n - 1] = 1;
    if (!SolveLinear(a, b, n)) continue;  // affinely dependent gradients: a smaller S
    double sum = 0;
    for (int i = 0; i + 1 < n; ++i) sum += b[i];
    if (!std::all_of(b.begin(), b.end() - 1, [](double x) { return x >= 0; }) || !(sum > 0))
      continue;
    std::vector<double> alpha(T, 0.0);
    for (int i = 0; i + 1 < n; ++i) alpha[support[i]] = b[i] / sum;
    double f = 0;
    for (int i = 0; i < T; ++i)
      for (int j = 0; j < T; ++j) f += alpha[i] * gram[i * T + j] * alpha[j];
    if (best.alpha.empty() || f < best_f) best.alpha = alpha, best_f = f;
  }
  CHECK(!best.alpha.empty()) << "MinNormSolve: no support solved (a non-finite Gram matrix?)";
  return best;
}

}  // namespace

MooWeights MinNormSolve(const std::vector<double>& gram, int num_tasks, const MgdOptions& options) {
  CHECK_GT(num_tasks, 0) << "MinNormSolve: number of tasks";
  CHECK_EQ(gram.size(), static_cast<size_t>(num_tasks) * num_tasks)
      << "MinNormSolve: Gram matrix size";
  return options.solver == MgdSolver::kExact ? ExactMinNorm(gram, num_tasks)
                                             : FrankWolfe(gram, num_tasks, options);
}

MooWeights ComputeWeights(MooMethod method, const std::vector<double>& gram,
                          const MgdOptions& options) {
  const int T = static_cast<int>(std::lround(std::sqrt(static_cast<double>(gram.size()))));
  CHECK_EQ(static_cast<size_t>(T) * T, gram.size()) << "ComputeWeights: Gram matrix not square";
  if (method == MooMethod::kUnitaryScalarization) return {UniformWeights(T), 0};
  if (T == 1) return {{1.0}, 0};
  if (T == 2) {
    const double gamma = MinNormTwo(gram[0], gram[1], gram[3]);
    return {{gamma, 1 - gamma}, 0};
  }
  return MinNormSolve(gram, T, options);
}

void CombineInto(const TaskGrads& grads, const std::vector<double>& alpha,
                 const std::vector<Tensor>& out, GradWrite write) {
  const int T = CheckTasks(grads, "CombineInto");
  CHECK_EQ(alpha.size(), static_cast<size_t>(T)) << "CombineInto: alpha per task";
  CHECK_EQ(out.size(), grads[0].size()) << "CombineInto: output tensors vs gradient tensors";
  for (size_t j = 0; j < out.size(); ++j)
    CHECK_EQ(out[j].numel(), grads[0][j].numel())
        << "CombineInto: output " << j << " " << ShapeStr(out[j].shape()) << " vs gradient "
        << ShapeStr(grads[0][j].shape());
  const std::vector<Piece> pieces = Pieces(grads[0]);
  const bool accumulate = write == GradWrite::kAccumulate;
  ParallelFor(static_cast<int64_t>(pieces.size()), 1, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const Piece& pc = pieces[p];
      float* d = out[pc.param].data();
      std::vector<const float*> g(T);
      for (int t = 0; t < T; ++t) g[t] = grads[t][pc.param].data();
      for (int64_t e = pc.begin; e < pc.end; ++e) {
        // Eq. 9's combination applied to the gradients: sum_t alpha_t dL_t/d theta.
        double s = accumulate ? d[e] : 0.0;
        for (int t = 0; t < T; ++t) s += alpha[t] * g[t][e];
        d[e] = static_cast<float>(s);
      }
    }
  });
}

void CombineGradients(const TaskGrads& grads, const std::vector<double>& alpha,
                      const std::vector<Tensor>& params, GradWrite write) {
  std::vector<Tensor> out;
  out.reserve(params.size());
  for (Tensor p : params) {  // a handle: p.mutable_grad() is the parameter's own .grad
    if (!p.grad().defined()) p.mutable_grad() = Tensor::Zeros(p.shape());
    out.push_back(p.grad());
  }
  CombineInto(grads, alpha, out, write);
}

}  // namespace moo
}  // namespace strata
