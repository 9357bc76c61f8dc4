// vl_fig8 (vertical layering, seed 001 Sec. 6.4, Fig. 8): mixed precision from one once-QAT
// model. For each bit budget B, Eq. 12 picks every quantized layer's width b_m from the
// model's widths (quant::SolveMixedPrecision on the downsampling errors ‖ŵ_b − ŵ_N‖²); the
// mixed network runs layer m at W/A b_m/b_m with the model's own width-b_m weights (ŵ_b,
// Eqs. 3, 5, 6) and activation step; its BN statistics are re-estimated on training data.
//
// BN (Decision; the paper only says the statistics are re-estimated): every BN site takes
// the BN variant (affine and, before re-estimation, statistics) of the width of the layer
// whose output it normalizes — the quantized layer registered just before it (PyTorch
// construction order: conv, then its BN); the stem's BN, after the FP first conv, takes the
// first quantized layer's width. The mixed BNs are written into variant 0 and the network
// runs with ctx.variant = 0. Re-estimation: `bn_images` training images (default 2,000; the
// eval pipeline, no augmentation; a fixed shuffle by the run's seed), forward in training
// mode, every batch's statistics averaged with equal weights (PyTorch's momentum = None).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>

#include "datasets/datasets.h"
#include "quant/quant.h"
#include "reports/plot.h"
#include "reports/strata_tables.h"
#include "reports/vl_fig_tables.h"
#include "reports/vl_once_tables.h"
#include "reports/vlmodel_export.h"

namespace strata {
namespace reports {
namespace {

constexpr char kResNet18[] = "resnet18_cifar";
constexpr double kR18Width = 0.25;  // vl_table2's once-QAT run
// Budgets as average bits per quantized weight (smoke: a subset).
const std::vector<double> kAverageBits = {2.0, 2.25, 2.5, 2.75, 2.9, 3.0, 3.25, 3.5, 3.75, 4.0};
const std::vector<double> kSmokeAverageBits = {2.0, 2.5, 2.9, 3.5, 4.0};

struct BnCopy {
  Tensor weight, bias, mean, var;
};

// One once-QAT model, ready to run any allocation.
struct MixedModel {
  OnceQatRun run;
  std::vector<int> layers;                  // quantized layer indices (forward order)
  std::vector<int64_t> sizes;               // N_m
  std::vector<std::vector<Tensor>> w_hat;   // [q][b - b0]: ŵ_b
  std::vector<std::vector<int32_t>> codes;  // [q]: q_N
  std::vector<int> site_layer;              // BN site -> quantized position it follows
  std::vector<std::vector<BnCopy>> bn;      // [site][variant], as trained
  int64_t fp_weights = 0;                   // first/last layers' weights
};

StatusOr<MixedModel> LoadMixed(const std::string& dir) {
  MixedModel m;
  STRATA_ASSIGN_OR_RETURN(m.run, LoadOnceQatRun(dir));
  const moo::OnceQatOptions& o = m.run.recipe->options();
  const models::Network& net = *m.run.net;
  m.layers = m.run.recipe->quantized_layers();
  std::map<std::string, int> position;
  for (size_t q = 0; q < m.layers.size(); ++q) {
    const models::Layer& l = *net.layers()[m.layers[q]];
    const float s_w = m.run.recipe->source_step(static_cast<int>(q)).data()[0];
    m.sizes.push_back(l.weight().numel());
    m.codes.push_back(quant::VerticalCodes(l.weight(), s_w, o.source_bits, o.source_bits));
    std::vector<Tensor> w;
    for (int b = o.basic_bits; b <= o.source_bits; ++b) {
      w.push_back(quant::VerticalDequantize(quant::VerticalCodes(l.weight(), s_w, o.source_bits, b),
                                            l.weight().shape(), s_w, o.source_bits, b,
                                            o.compensation));
    }
    m.w_hat.push_back(std::move(w));
    position[l.info().name + ".weight"] = static_cast<int>(q);
  }
  for (const models::Layer* l : net.layers()) {
    if (l->info().is_first || l->info().is_last) m.fp_weights += l->weight().numel();
  }
  std::map<std::string, int> site_of;  // "<site>.weight" of variant 0 -> site
  for (size_t s = 0; s < net.norms().size(); ++s)
    site_of[net.norms()[s]->bn(0).name + ".weight"] = s;
  m.site_layer.assign(net.norms().size(), 0);
  int last = -1;
  for (const NamedTensor& p : net.params().entries()) {
    if (position.count(p.name)) last = position[p.name];
    auto it = site_of.find(p.name);
    if (it != site_of.end()) m.site_layer[it->second] = std::max(last, 0);
  }
  for (const models::Norm* n : net.norms()) {
    std::vector<BnCopy> v;
    for (int k = 0; k < n->variants(); ++k) {
      const nn::BatchNorm2d& bn = n->bn(k);
      v.push_back(
          {bn.weight.Clone(), bn.bias.Clone(), bn.running_mean.Clone(), bn.running_var.Clone()});
    }
    m.bn.push_back(std::move(v));
  }
  return m;
}

// Layer m at W/A b_m/b_m: the model's ŵ_{b_m} and width b_m's activation step (Eq. 1).
class MixedHooks : public models::QuantHooks {
 public:
  MixedHooks(const MixedModel& m, std::vector<int> bits) : m_(m), bits_(std::move(bits)) {
    for (size_t q = 0; q < m.layers.size(); ++q) position_[m.layers[q]] = static_cast<int>(q);
  }
  Tensor Weight(const models::Layer& layer, const Tensor& w,
                const models::ForwardContext&) override {
    auto it = position_.find(layer.info().index);
    if (it == position_.end()) return w;
    return m_.w_hat[it->second][bits_[it->second] - m_.run.recipe->options().basic_bits];
  }
  Tensor Input(const models::Layer& layer, const Tensor& x,
               const models::ForwardContext&) override {
    auto it = position_.find(layer.info().index);
    if (it == position_.end()) return x;
    const moo::OnceQatRecipe& r = *m_.run.recipe;
    return r.activation_steps().Apply(layer, x, bits_[it->second] - r.options().basic_bits);
  }

