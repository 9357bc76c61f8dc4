// //reports:vlmodel — a trained once-QAT run to one vertical-layered model file, and any
// width of such a file evaluated from the file alone (reports/vlmodel_export.h).
//
//   bazel run //reports:vlmodel -- --run=<run dir with result.pb, weights.ckpt> --out=m.vlm
//       writes the file; prints per width the file size of its prefix and the bits of the
//       quantized weights (seed 001 Table 5's weight-size column)
//   bazel run //reports:vlmodel -- --eval=m.vlm [--bits=3] [--allow_truncated]
//       loads the file (up to --bits; default every section), builds the network and
//       evaluates its test set; a file cut inside a section is an error naming the section,
//       unless --allow_truncated asks for its complete sections (a note says what was cut)
#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/engine.h"
#include "moo/train/train.h"

namespace strata {
namespace reports {
namespace {

using moo::EvaluateVlModelFile;
using moo::ExportVlModel;
using moo::FpTensorBits;
using moo::LoadOnceQatRun;
using moo::OnceQatRun;
using moo::QuantizedWeightBits;
using moo::VlFileEval;

Status Export(const std::string& run_dir, const std::string& out) {
  STRATA_ASSIGN_OR_RETURN(OnceQatRun run, LoadOnceQatRun(run_dir));
  STRATA_ASSIGN_OR_RETURN(quant::VlModel m, ExportVlModel(run));
  STRATA_RETURN_IF_ERROR(quant::WriteVlModel(out, m));
  const std::vector<int64_t> sizes = quant::SectionSizes(m);
  std::printf("%s: %s, %zu quantized layers, FP tensors %.1f kbit\n", out.c_str(),
              run.config.model().name().c_str(), m.layers.size(), FpTensorBits(m) / 1e3);
  std::printf("%-6s %14s %22s\n", "width", "prefix bytes", "quantized weight bits");
  for (size_t k = 0; k < sizes.size(); ++k) {
    const int b = m.basic_bits + static_cast<int>(k);
    std::printf("w%da%d   %14lld %22lld\n", b, b, static_cast<long long>(sizes[k]),
                static_cast<long long>(QuantizedWeightBits(m, b)));
  }
  return Status::Ok();
}

Status Eval(const std::string& path, int bits, bool allow_truncated) {
  quant::VlReadOptions o;
  o.max_bits = bits;
  o.allow_truncated_prefix = allow_truncated;
  STRATA_ASSIGN_OR_RETURN(VlFileEval r, EvaluateVlModelFile(path, o));
  const quant::VlReadInfo& info = r.model.read_info;
  if (info.dropped_partial) std::printf("note: %s\n", info.note.c_str());
  std::printf("%s: w%da%d from %lld bytes (%d of %d sections): top-1 %.2f %%, top-5 %.2f %%, "
              "loss %.4f\n",
              path.c_str(), r.model.bits, r.model.bits, static_cast<long long>(info.bytes_used),
              info.sections_read, info.sections_declared, r.eval.top1(), r.eval.top5(),
              r.eval.loss());
  return Status::Ok();
}

// The flag's value; a relative path is taken from where `bazel run` was called.
std::string Flag(int argc, char** argv, const std::string& name) {
  const std::string prefix = "--" + name + "=";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind(prefix, 0) != 0) continue;
    const std::string v = a.substr(prefix.size());
    return name == "bits" ? v : UserPath(v);
  }
  return "";
}

int Main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--run=", 0) && a.rfind("--out=", 0) && a.rfind("--eval=", 0) &&
        a.rfind("--bits=", 0) && a != "--allow_truncated") {
      std::fprintf(stderr,
                   "vlmodel: unknown argument '%s' (--run --out | --eval [--bits] "
                   "[--allow_truncated])\n",
                   a.c_str());
      return 2;
    }
  }
  const std::string run = Flag(argc, argv, "run"), out = Flag(argc, argv, "out");
  const std::string eval = Flag(argc, argv, "eval"), bits_text = Flag(argc, argv, "bits");
  char* end = nullptr;
  const long bits = bits_text.empty() ? 0 : std::strtol(bits_text.c_str(), &end, 10);
  if (!bits_text.empty() && (*end != '\0' || bits < 1 || bits > 16)) {
    std::fprintf(stderr, "vlmodel: --bits: '%s' must be an integer in [1, 16]\n",
                 bits_text.c_str());
    return 2;
  }
  Status s;
  if (!run.empty() && !out.empty()) {
    s = Export(run, out);
  } else if (!eval.empty()) {
    bool allow_truncated = false;
    for (int i = 1; i < argc; ++i) allow_truncated |= std::string(argv[i]) == "--allow_truncated";
    s = Eval(eval, static_cast<int>(bits), allow_truncated);
  } else {
    std::fprintf(stderr, "usage: vlmodel --run=<dir> --out=<file.vlm> | --eval=<file.vlm> "
                         "[--bits=b] [--allow_truncated]\n");
    return 2;
  }
  if (!s.ok()) {
    std::fprintf(stderr, "vlmodel: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace reports
}  // namespace strata

int main(int argc, char** argv) { return strata::reports::Main(argc, argv); }
