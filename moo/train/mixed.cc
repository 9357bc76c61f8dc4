// Mixed precision from one once-QAT model (mixed.h).
#include "moo/train/mixed.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "moo/train/evaluate.h"

namespace strata {
namespace moo {
namespace {

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
    const OnceQatRecipe& r = *m_.run.recipe;
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

}  // namespace

StatusOr<MixedModel> LoadMixedModel(const std::string& dir) {
  MixedModel m;
  STRATA_ASSIGN_OR_RETURN(m.run, LoadOnceQatRun(dir));
  const OnceQatOptions& o = m.run.recipe->options();
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

std::vector<int> Widths(const MixedModel& m) {
  const OnceQatOptions& o = m.run.recipe->options();
  std::vector<int> widths;
  for (int b = o.basic_bits; b <= o.source_bits; ++b) widths.push_back(b);
  return widths;
}

std::vector<quant::MixedLayer> MixedLayers(const MixedModel& m) {
  const OnceQatOptions& o = m.run.recipe->options();
  std::vector<quant::MixedLayer> layers;
  for (size_t q = 0; q < m.layers.size(); ++q) {
    quant::MixedLayer l{m.run.net->layers()[m.layers[q]]->info().name, m.sizes[q], {}};
    const float s_w = m.run.recipe->source_step(static_cast<int>(q)).data()[0];
    for (int b : Widths(m)) {
      l.error.push_back(
          quant::DownsamplingError(m.codes[q], s_w, o.source_bits, b, o.compensation));
    }
    layers.push_back(std::move(l));
  }
  return layers;
}

std::string BnSiteMap(const MixedModel& m) {
  std::string map;
  for (size_t s = 0; s < m.bn.size(); ++s) {
    map += std::string(s ? ", " : "") + m.run.net->norms()[s]->bn(0).name + " <- " +
           m.run.net->layers()[m.layers[m.site_layer[s]]]->info().name;
  }
  return map;
}

StatusOr<MixedData> OpenMixedData(const MixedModel& m) {
  const ExperimentConfig& c = m.run.config;
  MixedData data;
  STRATA_ASSIGN_OR_RETURN(data.train, OpenEvalSet(c, c.train_data(), "train_data", true));
  STRATA_ASSIGN_OR_RETURN(data.test, OpenEvalSet(c, c.test_data(), "test_data"));
  return data;
}

Status ReestimateBn(const models::Network& net, const models::ForwardContext& ctx,
                    datasets::Loader* loader, int images) {
  NoGradGuard no_grad;
  const std::vector<const models::Norm*>& norms = net.norms();
  std::vector<std::vector<double>> mean(norms.size()), var(norms.size());
  for (size_t s = 0; s < norms.size(); ++s) {
    mean[s].assign(norms[s]->bn(0).running_mean.numel(), 0.0);
    var[s].assign(mean[s].size(), 0.0);
  }
  models::ForwardContext train = ctx;
  train.training = true;
  loader->StartEpoch(0);
  datasets::Batch b;
  int seen = 0, batches = 0;
  while (seen < images) {
    STRATA_ASSIGN_OR_RETURN(bool more, loader->Next(&b));
    if (!more) break;
    for (const models::Norm* n : norms) {
      std::fill_n(n->bn(0).running_mean.data(), n->bn(0).running_mean.numel(), 0.f);
      std::fill_n(n->bn(0).running_var.data(), n->bn(0).running_var.numel(), 0.f);
    }
    net.Forward(BatchTensor(b), train);
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

StatusOr<double> EvaluateMixed(const MixedModel& m, MixedData* data, const std::vector<int>& bits,
                               int bn_images) {
  MixedHooks hooks(m, bits);
  models::ForwardContext ctx;
  ctx.hooks = &hooks;
  ctx.variant = 0;
  ctx.training = false;
  SetBn(m, bits);
  if (bn_images > 0) {
    STRATA_RETURN_IF_ERROR(ReestimateBn(*m.run.net, ctx, data->train.loader.get(), bn_images));
  }
  STRATA_ASSIGN_OR_RETURN(EvalRecord e, Evaluate(*m.run.net, ctx, data->test.loader.get()));
  return e.top1();
}

}  // namespace moo
}  // namespace strata
