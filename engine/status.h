// Status and StatusOr: how strata reports what the outside world can break (files,
// configs, flags, datasets, checkpoints, model files). Programmer errors are CHECKs
// (check.h), never Status. Messages name the file, the field and the value.
//
//   StatusOr<Tensor> t = LoadSomething(path);
//   if (!t.ok()) return t.status();
//   STRATA_RETURN_IF_ERROR(WriteFileAtomic(path, bytes));
#ifndef STRATA_ENGINE_STATUS_H_
#define STRATA_ENGINE_STATUS_H_

#include <optional>
#include <string>
#include <utility>

#include "engine/check.h"

namespace strata {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // a config field, flag or argument has a bad value
  kNotFound,          // a file or key does not exist
  kDataLoss,          // a file is truncated or corrupt
  kFailedPrecondition,  // e.g. a checkpoint for another shape or version
  kIoError,           // the OS refused a read or write
  kUnimplemented,
};

const char* StatusCodeName(StatusCode code);

class Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "INVALID_ARGUMENT: config.pbtxt: field 'epochs': value -1 must be >= 1"
  std::string ToString() const;
  // Prepends context ("reading model.vlq: ") to a failed status; OK stays OK.
  Status Annotate(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status DataLossError(std::string message);
Status FailedPreconditionError(std::string message);
Status IoError(std::string message);
Status UnimplementedError(std::string message);

// A value or the Status saying why there is none.
template <typename T>
class StatusOr {
 public:
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    CHECK(!status_.ok()) << "StatusOr built from an OK Status without a value";
  }
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  const T& value() const& {
    CHECK(ok()) << "StatusOr::value() on error: " << status_.ToString();
    return *value_;
  }
  T& value() & {
    CHECK(ok()) << "StatusOr::value() on error: " << status_.ToString();
    return *value_;
  }
  T&& value() && {
    CHECK(ok()) << "StatusOr::value() on error: " << status_.ToString();
    return std::move(*value_);
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace strata

#define STRATA_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::strata::Status strata_status_ = (expr);        \
    if (!strata_status_.ok()) return strata_status_; \
  } while (0)

#define STRATA_CONCAT_INNER_(a, b) a##b
#define STRATA_CONCAT_(a, b) STRATA_CONCAT_INNER_(a, b)
#define STRATA_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
// STRATA_ASSIGN_OR_RETURN(auto bytes, ReadFile(path));
#define STRATA_ASSIGN_OR_RETURN(lhs, expr) \
  STRATA_ASSIGN_OR_RETURN_IMPL_(STRATA_CONCAT_(strata_statusor_, __LINE__), lhs, expr)

#endif  // STRATA_ENGINE_STATUS_H_
