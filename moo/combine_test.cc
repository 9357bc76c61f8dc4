#include "moo/combine.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

#include "gtest/gtest.h"

namespace strata {
namespace moo {
namespace {

// A tensor of `n` standard normals from Philox(seed, stream).
Tensor Normals(int64_t n, uint64_t seed, uint64_t stream) {
  Tensor t = Tensor::Empty({n});
  Philox rng(seed, stream);
  for (int64_t i = 0; i < n; ++i) t.data()[i] = rng.Normal(i);
  return t;
}

// T tasks' gradients over parameters of the given sizes.
TaskGrads RandomGrads(int T, const std::vector<int64_t>& sizes, uint64_t seed) {
  TaskGrads g(T);
  for (int t = 0; t < T; ++t)
    for (size_t j = 0; j < sizes.size(); ++j)
      g[t].push_back(Normals(sizes[j], seed, Stream("g", t, j)));
  return g;
}

// One-parameter tasks from explicit vectors.
TaskGrads FromVectors(const std::vector<std::vector<float>>& v) {
  TaskGrads g;
  for (const auto& x : v) g.push_back({Tensor::FromVector({static_cast<int64_t>(x.size())}, x)});
  return g;
}

double Objective(const std::vector<double>& M, const std::vector<double>& a) {
  const size_t T = a.size();
  double f = 0;
  for (size_t i = 0; i < T; ++i)
    for (size_t j = 0; j < T; ++j) f += a[i] * M[i * T + j] * a[j];
  return f;
}

// Brute force: every point of the simplex grid {k / n}, then a pattern search from the best
// one moving mass `step` between pairs of coordinates, halving `step` down to 1e-10.
std::vector<double> BruteForceMinNorm(const std::vector<double>& M, int T, int n) {
  std::vector<double> best, cur(T);
  double best_f = std::numeric_limits<double>::infinity();
  std::function<void(int, int)> grid = [&](int t, int left) {
    if (t == T - 1) {
      cur[t] = static_cast<double>(left) / n;
      const double f = Objective(M, cur);
      if (f < best_f) best_f = f, best = cur;
      return;
    }
    for (int k = 0; k <= left; ++k) cur[t] = static_cast<double>(k) / n, grid(t + 1, left - k);
  };
  grid(0, n);
  for (double step = 1.0 / n; step > 1e-10; step /= 2) {
    for (bool improved = true; improved;) {
      improved = false;
      for (int i = 0; i < T; ++i)
        for (int j = 0; j < T; ++j) {
          if (i == j) continue;
          cur = best;
          const double d = std::min(step, cur[j]);
          cur[i] += d, cur[j] -= d;
          const double f = Objective(M, cur);
          if (f < best_f) best_f = f, best = cur, improved = true;
        }
    }
  }
  return best;
}

void ExpectOnSimplex(const std::vector<double>& a, const std::string& where) {
  double sum = 0;
  for (double x : a) {
    EXPECT_GE(x, 0.0) << where;
    EXPECT_LE(x, 1.0) << where;
    sum += x;
  }
  EXPECT_NEAR(sum, 1.0, 1e-12) << where;
}

TEST(GramMatrix, MatchesNaiveDoubleLoop) {
  // Sizes straddle the 2^14-float pieces (1, a prime, one piece exactly, one past, several).
  const std::vector<int64_t> sizes = {1, 7, 1 << 14, (1 << 14) + 1, 40009};
  int64_t total = 0;
  for (int64_t n : sizes) total += n;
  for (int T = 1; T <= 5; ++T) {
    const TaskGrads g = RandomGrads(T, sizes, 100 + T);
    const std::vector<double> fast = GramMatrix(g), ref = GramMatrixReference(g);
    ASSERT_EQ(fast.size(), static_cast<size_t>(T * T));
    for (int i = 0; i < T; ++i)
      for (int j = 0; j < T; ++j) {
        double abs_sum = 0;  // sum |a_k b_k|
        for (size_t k = 0; k < sizes.size(); ++k)
          for (int64_t e = 0; e < sizes[k]; ++e)
            abs_sum += std::fabs(static_cast<double>(g[i][k].data()[e]) * g[j][k].data()[e]);
        EXPECT_EQ(fast[i * T + j], fast[j * T + i]) << "T=" << T << " seed " << 100 + T;
        // Both sum exact products in double, in different orders: each is within
        // total * eps * sum |a_k b_k| of the exact value.
        EXPECT_NEAR(fast[i * T + j], ref[i * T + j], 2.0 * total * 1.2e-16 * abs_sum)
            << "T=" << T << " (" << i << "," << j << ") seed " << 100 + T;
      }
    for (int i = 0; i < T; ++i) EXPECT_GT(fast[i * T + i], 0.5 * total) << "|g|^2 ~ size";
  }
}

TEST(GramMatrix, ExactOnSmallIntegers) {
  const TaskGrads g = FromVectors({{1, 2, 3}, {-1, 0, 4}, {0, 0, 0}});
  const std::vector<double> want = {14, 11, 0, 11, 17, 0, 0, 0, 0};
  EXPECT_EQ(GramMatrix(g), want);
}

TEST(GramMatrix, AndCombinationBitIdenticalForAnyThreadCount) {
  const TaskGrads g = RandomGrads(3, {5, 70001, 1 << 15, 3}, 7);
  const std::vector<double> alpha = {0.2, 0.5, 0.3};
  const int saved = NumThreads();
  std::vector<double> gram1;
  std::vector<std::vector<float>> comb1;
  for (int threads : {1, 2, 3, 4, 7}) {
    SetNumThreads(threads);
    const std::vector<double> gram = GramMatrix(g);
    std::vector<Tensor> out;
    for (const Tensor& x : g[0]) out.push_back(Tensor::Full(x.shape(), 0.25f));
    CombineInto(g, alpha, out, GradWrite::kAccumulate);
    if (threads == 1) {
      gram1 = gram;
      for (const Tensor& o : out) comb1.push_back(o.ToVector());
      continue;
    }
    EXPECT_EQ(0, std::memcmp(gram.data(), gram1.data(), sizeof(double) * gram.size()))
        << threads << " threads";
    for (size_t j = 0; j < out.size(); ++j)
      EXPECT_EQ(out[j].ToVector(), comb1[j]) << threads << " threads, tensor " << j;
  }
  SetNumThreads(saved);
}

TEST(Combine, AssignAndAccumulateMatchNaive) {
  const TaskGrads g = RandomGrads(3, {4, 20000}, 11);
  const std::vector<double> alpha = {0.1, 0.6, 0.3};
  std::vector<Tensor> params;
  for (const Tensor& x : g[0]) params.push_back(Tensor::Zeros(x.shape()).set_requires_grad(true));
  CombineGradients(g, alpha, params, GradWrite::kAssign);  // allocates the .grad
  for (size_t j = 0; j < params.size(); ++j) {
    ASSERT_TRUE(params[j].grad().defined());
    for (int64_t e = 0; e < params[j].numel(); ++e) {
      const double want =
          0.1 * g[0][j].data()[e] + 0.6 * g[1][j].data()[e] + 0.3 * g[2][j].data()[e];
      ASSERT_NEAR(params[j].grad().data()[e], want, 1e-6 * (1 + std::fabs(want))) << j << " " << e;
    }
  }
  std::vector<std::vector<float>> before;
  for (const Tensor& p : params) before.push_back(p.grad().ToVector());
  CombineGradients(g, alpha, params, GradWrite::kAccumulate);
  for (size_t j = 0; j < params.size(); ++j)
    for (int64_t e = 0; e < params[j].numel(); ++e)
      ASSERT_NEAR(params[j].grad().data()[e], 2.0 * before[j][e],
                  1e-6 * (1 + std::fabs(before[j][e])));
  CombineGradients(g, alpha, params, GradWrite::kAssign);  // overwrites
  for (size_t j = 0; j < params.size(); ++j) EXPECT_EQ(params[j].grad().ToVector(), before[j]);
}

TEST(Combine, TaskGradientsMatchBackwardWithSeeds) {
  // L_t = sum_k (c_t,k w_k)^2 + t w_0: dL_t/dw_k = 2 c_t,k^2 w_k + t [k == 0].
  const Tensor w = Tensor::FromVector({3}, {0.5f, -1.f, 2.f}).set_requires_grad(true);
  const std::vector<std::vector<float>> c = {{1, 2, 3}, {-1, 0.5f, 1}, {2, 1, 0}};
  std::vector<Tensor> losses;
  for (int t = 0; t < 3; ++t) {
    const Tensor ct = Tensor::FromVector({3}, c[t]);
    losses.push_back(
        Add(Sum(Square(Mul(ct, w))), Scale(Sum(Mul(w, Tensor::FromVector({3}, {1, 0, 0}))), t)));
  }
  const TaskGrads g = TaskGradients(losses, {w});
  for (int t = 0; t < 3; ++t)
    for (int k = 0; k < 3; ++k)
      EXPECT_NEAR(g[t][0].data()[k], 2 * c[t][k] * c[t][k] * w.data()[k] + (k == 0 ? t : 0), 1e-6);
  EXPECT_FALSE(w.grad().defined()) << "TaskGradients must not touch .grad";
  const std::vector<double> alpha = {0.2, 0.3, 0.5};
  std::vector<Tensor> combined = {Tensor::Zeros({3})};
  CombineInto(g, alpha, combined, GradWrite::kAssign);
  Backward(losses, {Tensor::Full({}, 0.2f), Tensor::Full({}, 0.3f), Tensor::Full({}, 0.5f)});
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(combined[0].data()[k], w.grad().data()[k], 1e-5);
}

// The header's joint step: shared parameters get sum_t alpha_t dL_t, the width-specific
// ones dL_t unweighted. L_t = sum_k (w_k + b_t,k)^2: dL_t/dw = dL_t/db_t = 2 (w + b_t).
TEST(Combine, JointStepOfTheHeader) {
  const Tensor w = Tensor::FromVector({2}, {0.5f, -1.f}).set_requires_grad(true);
  const std::vector<std::vector<float>> bv = {{1, 2}, {-3, 0.25f}, {0, -2}};
  std::vector<Tensor> b, losses;
  for (const auto& v : bv) {
    b.push_back(Tensor::FromVector({2}, v).set_requires_grad(true));
    losses.push_back(Sum(Square(Add(w, b.back()))));
  }
  const TaskGrads g = TaskGradients(losses, {w});
  const MooWeights mw = ComputeWeights(MooMethod::kMgd, GramMatrix(g), {});
  Backward(losses);
  CombineGradients(g, mw.alpha, {w}, GradWrite::kAssign);
  for (int k = 0; k < 2; ++k) {
    double want = 0;
    for (int t = 0; t < 3; ++t) {
      const double d = 2.0 * (w.data()[k] + bv[t][k]);
      want += mw.alpha[t] * d;
      EXPECT_NEAR(b[t].grad().data()[k], d, 1e-6) << "task " << t;
    }
    EXPECT_NEAR(w.grad().data()[k], want, 1e-6);
  }
}

// BackwardEach: the g_t of TaskGradients bit for bit, and the width-specific b_t get the
// .grad of Backward(losses); the shared tensor's .grad is left undefined. Task 2 does not
// reach v: zeros.
TEST(Combine, BackwardEachMatchesTaskGradientsAndBackward) {
  Tensor w = Tensor::FromVector({2}, {0.5f, -1.f}).set_requires_grad(true);
  Tensor v = Tensor::FromVector({2}, {0.25f, 3.f}).set_requires_grad(true);
  const std::vector<std::vector<float>> bv = {{1, 2}, {-3, 0.25f}, {0, -2}};
  auto make = [&](std::vector<Tensor>* b) {
    std::vector<Tensor> losses;
    for (size_t t = 0; t < bv.size(); ++t) {
      b->push_back(Tensor::FromVector({2}, bv[t]).set_requires_grad(true));
      Tensor l = Sum(Square(Mul(Add(w, b->back()), b->back())));
      if (t < 2) l = Add(l, Sum(Mul(v, Scale(b->back(), float(t + 1)))));
      losses.push_back(l);
    }
    return losses;
  };
  std::vector<Tensor> b1, b2;
  const std::vector<Tensor> l1 = make(&b1), l2 = make(&b2);
  const TaskGrads want = TaskGradients(l1, {w, v});
  Backward(l1);
  w.ZeroGrad();  // the precondition: zero (or undefined) on entry
  v.mutable_grad() = Tensor();
  const TaskGrads got = BackwardEach(l2, {w, v});
  ASSERT_EQ(got.size(), 3u);
  for (int t = 0; t < 3; ++t) {
    for (int j = 0; j < 2; ++j) EXPECT_EQ(got[t][j].ToVector(), want[t][j].ToVector()) << t << j;
    EXPECT_EQ(b2[t].grad().ToVector(), b1[t].grad().ToVector()) << "task " << t;
  }
  EXPECT_EQ(got[2][1].ToVector(), std::vector<float>({0.f, 0.f}));
  EXPECT_FALSE(w.grad().defined());
  EXPECT_FALSE(v.grad().defined());
}

TEST(Weights, UnitaryScalarization) {
  const std::vector<double> gram = GramMatrix(RandomGrads(4, {9}, 3));
  const MooWeights w = ComputeWeights(MooMethod::kUnitaryScalarization, gram, {});
  EXPECT_EQ(w.alpha, std::vector<double>(4, 0.25));
  EXPECT_EQ(w.iterations, 0);
  EXPECT_STREQ(MooMethodName(MooMethod::kMgd), "mgd");
}

// max_{i != j} |g_i - g_j|^2 from the Gram matrix: half of Frank-Wolfe's curvature
// constant C_f = sup_{x,s} 2 (s-x)^T M (s-x) over the simplex (attained at vertices).
double MaxSquaredDistance(const std::vector<double>& M, int T) {
  double d = 0;
  for (int i = 0; i < T; ++i)
    for (int j = 0; j < T; ++j) d = std::max(d, M[i * T + i] + M[j * T + j] - 2 * M[i * T + j]);
  return d;
}

// MGD's alpha against the brute-force minimum of alpha^T M alpha over the simplex, on Gram
// matrices of random gradients in R^d (d < T gives singular M and a zero-norm optimum).
TEST(Mgd, MatchesBruteForceOnRandomGramMatrices) {
  const int grid[6] = {0, 0, 2000, 200, 40, 16};  // grid points per axis (T = 2..5)
  for (MgdSolver solver : {MgdSolver::kFrankWolfe, MgdSolver::kExact})
    for (int T = 2; T <= 5; ++T)
      for (int d : {1, 2, T - 1, T, 2 * T, 10})
        for (uint64_t seed = 1; seed <= 6; ++seed) {
          const bool exact = solver == MgdSolver::kExact;
          const std::string where = std::string(exact ? "exact" : "frank-wolfe") +
                                    " T=" + std::to_string(T) + " d=" + std::to_string(d) +
                                    " seed " + std::to_string(seed);
          const std::vector<double> M = GramMatrix(RandomGrads(T, {d}, seed));
          MgdOptions options;
          options.solver = solver;
          const MooWeights w = ComputeWeights(MooMethod::kMgd, M, options);
          ExpectOnSimplex(w.alpha, where);
          EXPECT_LE(w.iterations, 250) << where;
          const std::vector<double> ref = BruteForceMinNorm(M, T, grid[T]);
          const double f = Objective(M, w.alpha), f_ref = Objective(M, ref);
          double scale = 0;  // max |M_ij|: the objective's magnitude on the simplex
          for (double m : M) scale = std::max(scale, std::fabs(m));
          // Vanilla Frank-Wolfe with line search: f(alpha_k) - f* <= 2 C_f / (k + 2)
          // (Jaggi, ICML 2013, Thm. 1), C_f = 2 max |g_i - g_j|^2. Exact: rounding only.
          const double k = w.iterations;
          const double tol =
              exact || T == 2 ? 1e-12 * scale : 4 * MaxSquaredDistance(M, T) / (k + 2);
          EXPECT_LE(f, f_ref + tol)
              << where << " f " << f << " brute force " << f_ref << " iterations " << w.iterations;
          if (!exact && T > 2) continue;
          // Optimality certificate (KKT of Eq. 10): (M alpha)_t >= alpha^T M alpha for all t.
          for (int t = 0; t < T; ++t) {
            double m_a = 0;
            for (int j = 0; j < T; ++j) m_a += M[t * T + j] * w.alpha[j];
            EXPECT_GE(m_a, f - 1e-12 * scale) << where << " task " << t;
          }
        }
}

TEST(Mgd, TwoTaskClosedFormEqualsFrankWolfe) {
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    const int64_t d = 1 + seed % 5;
    const TaskGrads g = RandomGrads(2, {d}, seed);
    const std::vector<double> M = GramMatrix(g);
    const MooWeights closed = ComputeWeights(MooMethod::kMgd, M, {});
    const MooWeights fw = MinNormSolve(M, 2);
    EXPECT_EQ(closed.iterations, 0);
    EXPECT_LE(fw.iterations, 3) << "seed " << seed;  // exact in one line search
    EXPECT_NEAR(closed.alpha[0], fw.alpha[0], 1e-12) << "seed " << seed;
    EXPECT_NEAR(closed.alpha[1], fw.alpha[1], 1e-12) << "seed " << seed;
    // The closed form on the vectors: gamma = clamp((g2-g1).g2 / |g1-g2|^2, 0, 1).
    double num = 0, den = 0;
    for (int64_t k = 0; k < d; ++k) {
      const double g1 = g[0][0].data()[k], g2 = g[1][0].data()[k];
      num += (g2 - g1) * g2, den += (g1 - g2) * (g1 - g2);
    }
    EXPECT_NEAR(closed.alpha[0], std::clamp(num / den, 0.0, 1.0), 1e-9) << "seed " << seed;
  }
}

TEST(Mgd, IdenticalGradientsGiveUniformWeights) {
  for (int T = 2; T <= 5; ++T) {
    TaskGrads g(T);
    const Tensor x = Normals(6, 5, 1);
    for (int t = 0; t < T; ++t) g[t] = {x};
    const MooWeights w = ComputeWeights(MooMethod::kMgd, GramMatrix(g), {});
    for (double a : w.alpha) EXPECT_DOUBLE_EQ(a, 1.0 / T) << "T=" << T;
    EXPECT_LE(w.iterations, 1);
    // kExact: every alpha is optimal; it returns one on the simplex with norm |x|^2.
    const std::vector<double> M = GramMatrix(g);
    const MooWeights e = MinNormSolve(M, T, {MgdSolver::kExact});
    ExpectOnSimplex(e.alpha, "exact T=" + std::to_string(T));
    EXPECT_NEAR(Objective(M, e.alpha), M[0], 1e-12 * M[0]);
  }
  EXPECT_EQ(MinNormTwo(0, 0, 0), 0.5) << "two zero gradients";
}

TEST(Mgd, OrthogonalGradientsWeighInverseSquaredNorms) {
  // g_t = n_t e_t: the min-norm point has alpha_t proportional to 1 / n_t^2.
  const std::vector<float> n = {1, 2, 0.5f, 3};
  for (int T = 2; T <= 4; ++T) {
    std::vector<std::vector<float>> v(T, std::vector<float>(T, 0.f));
    double z = 0;
    for (int t = 0; t < T; ++t) v[t][t] = n[t], z += 1.0 / (n[t] * n[t]);
    const std::vector<double> M = GramMatrix(FromVectors(v));
    const MooWeights w = ComputeWeights(MooMethod::kMgd, M, {});
    const MooWeights e = ComputeWeights(MooMethod::kMgd, M, {MgdSolver::kExact});
    for (int t = 0; t < T; ++t) {
      // The optimum is interior: Frank-Wolfe gets close, kExact to rounding.
      EXPECT_NEAR(w.alpha[t], 1.0 / (n[t] * n[t]) / z, T == 2 ? 1e-15 : 1e-3) << "T=" << T;
      EXPECT_NEAR(e.alpha[t], 1.0 / (n[t] * n[t]) / z, 1e-15) << "T=" << T;
    }
  }
}

TEST(Mgd, ZeroGradientTakesAllTheWeight) {
  const MooWeights two =
      ComputeWeights(MooMethod::kMgd, GramMatrix(FromVectors({{0, 0}, {1, 2}})), {});
  EXPECT_EQ(two.alpha, (std::vector<double>{1, 0}));
  const MooWeights two_b =
      ComputeWeights(MooMethod::kMgd, GramMatrix(FromVectors({{1, 2}, {0, 0}})), {});
  EXPECT_EQ(two_b.alpha, (std::vector<double>{0, 1}));
  const std::vector<double> M =
      GramMatrix(FromVectors({{1, 2, 0}, {-1, 1, 1}, {0, 0, 0}, {2, -1, 1}}));
  const MooWeights four = ComputeWeights(MooMethod::kMgd, M, {});
  EXPECT_NEAR(four.alpha[2], 1.0, 1e-4);
  EXPECT_LE(Objective(M, four.alpha), 1e-6);
  EXPECT_EQ(MinNormSolve(M, 4, {MgdSolver::kExact}).alpha, (std::vector<double>{0, 0, 1, 0}));
}

TEST(Mgd, OppositeCollinearGradientsCancel) {
  // g2 = -c g1: gamma = c / (1 + c) and gamma g1 + (1 - gamma) g2 = 0.
  for (float c : {0.25f, 1.f, 3.f}) {
    const TaskGrads g = FromVectors({{1, -2, 0.5f}, {-c, 2 * c, -0.5f * c}});
    const MooWeights w = ComputeWeights(MooMethod::kMgd, GramMatrix(g), {});
    EXPECT_NEAR(w.alpha[0], static_cast<double>(c) / (1 + c), 1e-12) << "c " << c;
    std::vector<Tensor> out = {Tensor::Zeros({3})};
    CombineInto(g, w.alpha, out, GradWrite::kAssign);
    for (float x : out[0].ToVector()) EXPECT_NEAR(x, 0.f, 1e-6) << "c " << c;
    // A third task does not change a zero-norm optimum's value.
    const std::vector<double> M =
        GramMatrix(FromVectors({{1, -2, 0.5f}, {-c, 2 * c, -0.5f * c}, {1, 1, 1}}));
    EXPECT_LE(Objective(M, MinNormSolve(M, 3, {MgdSolver::kExact}).alpha), 1e-12) << "c " << c;
    const MooWeights fw = MinNormSolve(M, 3);  // Jaggi's bound, as above
    EXPECT_LE(Objective(M, fw.alpha), 4 * MaxSquaredDistance(M, 3) / (fw.iterations + 2))
        << "c " << c;
  }
}

TEST(Mgd, StopsAfterMaxIterations) {
  const std::vector<double> M = GramMatrix(RandomGrads(4, {3}, 9));
  MgdOptions o;
  o.max_iterations = 2;
  EXPECT_EQ(MinNormSolve(M, 4, o).iterations, 2);
  o.max_iterations = 0;
  EXPECT_EQ(MinNormSolve(M, 4, o).alpha, UniformWeights(4));
}

}  // namespace
}  // namespace moo
}  // namespace strata