 private:
  const MixedModel& m_;
  std::vector<int> bits_;
  std::map<int, int> position_;
};

// Writes into variant 0 of every BN site the trained variant of its layer's width.
void SetBn(const MixedModel& m, const std::vector<int>& bits) {
  for (size_t s = 0; s < m.bn.size(); ++s) {
    const int v = m.run.recipe->WidthContext(bits[m.site_layer[s]]).variant;
    const nn::BatchNorm2d& bn = m.run.net->norms()[s]->bn(0);
    const BnCopy& c = m.bn[s][v];
    bn.weight.CopyFrom(c.weight), bn.bias.CopyFrom(c.bias);
    bn.running_mean.CopyFrom(c.mean), bn.running_var.CopyFrom(c.var);
  }
}

struct Images {
  std::unique_ptr<datasets::Dataset> ds;
  std::unique_ptr<datasets::Loader> loader;
};

// `data` through the trainer's evaluation pipeline (its normalization, no augmentation);
// shuffled by the run's seed when `shuffle` (the BN re-estimation subset).
StatusOr<Images> OpenImages(const ExperimentConfig& c, const datasets::DatasetConfig& data,
                            const std::string& field, bool shuffle) {
  Images t;
  StatusOr<std::unique_ptr<datasets::Dataset>> ds = datasets::Open(data);
  if (!ds.ok()) return ds.status().Annotate(field + ": ");
  t.ds = std::move(ds).value();
  datasets::Normalization norm{{0.5f}, {0.25f}};
  switch (c.train_data().kind()) {
    case datasets::DatasetConfig::FASHION_MNIST:
      norm = datasets::kFashionMnistNorm;
      break;
    case datasets::DatasetConfig::MNIST:
      norm = {{0.1307f}, {0.3081f}};
      break;
    case datasets::DatasetConfig::CIFAR10:
      norm = datasets::kCifar10Norm;
      break;
    case datasets::DatasetConfig::CIFAR100:
      norm = datasets::kCifar100Norm;
      break;
    case datasets::DatasetConfig::IMAGE_FOLDER:
      norm = datasets::kImageNetNorm;
      break;
    default:
      break;
  }
  const datasets::Pipeline p =
      c.augmentation() == ExperimentConfig::IMAGENET_STYLE
          ? datasets::ImageNetStyle(false, norm)
          : datasets::CifarStyle(false, t.ds->height() == 28 && t.ds->width() == 28, norm);
  datasets::LoaderOptions o;
  o.batch_size = c.eval_batch_size() > 0 ? c.eval_batch_size() : 256;
  o.shuffle = shuffle;
  o.seed = c.seed();
  STRATA_ASSIGN_OR_RETURN(t.loader, datasets::Loader::Create(t.ds.get(), p, o));
  return t;
}

Tensor BatchTensor(const datasets::Batch& b) {
  Tensor x = Tensor::Empty({b.n, b.c, b.h, b.w});
  std::memcpy(x.data(), b.images.data(), b.images.size() * sizeof(float));
  return x;
}

// Test top-1 (%) as EvaluateTestSet (vlmodel_export.h) computes it, with a loader kept open.
StatusOr<double> TestTop1(const models::Network& net, const models::ForwardContext& ctx,
                          Images* test) {
  NoGradGuard no_grad;
  test->loader->StartEpoch(0);
  datasets::Batch b;
  int64_t top1 = 0, n = 0;
  for (;;) {
    STRATA_ASSIGN_OR_RETURN(bool more, test->loader->Next(&b));
    if (!more) break;
    const Tensor logits = net.Forward(BatchTensor(b), ctx);
    const int k = static_cast<int>(logits.dim(1));
    for (int i = 0; i < b.n; ++i) {
      top1 += moo::LabelRank(logits.data() + static_cast<int64_t>(i) * k, k, b.labels[i]) < 1;
    }
    n += b.n;
  }
  return 100.0 * top1 / std::max<int64_t>(1, n);
}

// Variant 0's running statistics := the mean of the batches' statistics over `images`
// training images (forward in training mode; each batch's statistics read back from the
// running update r = m·stat after zeroing r).
Status ReestimateBn(const MixedModel& m, Images* data, const models::ForwardContext& ctx,
                    int images) {
  NoGradGuard no_grad;
  const std::vector<const models::Norm*>& norms = m.run.net->norms();
  std::vector<std::vector<double>> mean(norms.size()), var(norms.size());
  for (size_t s = 0; s < norms.size(); ++s) {
    mean[s].assign(norms[s]->bn(0).running_mean.numel(), 0.0);
    var[s].assign(mean[s].size(), 0.0);
  }
  models::ForwardContext train = ctx;
  train.training = true;
  data->loader->StartEpoch(0);
  datasets::Batch b;
  int seen = 0, batches = 0;
  while (seen < images) {
    STRATA_ASSIGN_OR_RETURN(bool more, data->loader->Next(&b));
    if (!more) break;
    for (const models::Norm* n : norms) {
      std::fill_n(n->bn(0).running_mean.data(), n->bn(0).running_mean.numel(), 0.f);
      std::fill_n(n->bn(0).running_var.data(), n->bn(0).running_var.numel(), 0.f);
    }
    m.run.net->Forward(BatchTensor(b), train);
    for (size_t s = 0; s < norms.size(); ++s) {
      const nn::BatchNorm2d& bn = norms[s]->bn(0);
      for (size_t c = 0; c < mean[s].size(); ++c) {
        mean[s][c] += bn.running_mean.data()[c] / static_cast<double>(bn.momentum);
        var[s][c] += bn.running_var.data()[c] / static_cast<double>(bn.momentum);
      }
    }
    seen += b.n, ++batches;
  }
  if (batches == 0) return FailedPreconditionError("BN re-estimation: no training images");
  for (size_t s = 0; s < norms.size(); ++s) {
    const nn::BatchNorm2d& bn = norms[s]->bn(0);
    for (size_t c = 0; c < mean[s].size(); ++c) {
      bn.running_mean.data()[c] = static_cast<float>(mean[s][c] / batches);
      bn.running_var.data()[c] = static_cast<float>(var[s][c] / batches);
    }
  }
  return Status::Ok();
}

// Test top-1 of the allocation `bits`, with BN re-estimated when `images` > 0.
struct Data {
  Images train, test;
};

StatusOr<double> Evaluate(const MixedModel& m, Data* data, const std::vector<int>& bits,
                          int images) {
  MixedHooks hooks(m, bits);
  models::ForwardContext ctx;
  ctx.hooks = &hooks;
  ctx.variant = 0;
  ctx.training = false;
  SetBn(m, bits);
  if (images > 0) STRATA_RETURN_IF_ERROR(ReestimateBn(m, &data->train, ctx, images));
  return TestTop1(*m.run.net, ctx, &data->test);
}

// Spearman's rank correlation (average ranks for ties).
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

std::string Join(const std::vector<int>& v) {
  std::string s;
  for (int b : v) s += (s.empty() ? "" : " ") + std::to_string(b);
  return s;
}

}  // namespace

std::vector<PlannedRun> VlFig8Plan(const TableContext&) {
  return {{"onceqat", OnceQatConfig(kResNet18, kR18Width, "us", {})}};  // vl_table2's run
}

StatusOr<TableReport> VlFig8(const TableContext& ctx) {
  const TableDef& def = *FindTable("vl_fig8");
  STRATA_ASSIGN_OR_RETURN(std::vector<SeededRuns> runs, RunPlanned(def, ctx));
  int images = 2000;
  if (ctx.flags.count("bn_images")) {
    const std::string& v = ctx.flags.at("bn_images");
    char* end = nullptr;
    const long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n < 1 || n > 1000000) {
      return InvalidArgumentError("--bn_images: '" + v + "' must be an integer in [1, 1000000]");
    }
    images = static_cast<int>(n);
  }
  const RunRecord& record = runs[0].seeds.at(0);
  STRATA_ASSIGN_OR_RETURN(MixedModel m, LoadMixed(record.dir));
  Data data;
  STRATA_ASSIGN_OR_RETURN(data.train,
                          OpenImages(m.run.config, m.run.config.train_data(), "train_data", true));
  STRATA_ASSIGN_OR_RETURN(data.test,
                          OpenImages(m.run.config, m.run.config.test_data(), "test_data", false));
  const moo::OnceQatOptions& o = m.run.recipe->options();
  std::vector<int> widths;
  for (int b = o.basic_bits; b <= o.source_bits; ++b) widths.push_back(b);
  std::vector<quant::MixedLayer> layers;
  int64_t total = 0;
  for (size_t q = 0; q < m.layers.size(); ++q) {
    quant::MixedLayer l{m.run.net->layers()[m.layers[q]]->info().name, m.sizes[q], {}};
    const float s_w = m.run.recipe->source_step(static_cast<int>(q)).data()[0];
    for (int b : widths) {
      l.error.push_back(
          quant::DownsamplingError(m.codes[q], s_w, o.source_bits, b, o.compensation));
    }
    total += m.sizes[q];
    layers.push_back(std::move(l));
  }
  auto size_of = [&](int64_t quantized_bits) {  // kbit, FP first/last at 32 bits
    return (quantized_bits + 32 * m.fp_weights) / 1e3;
  };
  TableReport r = NewReport("vl_fig8", ctx.preset, "vertical layering",
                            "mixed precision from one vertical-layered model (Eq. 12)");
  std::string bn_map;
  for (size_t s = 0; s < m.bn.size(); ++s) {
    bn_map += std::string(s ? ", " : "") + m.run.net->norms()[s]->bn(0).name + " <- " +
              m.run.net->layers()[m.layers[m.site_layer[s]]]->info().name;
  }
  r.set_note(
      "strata: the once-QAT ResNet-18 of vl_table2 (CIFAR stem, 1/4 of the preset's width, "
      "US, compensation). Per budget B (average bits x the quantized weights), Eq. 12 solved "
      "exactly; layer m runs at W/A b_m/b_m with the model's width-b_m weights and activation "
      "step. BN: each site takes the trained variant of its layer's width, then its "
      "statistics are re-estimated on " +
      std::to_string(images) +
      " training images "
      "(eval pipeline, fixed shuffle, per-batch statistics averaged). Weight size = Σ N_m b_m "
      "+ 32 x the FP first/last weights. Site <- layer: " +
      bn_map + ". paper: ImageNet ResNet-18 (seed 001 Fig. 8).");
  for (const char* c : {"network", "avg bits", "weight size (kbit)", "top-1", "Eq. 12 error",
                        "layers at 2/3/4", "bits per layer"}) {
    r.add_columns(c);
  }
  Series mixed{"mixed (Eq. 12, BN re-estimated)", {}, {}, "linespoints"};
  Series uniform{"uniform (trained BN of the width)", {}, {}, "points"};
  Series uniform_re{"uniform (BN re-estimated)", {}, {}, "points"};
  std::vector<double> budgets, accs, sizes;
  for (double avg : ctx.preset == "smoke" ? kSmokeAverageBits : kAverageBits) {
    const int64_t budget = static_cast<int64_t>(std::floor(avg * static_cast<double>(total)));
    STRATA_ASSIGN_OR_RETURN(quant::MixedAllocation a,
                            quant::SolveMixedPrecision(layers, widths, budget));
    STRATA_ASSIGN_OR_RETURN(double top1, Evaluate(m, &data, a.bits, images));
    int count[3] = {0, 0, 0};
    for (int b : a.bits) count[std::clamp(b - 2, 0, 2)]++;
    std::vector<std::pair<std::string, Cell>> cells = {
        {"network", Text("mixed, B = " + std::to_string(budget))},
        {"avg bits", Number(avg)},
        {"weight size (kbit)", Number(size_of(a.total_bits))},
        {"top-1", Number(top1)},
        {"Eq. 12 error", Number(a.error)},
        {"layers at 2/3/4", Text(std::to_string(count[0]) + "/" + std::to_string(count[1]) + "/" +
                                 std::to_string(count[2]))},
        {"bits per layer", Text(Join(a.bits))}};
    AddRunCells(runs[0], &cells);  // every network comes from this run
    AddRow(&r, cells);
    budgets.push_back(avg), accs.push_back(top1), sizes.push_back(size_of(a.total_bits));
    mixed.x.push_back(size_of(a.total_bits)), mixed.y.push_back(top1);
  }
  // Uniform widths: the run's own evaluation, the same network through the mixed path
  // without re-estimation (a self-check: must reproduce it bit for bit), and re-estimated.
  bool self_check = true;
  std::string self_ev;
  double uniform3 = -INFINITY, size3 = 0;
  for (int b : widths) {
    const std::vector<int> all(m.layers.size(), b);
    const double own = EvalStats(runs[0], "w" + std::to_string(b) + "a" + std::to_string(b)).mean;
    STRATA_ASSIGN_OR_RETURN(double path, Evaluate(m, &data, all, 0));
    STRATA_ASSIGN_OR_RETURN(double re, Evaluate(m, &data, all, images));
    const double size = size_of(total * b);
    self_check &= path == own;
    char ev[160];
    std::snprintf(ev, sizeof(ev), "%s%d bits: %.4f vs the run's %.4f", self_ev.empty() ? "" : "; ",
                  b, path, own);
    self_ev += ev;
    AddRow(&r, {{"network",
                 Text("uniform " + std::to_string(b) + "/" + std::to_string(b) + " (trained BN)")},
                {"avg bits", Number(b)},
                {"weight size (kbit)", Number(size)},
                {"top-1", Number(own)}});
    AddRow(&r, {{"network", Text("uniform " + std::to_string(b) + "/" + std::to_string(b) +
                                 " (BN re-estimated)")},
                {"avg bits", Number(b)},
                {"weight size (kbit)", Number(size)},
                {"top-1", Number(re)}});
    uniform.x.push_back(size), uniform.y.push_back(own);
    uniform_re.x.push_back(size), uniform_re.y.push_back(re);
    if (b == 3) uniform3 = std::max(own, re), size3 = size;
  }
  Figure fig{"mixed precision from one once-QAT model (Eq. 12)", "weight size (kbit)", "top-1 (%)"};
  fig.series = {mixed, uniform, uniform_re};
  STRATA_RETURN_IF_ERROR(RenderFigure(fig, ctx.out_dir + "/vl_fig8"));
  r.add_figures("vl_fig8.png");
  r.add_figures("vl_fig8.svg");

