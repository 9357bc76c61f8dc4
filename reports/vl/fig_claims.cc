// The vertical-layering paper's figure claims (claims.h: vl_fig5, vl_fig7, vl_fig8).
#include <cmath>
#include <cstdio>

#include "reports/vl/claims.h"

namespace strata {
namespace reports {
namespace vl {

// ---- vl_fig5 ----

const ClaimSpec kPlainDownsamplingPiles = {
    "vl_fig5.plain_downsampling_piles_at_zero_negative",
    "plain downsampling piles weights at zero/negative (2 bits: share <= 0 at least 10 points "
    "above LSQ's; negative mean error at 2 and 3 bits)"};

Verdict PlainDownsamplingPiles(const Fig5Facts& f) {
  // Decision: "piles at zero/negative" = at 2 bits the share of ŵ <= 0 is >= 10 points above
  // per-bit LSQ's, and the mean error is negative at 2 and 3 bits.
  const Histogram &p2 = f.plain[0], &l2 = f.lsq[0];
  return {p2.le_zero >= l2.le_zero + 10 && p2.bias < 0 && f.plain[1].bias < 0,
          StrFormat("2 bits: share <= 0 %.1f %% (plain) vs %.1f %% (LSQ), > 0 %.1f %% vs "
                    "%.1f %%; bias %.2f / %.2f std at 2 / 3 bits (LSQ %.2f / %.2f, once-QAT "
                    "%.2f / %.2f)",
                    p2.le_zero, l2.le_zero, p2.pos, l2.pos, p2.bias, f.plain[1].bias, l2.bias,
                    f.lsq[1].bias, f.once[0].bias, f.once[1].bias)};
}

const ClaimSpec kOnceQatResemblesLsq = {
    "vl_fig5.once_qat_resembles_lsq",
    "once-QAT's histograms resemble per-bit LSQ's (closer than plain downsampling's at 2 and "
    "3 bits: Wasserstein-1 distance of the standardized weight histograms)"};

Verdict OnceQatResemblesLsq(const Fig5Facts& f) {
  return {f.once_w1[0] < f.plain_w1[0] && f.once_w1[1] < f.plain_w1[1],
          StrFormat("W1 to per-bit LSQ's histogram (std units): once-QAT %.3f / %.3f vs plain "
                    "downsampling %.3f / %.3f at 2 / 3 bits",
                    f.once_w1[0], f.once_w1[1], f.plain_w1[0], f.plain_w1[1])};
}

// ---- vl_fig7 ----
// Decisions: "unstable" = alpha's within-epoch standard deviation, averaged over epochs, is
// >= 0.1 for some width (alpha lives on the simplex; US is 1/3 each, std 0); "weighted to
// 2 bits" = alpha_2 averaged over training is the largest and above 1/3; "late layers" = the
// last two probed (the paper's text names them).

const ClaimSpec kMgdAlphaUnstable = {
    "vl_fig7.mgd_alpha_unstable",
    "MGD's alpha is unstable: its within-epoch standard deviation is >= 0.1 for some width"};

Verdict MgdAlphaUnstable(const PerWidth& s) {
  const double max_std = std::fmax(s[0], std::fmax(s[1], s[2]));
  return {max_std >= 0.1,
          StrFormat("within-epoch std of alpha (mean over epochs) 2/3/4 bits: %.3f / %.3f / %.3f",
                    s[0], s[1], s[2])};
}

const ClaimSpec kMgdAlphaWeightedTo2Bit = {
    "vl_fig7.mgd_alpha_weighted_to_2bit",
    "MGD weights the 2-bit loss most (mean alpha_2 largest, above 1/3)"};

Verdict MgdAlphaWeightedTo2Bit(const PerWidth& a) {
  return {a[0] > 1.0 / 3 && a[0] >= a[1] && a[0] >= a[2],
          StrFormat("mean alpha over training 2/3/4 bits: %.3f / %.3f / %.3f", a[0], a[1], a[2])};
}

const ClaimSpec kSelfKdLowersLateError = {
    "vl_fig7.self_kd_lowers_late_error",
    "self-KD lowers the 2-bit activation quantization error of the late layers (last two)"};

Verdict SelfKdLowersLateError(const LateError& e) {
  return {e.mse_with < e.mse_without,
          StrFormat("mean MSE of the last two probed layers: w. %.4g vs w/o %.4g; re-evaluated "
                    "2-bit top-1 %.2f / %.2f (runs: %.2f / %.2f)",
                    e.mse_with, e.mse_without, e.top1_with, e.top1_without, e.run_top1_with,
                    e.run_top1_without)};
}

// ---- vl_fig8 ----

double Spearman(const std::vector<double>& x, const std::vector<double>& y) {
  auto ranks = [](const std::vector<double>& v) {
    std::vector<double> r(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      double less = 0, equal = 0;
      for (double u : v) less += u < v[i], equal += u == v[i];
      r[i] = less + (equal + 1) / 2;
    }
    return r;
  };
  const std::vector<double> rx = ranks(x), ry = ranks(y);
  const double n = static_cast<double>(x.size());
  double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) mx += rx[i] / n, my += ry[i] / n;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (rx[i] - mx) * (ry[i] - my), sxx += (rx[i] - mx) * (rx[i] - mx);
    syy += (ry[i] - my) * (ry[i] - my);
  }
  return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0.0;
}

const ClaimSpec kAccuracyRisesWithBudget = {
    "vl_fig8.accuracy_rises_with_budget",
    "accuracy rises with the bit budget (Spearman rho >= 0.5, largest budget above smallest)"};

Verdict AccuracyRisesWithBudget(const std::vector<MixedPoint>& mixed) {
  // Decision: "rises in general" = rank correlation >= 0.5 and the top budget beats the lowest.
  std::vector<double> budgets, accs;
  for (const MixedPoint& p : mixed) budgets.push_back(p.avg_bits), accs.push_back(p.top1);
  const double rho = Spearman(budgets, accs);
  return {rho >= 0.5 && accs.back() > accs.front(),
          StrFormat("Spearman rho(budget, top-1) = %.2f over %zu budgets; top-1 %.2f at %.2f avg "
                    "bits, %.2f at %.2f",
                    rho, accs.size(), accs.front(), budgets.front(), accs.back(), budgets.back())};
}

const ClaimSpec kMixedBeatsUniform3 = {"vl_fig8.mixed_beats_uniform3_with_fewer_bits",
                                       "some mixed network beats uniform 3-bit with fewer bits"};

Verdict MixedBeatsUniform3(const std::vector<MixedPoint>& mixed, double uniform3, double size3) {
  int best = -1;
  for (size_t i = 0; i < mixed.size(); ++i) {
    if (mixed[i].kbit < size3 && mixed[i].top1 > uniform3 &&
        (best < 0 || mixed[i].top1 > mixed[best].top1)) {
      best = static_cast<int>(i);
    }
  }
  if (best < 0) {
    return {false, StrFormat("no mixed network below %.1f kbit beats uniform 3-bit's %.2f %%",
                             size3, uniform3)};
  }
  const MixedPoint& m = mixed[best];
  return {true, StrFormat("mixed at %.2f avg bits: %.2f %% with %.1f kbit vs uniform 3-bit "
                          "%.2f %% (the better of trained and re-estimated BN) with %.1f kbit",
                          m.avg_bits, m.top1, m.kbit, uniform3, size3)};
}

const ClaimSpec kMixedPathSelfCheck = {
    "vl_fig8.mixed_path_self_check",
    "the mixed-network path at a uniform width (that width's BN, no re-estimation) reproduces "
    "the run's own test top-1 exactly",
    true};

Verdict MixedPathSelfCheck(const std::vector<SelfCheck>& widths) {
  bool same = true;
  std::string ev;
  for (const SelfCheck& w : widths) {
    same &= w.path == w.own;
    ev += StrFormat("%s%d bits: %.4f vs the run's %.4f", ev.empty() ? "" : "; ", w.bits, w.path,
                    w.own);
  }
  return {same, ev};
}

}  // namespace vl
}  // namespace reports
}  // namespace strata
