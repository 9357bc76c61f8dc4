// hwsim's own small error type. hwsim depends on nothing but the standard library and
// protobuf (DESIGN.md), so it does not use //engine's Status; the contract is the same:
// what the outside world can break (files, flags, configs) returns a Status whose message
// names the file, the line or field, and the value. Programmer errors are asserts.
//
//   Status s = ParseConfigFile(path, &config);
//   if (!s.ok()) { std::cerr << s.message() << "\n"; return 2; }
#ifndef STRATA_HWSIM_STATUS_H_
#define STRATA_HWSIM_STATUS_H_

#include <string>
#include <utility>

namespace strata::hwsim {

class Status {
 public:
  Status() = default;  // OK
  static Status Ok() { return Status(); }
  static Status Error(std::string message) {
    Status s;
    s.ok_ = false;
    s.message_ = std::move(message);
    return s;
  }
  bool ok() const { return ok_; }
  const std::string& message() const { return message_; }
  // Prepends context ("reading net.csv: ") to a failed status; OK stays OK.
  Status Annotate(const std::string& context) const {
    return ok_ ? *this : Error(context + message_);
  }

 private:
  bool ok_ = true;
  std::string message_;
};

#define HWSIM_RETURN_IF_ERROR(expr)       \
  do {                                    \
    ::strata::hwsim::Status _st = (expr); \
    if (!_st.ok()) return _st;            \
  } while (0)

}  // namespace strata::hwsim

#endif  // STRATA_HWSIM_STATUS_H_