  const bool decided = ctx.preset != "smoke";
  const double rho = Spearman(budgets, accs);
  char ev[512];
  std::snprintf(ev, sizeof(ev),
                "Spearman rho(budget, top-1) = %.2f over %zu budgets; top-1 %.2f at "
                "%.2f avg bits, %.2f at %.2f",
                rho, accs.size(), accs.front(), budgets.front(), accs.back(), budgets.back());
  // Decision: "rises in general" = rank correlation >= 0.5 and the top budget beats the lowest.
  AddClaim(
      &r, "vl_fig8.accuracy_rises_with_budget",
      "accuracy rises with the bit budget (Spearman rho >= 0.5, largest budget above smallest)",
      decided ? std::optional<bool>(rho >= 0.5 && accs.back() > accs.front()) : std::nullopt, ev);
  int best = -1;
  for (size_t i = 0; i < accs.size(); ++i) {
    if (sizes[i] < size3 && accs[i] > uniform3 && (best < 0 || accs[i] > accs[best]))
      best = static_cast<int>(i);
  }
  if (best >= 0) {
    std::snprintf(ev, sizeof(ev),
                  "mixed at %.2f avg bits: %.2f %% with %.1f kbit vs uniform 3-bit %.2f %% "
                  "(the better of trained and re-estimated BN) with %.1f kbit",
                  budgets[best], accs[best], sizes[best], uniform3, size3);
  } else {
    std::snprintf(ev, sizeof(ev), "no mixed network below %.1f kbit beats uniform 3-bit's %.2f %%",
                  size3, uniform3);
  }
  AddClaim(&r, "vl_fig8.mixed_beats_uniform3_with_fewer_bits",
           "some mixed network beats uniform 3-bit with fewer bits",
           decided ? std::optional<bool>(best >= 0) : std::nullopt, ev);
  AddClaim(&r, "vl_fig8.mixed_path_self_check",
           "the mixed-network path at a uniform width (that width's BN, no re-estimation) "
           "reproduces the run's own test top-1 exactly",
           self_check, self_ev);
  return r;
}

}  // namespace reports
}  // namespace strata
