// The deterministic batch loader: seeded shuffle per epoch, fixed batch size, transforms,
// optional background prefetch threads. Batch b of epoch e is a pure function of
// (dataset, pipeline, options, e, b): the bytes are identical whatever prefetch_threads is.
//
//   LoaderOptions opt;  opt.batch_size = 128;  opt.seed = 1;  opt.prefetch_threads = 1;
//   STRATA_ASSIGN_OR_RETURN(auto loader, Loader::Create(ds.get(), pipeline, opt));
//   loader->StartEpoch(epoch);
//   Batch batch;
//   for (;;) {
//     STRATA_ASSIGN_OR_RETURN(bool more, loader->Next(&batch));
//     if (!more) break;
//     // batch.images: (n, c, h, w) floats, NCHW contiguous; batch.labels: n labels
//   }
//
// Order: epoch e visits ShuffledIndices(seed, Stream("shuffle", e), size) (or 0..size-1
// when shuffle is off); sample i is augmented with Stream("augment", e, i) (transforms.h).
//
// Ownership and threads: the Loader borrows the Dataset, which must outlive it. A Loader
// is used from one thread; its prefetch threads only read the Dataset and Pipeline.
#ifndef STRATA_DATASETS_LOADER_H_
#define STRATA_DATASETS_LOADER_H_

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "datasets/dataset.h"
#include "datasets/transforms.h"

namespace strata {
namespace datasets {

struct Batch {
  std::vector<float> images;     // n * c * h * w, NCHW contiguous
  std::vector<int32_t> labels;   // n
  std::vector<int64_t> indices;  // n dataset indices, for tracing and per-sample state
  int n = 0, c = 0, h = 0, w = 0;
};

struct LoaderOptions {
  int batch_size = 128;
  bool shuffle = true;
  bool drop_last = false;  // drop the last partial batch (else it is kept, smaller)
  uint64_t seed = 0;
  int prefetch_threads = 0;  // 0: batches are made synchronously in Next()
  int prefetch_depth = 4;    // batches made ahead of the consumer when prefetching
};

class Loader {
 public:
  // Errors: batch_size < 1, negative prefetch settings, an empty dataset, samples whose
  // size the pipeline does not fix, or a Normalize whose channel count does not match.
  static StatusOr<std::unique_ptr<Loader>> Create(const Dataset* dataset, Pipeline pipeline,
                                                  LoaderOptions options);
  ~Loader();
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  int64_t batches_per_epoch() const;
  // Output sample shape (c, h, w).
  int channels() const { return c_; }
  int height() const { return h_; }
  int width() const { return w_; }

  // Starts (or restarts) iterating over `epoch` from its first batch.
  void StartEpoch(int64_t epoch);
  // The next batch of the current epoch into *batch: true, or false after the last one.
  // An error (an undecodable image) names the file; the epoch then stops.
  StatusOr<bool> Next(Batch* batch);

  // Batch b of `epoch` (0 <= b < batches_per_epoch()), made on the calling thread: the
  // same bytes Next() returns. Safe while prefetch threads run; not during StartEpoch.
  Status MakeBatch(int64_t epoch, int64_t b, Batch* batch) const;

 private:
  Loader(const Dataset* dataset, Pipeline pipeline, LoaderOptions options, int c, int h, int w);
  Status MakeBatchInOrder(const std::vector<uint32_t>& order, int64_t epoch, int64_t b,
                          Batch* batch) const;
  void StopWorkers();
  void WorkerLoop();

  const Dataset* dataset_;
  Pipeline pipeline_;
  LoaderOptions options_;
  int c_, h_, w_;

  int64_t epoch_ = -1;
  int64_t next_ = 0;  // next batch index Next() returns
  std::vector<uint32_t> order_;

  // Prefetch state, guarded by mu_.
  struct Slot {
    Batch batch;
    Status status;
  };
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  int64_t to_make_ = 0;            // next batch index a worker claims
  std::map<int64_t, Slot> ready_;  // made, not yet consumed
  std::vector<Batch> spare_;       // consumed buffers for reuse
  std::vector<std::thread> workers_;
};

}  // namespace datasets
}  // namespace strata

#endif  // STRATA_DATASETS_LOADER_H_
