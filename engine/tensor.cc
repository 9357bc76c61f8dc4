#include "engine/tensor.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "engine/check.h"

namespace strata {
namespace {

// Buffers are bucketed by their exact rounded size: a training step asks for the same
// sizes every iteration, so exact buckets hit every time after the first step.
constexpr int64_t kAlignFloats = 16;  // 64 bytes
constexpr int64_t kMaxCachedBytes = int64_t(6) << 30;

class StoragePool {
 public:
  float* Get(int64_t capacity) {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.requests;
    stats_.live_bytes += capacity * 4;
    auto it = free_.find(capacity);
    if (it != free_.end() && !it->second.empty()) {
      float* p = it->second.back();
      it->second.pop_back();
      ++stats_.pool_hits;
      stats_.cached_bytes -= capacity * 4;
      return p;
    }
    void* p = std::aligned_alloc(64, std::max<int64_t>(capacity, kAlignFloats) * 4);
    CHECK(p != nullptr) << "Storage: out of memory allocating " << capacity * 4 << " bytes";
    return static_cast<float*>(p);
  }
  void Put(float* p, int64_t capacity) {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.live_bytes -= capacity * 4;
    if (stats_.cached_bytes + capacity * 4 > kMaxCachedBytes) {
      std::free(p);
      return;
    }
    free_[capacity].push_back(p);
    stats_.cached_bytes += capacity * 4;
  }
  void Trim() {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [cap, list] : free_) {
      for (float* p : list) std::free(p);
    }
    free_.clear();
    stats_.cached_bytes = 0;
  }
  StoragePoolStats stats() {
    std::lock_guard<std::mutex> lock(mu_);
    return stats_;
  }

 private:
  std::mutex mu_;
  std::unordered_map<int64_t, std::vector<float*>> free_;
  StoragePoolStats stats_;
};

StoragePool& Pool() {
  static StoragePool* pool = new StoragePool();  // never destroyed: outlives all tensors
  return *pool;
}

}  // namespace

std::string ShapeStr(const Shape& shape) {
  std::ostringstream s;
  s << "(";
  for (size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
  s << (shape.size() == 1 ? ",)" : ")");
  return s.str();
}

int64_t NumElements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    CHECK_GE(d, 0) << "negative dimension in shape " << ShapeStr(shape);
    n *= d;
  }
  return n;
}

std::shared_ptr<Storage> Storage::Allocate(int64_t size) {
  CHECK_GE(size, 0);
  const int64_t capacity = (size + kAlignFloats - 1) / kAlignFloats * kAlignFloats;
  float* p = Pool().Get(capacity);
  return std::shared_ptr<Storage>(new Storage(p, size, capacity));
}

Storage::~Storage() { Pool().Put(data_, capacity_); }

StoragePoolStats GetStoragePoolStats() { return Pool().stats(); }
void TrimStoragePool() { Pool().Trim(); }

Tensor Tensor::Empty(const Shape& shape) {
  auto impl = std::make_shared<TensorImpl>();
  impl->shape = shape;
  impl->storage = Storage::Allocate(NumElements(shape));
  return Tensor(std::move(impl));
}

Tensor Tensor::Zeros(const Shape& shape) {
  Tensor t = Empty(shape);
  std::memset(t.data(), 0, sizeof(float) * t.numel());
  return t;
}

Tensor Tensor::Full(const Shape& shape, float value) {
  Tensor t = Empty(shape);
  std::fill(t.data(), t.data() + t.numel(), value);
  return t;
}

Tensor Tensor::FromVector(const Shape& shape, const std::vector<float>& values) {
  Tensor t = Empty(shape);
  CHECK_EQ(t.numel(), static_cast<int64_t>(values.size()))
      << "Tensor::FromVector: shape " << ShapeStr(shape) << " vs " << values.size() << " values";
  std::copy(values.begin(), values.end(), t.data());
  return t;
}

const Shape& Tensor::shape() const {
  CHECK(defined()) << "use of an undefined Tensor";
  return impl_->shape;
}

int64_t Tensor::dim(int i) const {
  const int r = rank();
  CHECK(i >= -r && i < r) << "Tensor::dim(" << i << ") of shape " << ShapeStr(shape());
  return shape()[i < 0 ? i + r : i];
}

int64_t Tensor::numel() const {
  CHECK(defined()) << "use of an undefined Tensor";
  return impl_->storage->size();
}
float* Tensor::data() const {
  CHECK(defined()) << "use of an undefined Tensor";
  return impl_->storage->data();
}

std::vector<float> Tensor::ToVector() const { return std::vector<float>(data(), data() + numel()); }

float Tensor::item() const {
  CHECK_EQ(numel(), 1) << "Tensor::item() on shape " << ShapeStr(shape());
  return data()[0];
}

bool Tensor::requires_grad() const { return impl_ && impl_->requires_grad; }

Tensor& Tensor::set_requires_grad(bool requires) {
  CHECK(is_leaf()) << "set_requires_grad on a non-leaf tensor " << ShapeStr(shape())
                   << " ---> HINT: Detach() it first";
  impl_->requires_grad = requires;
  return *this;
}

bool Tensor::is_leaf() const { return impl_->node == nullptr; }
const Tensor& Tensor::grad() const { return impl_->grad; }
Tensor& Tensor::mutable_grad() { return impl_->grad; }

void Tensor::ZeroGrad() const {
  const Tensor& g = impl_->grad;
  if (g.defined()) std::memset(g.data(), 0, sizeof(float) * g.numel());
}

Tensor Tensor::Detach() const {
  auto impl = std::make_shared<TensorImpl>();
  impl->shape = shape();
  impl->storage = impl_->storage;
  return Tensor(std::move(impl));
}

Tensor Tensor::Clone() const {
  Tensor t = Empty(shape());
  t.CopyFrom(*this);
  return t;
}

void Tensor::CopyFrom(const Tensor& src) const {
  CHECK_EQ(numel(), src.numel()) << "CopyFrom: " << ShapeStr(shape()) << " <- "
                                 << ShapeStr(src.shape());
  if (src.data() != data()) std::memcpy(data(), src.data(), sizeof(float) * numel());
}

const std::shared_ptr<Node>& Tensor::node() const { return impl_->node; }

Tensor AliasWithShape(const Tensor& x, const Shape& shape) {
  CHECK_EQ(NumElements(shape), x.numel())
      << "reshape: " << ShapeStr(x.shape()) << " -> " << ShapeStr(shape);
  auto impl = std::make_shared<TensorImpl>();
  impl->shape = shape;
  impl->storage = x.impl()->storage;
  return Tensor(std::move(impl));
}

}  // namespace strata
