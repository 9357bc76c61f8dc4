#include "datasets/loader.h"

#include <algorithm>
#include <numeric>
#include <utility>

#include "engine/check.h"
#include "engine/rng.h"

namespace strata {
namespace datasets {
namespace {

Status CheckOptions(const Dataset& ds, const Pipeline& pipeline, const LoaderOptions& o) {
  auto bad = [&](const std::string& what) {
    return InvalidArgumentError("loader over " + ds.description() + ": " + what);
  };
  if (o.batch_size < 1) return bad("batch_size " + std::to_string(o.batch_size) + " < 1");
  if (o.prefetch_threads < 0 || o.prefetch_depth < 1) {
    return bad("prefetch_threads " + std::to_string(o.prefetch_threads) + ", prefetch_depth " +
               std::to_string(o.prefetch_depth) + "; want >= 0 and >= 1");
  }
  if (ds.size() < 1 || (o.drop_last && ds.size() < o.batch_size)) {
    return bad("no batches: " + std::to_string(ds.size()) + " examples, batch_size " +
               std::to_string(o.batch_size) + (o.drop_last ? ", drop_last" : ""));
  }
  const int norm = pipeline.normalize_channels();
  if (norm > 1 && norm != ds.channels()) {
    return bad("Normalize has " + std::to_string(norm) + " channels, the samples " +
               std::to_string(ds.channels()));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<Loader>> Loader::Create(const Dataset* dataset, Pipeline pipeline,
                                                 LoaderOptions options) {
  CHECK(dataset != nullptr) << "Loader::Create";
  STRATA_RETURN_IF_ERROR(CheckOptions(*dataset, pipeline, options));
  int h = 0, w = 0;
  pipeline.OutputSize(dataset->height(), dataset->width(), &h, &w);
  if (h <= 0 || w <= 0) {
    return InvalidArgumentError("loader over " + dataset->description() +
                                ": samples vary in size and the pipeline '" + pipeline.Describe() +
                                "' does not fix it; add a crop");
  }
  return std::unique_ptr<Loader>(
      new Loader(dataset, std::move(pipeline), options, dataset->channels(), h, w));
}

Loader::Loader(const Dataset* dataset, Pipeline pipeline, LoaderOptions options, int c, int h,
               int w)
    : dataset_(dataset), pipeline_(std::move(pipeline)), options_(options), c_(c), h_(h), w_(w) {}

Loader::~Loader() { StopWorkers(); }

int64_t Loader::batches_per_epoch() const {
  const int64_t n = dataset_->size(), bs = options_.batch_size;
  return options_.drop_last ? n / bs : (n + bs - 1) / bs;
}

Status Loader::MakeBatch(int64_t epoch, int64_t b, Batch* batch) const {
  if (epoch == epoch_) return MakeBatchInOrder(order_, epoch, b, batch);
  std::vector<uint32_t> order(dataset_->size());
  if (options_.shuffle) {
    ShuffledIndices(options_.seed, Stream("shuffle", epoch), order.size(), order.data());
  } else {
    std::iota(order.begin(), order.end(), 0u);
  }
  return MakeBatchInOrder(order, epoch, b, batch);
}

Status Loader::MakeBatchInOrder(const std::vector<uint32_t>& order, int64_t epoch, int64_t b,
                                Batch* batch) const {
  CHECK(b >= 0 && b < batches_per_epoch()) << "MakeBatch: batch " << b;
  const int64_t first = b * options_.batch_size;
  const int n = static_cast<int>(std::min<int64_t>(options_.batch_size, order.size() - first));
  const size_t sample = static_cast<size_t>(c_) * h_ * w_;
  batch->n = n;
  batch->c = c_;
  batch->h = h_;
  batch->w = w_;
  batch->images.resize(n * sample);
  batch->labels.resize(n);
  batch->indices.resize(n);
  Image raw;
  Pipeline::Scratch scratch;
  for (int k = 0; k < n; ++k) {
    const int64_t index = order[first + k];
    STRATA_RETURN_IF_ERROR(dataset_->Get(index, &raw));
    const Image& img = pipeline_.RunPixels(raw, options_.seed, epoch, index, &scratch);
    if (img.c != c_ || img.h != h_ || img.w != w_) {
      return DataLossError(dataset_->description() + ": example " + std::to_string(index) +
                           " transforms to " + std::to_string(img.c) + "x" + std::to_string(img.h) +
                           "x" + std::to_string(img.w) + ", the batch is " + std::to_string(c_) +
                           "x" + std::to_string(h_) + "x" + std::to_string(w_));
    }
    pipeline_.ToFloat(img, batch->images.data() + k * sample);
    batch->labels[k] = dataset_->label(index);
    batch->indices[k] = index;
  }
  return Status::Ok();
}

void Loader::StartEpoch(int64_t epoch) {
  StopWorkers();
  order_.resize(dataset_->size());
  if (options_.shuffle) {
    ShuffledIndices(options_.seed, Stream("shuffle", epoch), order_.size(), order_.data());
  } else {
    std::iota(order_.begin(), order_.end(), 0u);
  }
  epoch_ = epoch;
  next_ = 0;
  to_make_ = 0;
  for (int t = 0; t < options_.prefetch_threads; ++t) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
}

void Loader::WorkerLoop() {
  const int64_t total = batches_per_epoch();
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] {
      return stop_ || to_make_ >= total || to_make_ < next_ + options_.prefetch_depth;
    });
    if (stop_ || to_make_ >= total) return;
    const int64_t b = to_make_++;
    Slot slot;
    if (!spare_.empty()) {
      slot.batch = std::move(spare_.back());
      spare_.pop_back();
    }
    lock.unlock();
    slot.status = MakeBatchInOrder(order_, epoch_, b, &slot.batch);
    lock.lock();
    ready_[b] = std::move(slot);
    cv_.notify_all();
  }
}

StatusOr<bool> Loader::Next(Batch* batch) {
  CHECK_GE(epoch_, 0) << "Loader::Next before StartEpoch";
  if (next_ >= batches_per_epoch()) return false;
  Status status;
  if (workers_.empty()) {
    status = MakeBatchInOrder(order_, epoch_, next_, batch);
    ++next_;
  } else {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return ready_.count(next_) > 0; });
    auto it = ready_.find(next_);
    spare_.push_back(std::move(*batch));
    *batch = std::move(it->second.batch);
    status = std::move(it->second.status);
    ready_.erase(it);
    ++next_;
    cv_.notify_all();
  }
  if (!status.ok()) {
    StopWorkers();
    next_ = batches_per_epoch();
    return status;
  }
  return true;
}

void Loader::StopWorkers() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [b, slot] : ready_) spare_.push_back(std::move(slot.batch));
  ready_.clear();
  stop_ = false;
}

}  // namespace datasets
}  // namespace strata
