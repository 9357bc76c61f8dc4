#include "hwsim/precision.h"

#include <algorithm>
#include <cctype>

#include "hwsim/text_util.h"

namespace strata::hwsim {

bool operator==(const LayerPrecision& a, const LayerPrecision& b) {
  return a.weight_bits == b.weight_bits && a.activation_bits == b.activation_bits &&
         a.output_bits == b.output_bits;
}

LayerPrecision PrecisionPlan::For(int64_t index, const Layer& layer) const {
  if (auto it = by_index.find(index); it != by_index.end()) return it->second;
  if (auto it = by_name.find(layer.name); it != by_name.end()) return it->second;
  if (auto it = by_name.find(layer.source_name); it != by_name.end()) return it->second;
  return default_bits;
}

Status ValidatePrecision(const LayerPrecision& p, const std::string& where) {
  for (auto [name, v] : {std::pair{"weight_bits", p.weight_bits},
                         {"activation_bits", p.activation_bits},
                         {"output_bits", p.output_bits}}) {
    if (v < 1 || v > 32) {
      return Status::Error(where + "field '" + name + "': value " + std::to_string(v) +
                           " must be in [1, 32]");
    }
  }
  return Status::Ok();
}

namespace {

// "4", "w4a8", "w4a8o16", "w=4,a=8,o=8".
bool ParseInline(const std::string& spec, LayerPrecision* p) {
  int64_t all = 0;
  if (ParseInt(spec, &all)) {
    p->weight_bits = p->activation_bits = p->output_bits = static_cast<int>(all);
    return true;
  }
  bool w = false, a = false, o = false;
  size_t i = 0;
  while (i < spec.size()) {
    const char key = static_cast<char>(std::tolower(static_cast<unsigned char>(spec[i++])));
    if (i < spec.size() && spec[i] == '=') ++i;
    size_t j = i;
    while (j < spec.size() && std::isdigit(static_cast<unsigned char>(spec[j]))) ++j;
    if (j == i) return false;
    const int v = std::atoi(spec.substr(i, j - i).c_str());
    if (key == 'w')
      p->weight_bits = v, w = true;
    else if (key == 'a')
      p->activation_bits = v, a = true;
    else if (key == 'o')
      p->output_bits = v, o = true;
    else
      return false;
    i = j;
    if (i < spec.size() && spec[i] == ',') ++i;
  }
  if (!w || !a) return false;
  if (!o) p->output_bits = p->activation_bits;
  return true;
}

Status ParseCsvLine(const std::vector<std::string>& f, const std::string& where,
                    PrecisionPlan* plan) {
  if (f.size() != 3 && f.size() != 4) {
    return Status::Error(where + "expected 'layer,weight_bits,activation_bits[,output_bits]'");
  }
  int64_t bits[3] = {0, 0, 0};
  const char* names[3] = {"weight_bits", "activation_bits", "output_bits"};
  for (size_t i = 1; i < f.size(); ++i) {
    if (!ParseInt(f[i], &bits[i - 1])) {
      return Status::Error(where + "field '" + names[i - 1] + "': value '" + Trim(f[i]) +
                           "' is not an integer");
    }
  }
  LayerPrecision p{static_cast<int>(bits[0]), static_cast<int>(bits[1]),
                   static_cast<int>(f.size() == 4 ? bits[2] : bits[1])};
  HWSIM_RETURN_IF_ERROR(ValidatePrecision(p, where));
  const std::string key = Trim(f[0]);
  int64_t index = 0;
  if (key == "*")
    plan->default_bits = p;
  else if (ParseInt(key, &index))
    plan->by_index[index] = p;
  else
    plan->by_name[key] = p;
  return Status::Ok();
}

}  // namespace

Status ParsePrecisionText(const std::string& text, const std::string& file, PrecisionPlan* plan) {
  PrecisionPlan out;
  const std::string t = Trim(text);
  const bool one_line = t.find('\n') == std::string::npos;
  if (one_line && (t.find(',') == std::string::npos || t.find('=') != std::string::npos)) {
    LayerPrecision p;
    if (!ParseInline(t, &p)) {
      return Status::Error(file + ": bit plan '" + t + "' is not of the form 4, w4a8, w4a8o8 " +
                           "or w=4,a=8[,o=8]");
    }
    HWSIM_RETURN_IF_ERROR(ValidatePrecision(p, file + ": "));
    out.default_bits = p;
    *plan = out;
    return Status::Ok();
  }
  std::vector<std::string> lines = Split(text, '\n');
  bool first = true;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string row = Trim(lines[i]);
    if (row.empty() || row[0] == '#') continue;
    std::vector<std::string> f = Split(row, ',');
    int64_t dummy = 0;
    if (first && f.size() >= 2 && !ParseInt(f[1], &dummy)) {  // header line
      first = false;
      continue;
    }
    first = false;
    HWSIM_RETURN_IF_ERROR(ParseCsvLine(f, Where(file, static_cast<int>(i) + 1), &out));
  }
  *plan = out;
  return Status::Ok();
}

