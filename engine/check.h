// CHECK macros for programmer errors (never for bad outside input: that is a Status).
// A failed CHECK prints the expression, both values for the comparison forms, any
// streamed context, and aborts:
//
//   CHECK_EQ(x.dim(1), w.dim(1)) << "Conv2d: input channels " << ShapeStr(x) << " vs "
//                                << ShapeStr(w) << " ---> HINT: weight is (K,C/groups,R,S)";
#ifndef STRATA_ENGINE_CHECK_H_
#define STRATA_ENGINE_CHECK_H_

#include <sstream>
#include <string>

namespace strata {
namespace internal {

// Collects a message and aborts in its destructor.
class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const std::string& what);
  [[noreturn]] ~CheckFailure();
  std::ostream& stream() { return stream_; }

 private:
  std::ostringstream stream_;
};

template <typename A, typename B>
std::string CompareMessage(const char* expr, const A& a, const B& b) {
  std::ostringstream s;
  s << expr << " (" << a << " vs " << b << ")";
  return s.str();
}

// Lets `CHECK(x) << ...` compile in both branches of the ternary.
struct Voidify {
  void operator&(std::ostream&) {}
};

}  // namespace internal
}  // namespace strata

#define CHECK(cond)                          \
  (cond) ? (void)0                           \
         : ::strata::internal::Voidify() &   \
               ::strata::internal::CheckFailure(__FILE__, __LINE__, "CHECK(" #cond ")").stream()

#define STRATA_CHECK_OP_(op, a, b)                                                         \
  ((a)op(b)) ? (void)0                                                                     \
             : ::strata::internal::Voidify() &                                             \
                   ::strata::internal::CheckFailure(                                       \
                       __FILE__, __LINE__,                                                 \
                       ::strata::internal::CompareMessage("CHECK(" #a " " #op " " #b ")", \
                                                          (a), (b)))                       \
                       .stream()

#define CHECK_EQ(a, b) STRATA_CHECK_OP_(==, a, b)
#define CHECK_NE(a, b) STRATA_CHECK_OP_(!=, a, b)
#define CHECK_LT(a, b) STRATA_CHECK_OP_(<, a, b)
#define CHECK_LE(a, b) STRATA_CHECK_OP_(<=, a, b)
#define CHECK_GT(a, b) STRATA_CHECK_OP_(>, a, b)
#define CHECK_GE(a, b) STRATA_CHECK_OP_(>=, a, b)

#ifdef NDEBUG
#define DCHECK(cond) \
  while (false) CHECK(cond)
#define DCHECK_EQ(a, b) \
  while (false) CHECK_EQ(a, b)
#define DCHECK_LT(a, b) \
  while (false) CHECK_LT(a, b)
#else
#define DCHECK(cond) CHECK(cond)
#define DCHECK_EQ(a, b) CHECK_EQ(a, b)
#define DCHECK_LT(a, b) CHECK_LT(a, b)
#endif

#endif  // STRATA_ENGINE_CHECK_H_
