// libFuzzer target: hwsim's SCALE-Sim topology CSV parser, hwsim::ParseTopologyText
// (hwsim/topology.h), in all three formats (auto, conv, GEMM) on the same input. Build and
// run with tools/fuzz/run.sh (clang, outside Bazel). Oracles, beyond the sanitizers:
//   - a failed parse has a message naming the file;
//   - every accepted layer passes ValidateLayer and has positive GEMM dims (Dims());
//   - without depthwise rows (names containing "DP", which FormatTopology does not
//     re-group), FormatTopology round-trips the layers through the conv parser.
// With STRATA_FUZZ_SKIP_KNOWN=1 in the environment, inputs that would hit the findings
// already reported in tools/fuzz/README.md (signed overflow on integers > 2^20, a DP row
// expanded into more than 4096 layers) are skipped, so a run can look past them.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "hwsim/topology.h"

namespace {

using namespace strata::hwsim;

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "hwsim_topology_fuzzer: %s\n%s\n", what, detail.c_str());
  std::abort();
}

bool SameLayer(const Layer& a, const Layer& b) {
  return a.name == b.name && a.source_name == b.source_name && a.ifmap_h == b.ifmap_h &&
         a.ifmap_w == b.ifmap_w && a.filter_h == b.filter_h && a.filter_w == b.filter_w &&
         a.channels == b.channels && a.num_filters == b.num_filters && a.stride_h == b.stride_h &&
         a.stride_w == b.stride_w;
}

// True when `text` has an integer field above 2^20 or a DP row with more than 4096 channels
// (the known findings: hwsim::Dims/ValidateLayer overflow int64 on huge fields, and a DP row
// is expanded into `Channels` layers before any limit).
bool HitsKnownFinding(const std::string& text) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    size_t field_start = 0;
    for (int field = 0;; ++field) {
      size_t comma = line.find(',', field_start);
      const std::string f =
          line.substr(field_start, comma == std::string::npos ? std::string::npos : comma - field_start);
      long long v = std::strtoll(f.c_str(), nullptr, 10);
      if (v > (1LL << 20) || (field == 5 && v > 4096 && line.find("DP") < comma)) return true;
      if (comma == std::string::npos) break;
      field_start = comma + 1;
    }
  }
  return false;
}

void Check(const std::string& text, TopologyFormat format) {
  std::vector<Layer> layers;
  Status s = ParseTopologyText(text, "fuzz.csv", format, &layers);
  if (!s.ok()) {
    if (s.message().find("fuzz.csv") == std::string::npos) Fail("error without file name", s.message());
    return;
  }
  if (layers.empty()) Fail("accepted topology has no layers", text);
  bool depthwise = false;
  for (const Layer& l : layers) {
    Status v = ValidateLayer(l, "");
    if (!v.ok()) Fail("accepted layer fails ValidateLayer", v.message());
    GemmDims d = Dims(l);
    if (d.eh < 1 || d.ew < 1 || d.m < 1 || d.n < 1 || d.k < 1 || d.macs() < 1) {
      Fail("accepted layer has non-positive GEMM dims", l.name);
    }
    if (l.source_name.find("DP") != std::string::npos) depthwise = true;
  }
  if (depthwise) return;
  const std::string formatted = FormatTopology(layers);
  std::vector<Layer> back;
  Status r = ParseTopologyText(formatted, "formatted.csv", TopologyFormat::kConv, &back);
  if (!r.ok()) Fail("FormatTopology output does not parse", r.message() + "\n" + formatted);
  if (back.size() != layers.size()) Fail("FormatTopology round trip changes the layer count", formatted);
  for (size_t i = 0; i < back.size(); ++i) {
    if (!SameLayer(back[i], layers[i])) Fail("FormatTopology does not round-trip", formatted);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool skip_known = std::getenv("STRATA_FUZZ_SKIP_KNOWN") != nullptr;
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (skip_known && HitsKnownFinding(text)) return 0;
  Check(text, TopologyFormat::kAuto);
  Check(text, TopologyFormat::kConv);
  Check(text, TopologyFormat::kGemm);
  return 0;
}
