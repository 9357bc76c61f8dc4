// Tensor: a cheap, ref-counted handle to a contiguous float32 array (row-major; images are
// NCHW), its shape, an optional gradient, and the autograd node that produced it.
//
//   Tensor x = Tensor::Zeros({2, 3, 5, 5});
//   Tensor w = Tensor::FromVector({4}, {1, 2, 3, 4}).set_requires_grad(true);
//   Tensor y = x;               // shares storage: copying a Tensor never copies data
//   Tensor z = x.Clone();       // deep copy (no autograd history)
//
// Ownership: storage is shared by every handle (and reshaped alias) of the same data and
// is returned to the storage pool when the last one goes away. A tensor's storage is
// never reallocated; ops always produce new tensors, only optimizers and initializers
// write into existing (leaf) tensors.
//
// Storage pool: buffers come from a process-wide caching allocator keyed by size, so a
// training step reuses last step's activation buffers instead of calling malloc (and
// paying page faults) every time. Thread-safe.
//
// Thread safety: handles are like shared_ptr (distinct handles may be used from
// distinct threads; mutating one tensor's data concurrently is the caller's problem).
#ifndef STRATA_ENGINE_TENSOR_H_
#define STRATA_ENGINE_TENSOR_H_

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace strata {

using Shape = std::vector<int64_t>;
// "(2, 3, 5, 5)".
std::string ShapeStr(const Shape& shape);
int64_t NumElements(const Shape& shape);

// A pooled float buffer of `size` floats, 64-byte aligned, uninitialized.
class Storage {
 public:
  static std::shared_ptr<Storage> Allocate(int64_t size);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  float* data() const { return data_; }
  int64_t size() const { return size_; }

 private:
  Storage(float* data, int64_t size, int64_t capacity)
      : data_(data), size_(size), capacity_(capacity) {}
  float* data_;
  int64_t size_;
  int64_t capacity_;  // floats actually allocated (the pool's bucket key)
};

struct StoragePoolStats {
  int64_t requests = 0;      // Storage::Allocate calls
  int64_t pool_hits = 0;     // served from the cache (no malloc)
  int64_t live_bytes = 0;    // held by live Storage objects
  int64_t cached_bytes = 0;  // free buffers kept for reuse
};
StoragePoolStats GetStoragePoolStats();
// Frees every cached (unused) buffer.
void TrimStoragePool();

struct Node;
struct TensorImpl;

class Tensor {
 public:
  Tensor() = default;  // undefined: defined() is false
  // Uninitialized data from the pool.
  static Tensor Empty(const Shape& shape);
  static Tensor Zeros(const Shape& shape);
  static Tensor Full(const Shape& shape, float value);
  static Tensor FromVector(const Shape& shape, const std::vector<float>& values);

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  int rank() const { return static_cast<int>(shape().size()); }
  // dim(-1) is the last dimension.
  int64_t dim(int i) const;
  int64_t numel() const;
  float* data() const;
  std::vector<float> ToVector() const;
  // The single value of a one-element tensor.
  float item() const;

  // --- autograd ---
  bool requires_grad() const;
  // Only for leaves (tensors no op produced); returns *this for chaining.
  Tensor& set_requires_grad(bool requires);
  bool is_leaf() const;
  // Accumulated gradient of a leaf (undefined until a Backward reaches it).
  const Tensor& grad() const;
  Tensor& mutable_grad();
  // Fills an existing grad with zeros (keeps the buffer); no-op when undefined.
  void ZeroGrad() const;
  // Same data, no history, requires_grad false.
  Tensor Detach() const;
  // Fresh copy of the data, no history.
  Tensor Clone() const;
  // Overwrites this tensor's data with src's (same numel); no autograd.
  void CopyFrom(const Tensor& src) const;

  // Internal: the producing node (null for leaves) and the shared implementation.
  const std::shared_ptr<Node>& node() const;
  const std::shared_ptr<TensorImpl>& impl() const { return impl_; }
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

 private:
  std::shared_ptr<TensorImpl> impl_;
};

struct TensorImpl {
  Shape shape;
  std::shared_ptr<Storage> storage;
  Tensor grad;
  bool requires_grad = false;
  std::shared_ptr<Node> node;  // producer; null for leaves
};

// A tensor sharing x's storage with another shape of the same numel; no autograd (the
// differentiable form is Reshape in ops.h).
Tensor AliasWithShape(const Tensor& x, const Shape& shape);

}  // namespace strata

#endif  // STRATA_ENGINE_TENSOR_H_