MemoryParams BitAwareMemory(const AcceleratorConfig& c, const LayerPrecision& b) {
  auto words = [](int64_t kb, int bits) { return kb * 1024 * 8 / bits; };
  auto per_cycle = [](int64_t bytes, int bits) { return std::max<int64_t>(1, bytes * 8 / bits); };
  MemoryParams p;
  p.ifmap_words = words(c.ifmap_sram_kb, b.activation_bits);
  p.filter_words = words(c.filter_sram_kb, b.weight_bits);
  p.ofmap_words = words(c.ofmap_sram_kb, b.output_bits);
  p.calc = c.bandwidth_mode == BandwidthMode::kCalc;
  const int64_t read_bytes = p.calc ? 10 : c.user_bandwidth();
  p.ifmap_bw = per_cycle(read_bytes, b.activation_bits);
  p.filter_bw = per_cycle(read_bytes, b.weight_bits);
  p.ofmap_bw = p.calc ? c.array_cols : per_cycle(c.user_bandwidth(), b.output_bits);
  return p;
}

LayerLatency Latency(const LayerReport& r, const LayerPrecision& b, const AcceleratorConfig& c,
                     double word_bits) {
  LayerLatency l;
  l.ifmap_bytes = static_cast<double>(r.dram_ifmap.words) * b.activation_bits / 8.0;
  l.filter_bytes = static_cast<double>(r.dram_filter.words) * b.weight_bits / 8.0;
  l.ofmap_bytes = static_cast<double>(r.dram_ofmap.words) * b.output_bits / 8.0;
  const double cycles_per_ms = c.clock_ghz * 1e6;
  // Interface bytes per cycle: the USER bandwidth in words of `word_bits`; CALC mode's own
  // widths (10 words for reads, C words for OFMAP writes, §5).
  const double word_bytes = word_bits / 8.0;
  const bool calc = c.bandwidth_mode == BandwidthMode::kCalc;
  const double read_bw = (calc ? 10.0 : static_cast<double>(c.user_bandwidth())) * word_bytes;
  const double write_bw = calc ? static_cast<double>(c.array_cols) * word_bytes : read_bw;
  l.compute_ms = static_cast<double>(r.total_cycles) / cycles_per_ms;
  l.ifmap_ms = l.ifmap_bytes / read_bw / cycles_per_ms;
  l.filter_ms = l.filter_bytes / read_bw / cycles_per_ms;
  l.ofmap_ms = l.ofmap_bytes / write_bw / cycles_per_ms;
  l.latency_ms = std::max({l.compute_ms, l.ifmap_ms, l.filter_ms, l.ofmap_ms});
  l.energy_uj = EnergyProxyUj(r, b, l);
  return l;
}

double EnergyProxyUj(const LayerReport& r, const LayerPrecision& b, const LayerLatency& l) {
  const double mac_pj = 0.23 * b.weight_bits * b.activation_bits / 64.0;
  const double sram_bytes = (static_cast<double>(r.sram_ifmap_reads) * b.activation_bits +
                             static_cast<double>(r.sram_filter_reads) * b.weight_bits +
                             static_cast<double>(r.sram_ofmap_writes) * b.output_bits) /
                            8.0;
  const double dram_bytes = l.ifmap_bytes + l.filter_bytes + l.ofmap_bytes;
  const double pj =
      static_cast<double>(r.dims.macs()) * mac_pj + sram_bytes * 1.25 + dram_bytes * 160.0;
  return pj * 1e-6;
}

}  // namespace strata::hwsim
