#include "hwsim/config.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

#include "hwsim/text_util.h"

namespace strata::hwsim {
namespace {

struct Entry {
  std::string value;
  int line = 0;
};
// section -> key (lower case) -> value
using Ini = std::map<std::string, std::map<std::string, Entry>>;

Status ParseIni(const std::string& text, const std::string& file, Ini* ini) {
  std::string section;
  std::vector<std::string> lines = Split(text, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    const int ln = static_cast<int>(i) + 1;
    std::string s = Trim(lines[i]);
    if (s.empty() || s[0] == '#' || s[0] == ';') continue;
    if (s.front() == '[') {
      if (s.back() != ']') return Status::Error(Where(file, ln) + "bad section header '" + s + "'");
      section = Trim(s.substr(1, s.size() - 2));
      (*ini)[section];
      continue;
    }
    size_t pos = s.find_first_of("=:");
    if (pos == std::string::npos) {
      return Status::Error(Where(file, ln) + "expected 'key = value', got '" + s + "'");
    }
    if (section.empty()) return Status::Error(Where(file, ln) + "key outside of any [section]");
    (*ini)[section][ToLower(Trim(s.substr(0, pos)))] = Entry{Trim(s.substr(pos + 1)), ln};
  }
  return Status::Ok();
}

class Reader {
 public:
  Reader(const Ini& ini, std::string file) : ini_(ini), file_(std::move(file)) {}

  const Entry* Find(const std::string& section, const std::string& key) const {
    auto s = ini_.find(section);
    if (s == ini_.end()) return nullptr;
    auto k = s->second.find(ToLower(key));
    return k == s->second.end() ? nullptr : &k->second;
  }
  Status Missing(const std::string& section, const std::string& key) const {
    return Status::Error(file_ + ": missing field '" + key + "' in section [" + section + "]");
  }
  Status Int(const std::string& section, const std::string& key, bool required,
             int64_t* out) const {
    const Entry* e = Find(section, key);
    if (e == nullptr) return required ? Missing(section, key) : Status::Ok();
    if (!ParseInt(e->value, out)) {
      return Status::Error(Where(file_, e->line) + "field '" + key + "': value '" + e->value +
                           "' is not an integer");
    }
    return Status::Ok();
  }
  const std::string& file() const { return file_; }

 private:
  const Ini& ini_;
  std::string file_;
};

// ClockGHz (optional): a finite number > 0 (strtod also reads "inf" and "nan").
Status ReadClock(const Reader& r, AcceleratorConfig* c) {
  const Entry* clock = r.Find("architecture_presets", "ClockGHz");
  if (clock == nullptr) return Status::Ok();
  if (!ParseDouble(clock->value, &c->clock_ghz)) {
    return Status::Error(Where(r.file(), clock->line) + "field 'ClockGHz': value '" + clock->value +
                         "' is not a number");
  }
  if (!std::isfinite(c->clock_ghz) || !(c->clock_ghz > 0)) {
    return Status::Error(Where(r.file(), clock->line) + "field 'ClockGHz': value '" + clock->value +
                         "' must be a finite number > 0");
  }
  return Status::Ok();
}

Status ReadArchitecture(const Reader& r, AcceleratorConfig* c) {
  const std::string a = "architecture_presets";
  HWSIM_RETURN_IF_ERROR(r.Int(a, "ArrayHeight", true, &c->array_rows));
  HWSIM_RETURN_IF_ERROR(r.Int(a, "ArrayWidth", true, &c->array_cols));
  HWSIM_RETURN_IF_ERROR(r.Int(a, "IfmapSramSzkB", true, &c->ifmap_sram_kb));
  HWSIM_RETURN_IF_ERROR(r.Int(a, "FilterSramSzkB", true, &c->filter_sram_kb));
  HWSIM_RETURN_IF_ERROR(r.Int(a, "OfmapSramSzkB", true, &c->ofmap_sram_kb));
  HWSIM_RETURN_IF_ERROR(r.Int(a, "IfmapOffset", false, &c->ifmap_offset));
  HWSIM_RETURN_IF_ERROR(r.Int(a, "FilterOffset", false, &c->filter_offset));
  HWSIM_RETURN_IF_ERROR(r.Int(a, "OfmapOffset", false, &c->ofmap_offset));
  const Entry* df = r.Find(a, "Dataflow");
  if (df == nullptr) return r.Missing(a, "Dataflow");
  std::string v = ToLower(df->value);
  if (v == "os")
    c->dataflow = Dataflow::kOs;
  else if (v == "ws")
    c->dataflow = Dataflow::kWs;
  else if (v == "is")
    c->dataflow = Dataflow::kIs;
  else
    return Status::Error(Where(r.file(), df->line) + "field 'Dataflow': value '" + df->value +
                         "' is not one of os, ws, is");
  return ReadClock(r, c);
}

Status ReadBandwidth(const Reader& r, AcceleratorConfig* c) {
  const Entry* mode = r.Find("run_presets", "InterfaceBandwidth");
  if (mode == nullptr) return r.Missing("run_presets", "InterfaceBandwidth");
  if (mode->value == "USER")
    c->bandwidth_mode = BandwidthMode::kUser;
  else if (mode->value == "CALC")
    c->bandwidth_mode = BandwidthMode::kCalc;
  else
    return Status::Error(Where(r.file(), mode->line) + "field 'InterfaceBandwidth': value '" +
                         mode->value + "' is not USER or CALC");
  c->bandwidths.clear();
  const Entry* bw = r.Find("architecture_presets", "Bandwidth");
  if (bw == nullptr) {
    if (c->bandwidth_mode == BandwidthMode::kUser) {
      return r.Missing("architecture_presets", "Bandwidth (required in USER mode)");
    }
    return Status::Ok();
  }
  for (const std::string& f : Split(bw->value, ',')) {
    int64_t v = 0;
    if (!ParseInt(f, &v)) {
      return Status::Error(Where(r.file(), bw->line) + "field 'Bandwidth': value '" + bw->value +
                           "' is not a comma-separated list of integers");
    }
    // SCALE-Sim uses only the first number (and none in CALC mode); USER mode checks all.
    if (c->bandwidth_mode == BandwidthMode::kUser && v < 1) {
      return Status::Error(Where(r.file(), bw->line) + "field 'Bandwidth': value " +
                           std::to_string(v) + " in '" + bw->value + "' must be >= 1");
    }
    c->bandwidths.push_back(v);
  }
  return Status::Ok();
}

// The shortest of %.15g, %.16g, %.17g that reads back as `x` (%.17g always does), so
// FormatConfig round-trips the clock exactly and still prints 0.2 as "0.2".
std::string FormatDouble(double x) {
  char buf[32];
  for (int digits = 15; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof(buf), "%.*g", digits, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  return buf;
}

}  // namespace

const char* DataflowName(Dataflow df) {
  switch (df) {
    case Dataflow::kOs:
      return "os";
    case Dataflow::kWs:
      return "ws";
    case Dataflow::kIs:
      return "is";
  }
  return "?";
}

bool operator==(const AcceleratorConfig& a, const AcceleratorConfig& b) {
  return a.run_name == b.run_name && a.array_rows == b.array_rows && a.array_cols == b.array_cols &&
         a.ifmap_sram_kb == b.ifmap_sram_kb && a.filter_sram_kb == b.filter_sram_kb &&
         a.ofmap_sram_kb == b.ofmap_sram_kb && a.ifmap_offset == b.ifmap_offset &&
         a.filter_offset == b.filter_offset && a.ofmap_offset == b.ofmap_offset &&
         a.dataflow == b.dataflow && a.bandwidth_mode == b.bandwidth_mode &&
         a.bandwidths == b.bandwidths && a.clock_ghz == b.clock_ghz;
}

Status ValidateConfig(const AcceleratorConfig& c, const std::string& where) {
  auto positive = [&](const char* field, int64_t v) {
    return v >= 1 ? Status::Ok()
                  : Status::Error(where + "field '" + field + "': value " + std::to_string(v) +
                                  " must be >= 1");
  };
  HWSIM_RETURN_IF_ERROR(positive("ArrayHeight", c.array_rows));
  if (c.array_rows > 65536 || c.array_cols > 65536) {
    return Status::Error(where + "array " + std::to_string(c.array_rows) + "x" +
                         std::to_string(c.array_cols) + " is larger than 65536 on a side");
  }
  HWSIM_RETURN_IF_ERROR(positive("ArrayWidth", c.array_cols));
  // Upper bounds keep the simulator's products (kB * 1024 * 8 bits, words per cycle times
  // cycles) far from int64 overflow: 2^24 kB = 16 GiB per buffer, 2^30 words per cycle.
  auto bounded = [&](const char* field, int64_t v, int64_t max) {
    HWSIM_RETURN_IF_ERROR(positive(field, v));
    return v <= max ? Status::Ok()
                    : Status::Error(where + "field '" + field + "': value " + std::to_string(v) +
                                    " must be <= " + std::to_string(max));
  };
  constexpr int64_t kMaxSramKb = int64_t{1} << 24, kMaxBandwidth = int64_t{1} << 30;
  HWSIM_RETURN_IF_ERROR(bounded("IfmapSramSzkB", c.ifmap_sram_kb, kMaxSramKb));
  HWSIM_RETURN_IF_ERROR(bounded("FilterSramSzkB", c.filter_sram_kb, kMaxSramKb));
  HWSIM_RETURN_IF_ERROR(bounded("OfmapSramSzkB", c.ofmap_sram_kb, kMaxSramKb));
  if (c.bandwidth_mode == BandwidthMode::kUser) {
    if (c.bandwidths.empty())
      return Status::Error(where + "field 'Bandwidth': missing in USER mode");
    for (int64_t bw : c.bandwidths) {
      HWSIM_RETURN_IF_ERROR(bounded("Bandwidth", bw, kMaxBandwidth));
    }
  }
  if (!std::isfinite(c.clock_ghz) || !(c.clock_ghz > 0)) {
    return Status::Error(where + "field 'ClockGHz': value " + FormatDouble(c.clock_ghz) +
                         " must be a finite number > 0");
  }
  const int64_t kMaxOffset = int64_t{1} << 30;  // addresses are int32 in SCALE-Sim
  for (int64_t off : {c.ifmap_offset, c.filter_offset, c.ofmap_offset}) {
    if (off < 0 || off > kMaxOffset) {
      return Status::Error(where + "offset " + std::to_string(off) + " must be in [0, 2^30]");
    }
  }
  return Status::Ok();
}

Status ParseConfigText(const std::string& text, const std::string& file, AcceleratorConfig* out) {
  Ini ini;
  HWSIM_RETURN_IF_ERROR(ParseIni(text, file, &ini));
  Reader r(ini, file);
  AcceleratorConfig c;
  if (const Entry* name = r.Find("general", "run_name")) c.run_name = name->value;
  HWSIM_RETURN_IF_ERROR(ReadArchitecture(r, &c));
  HWSIM_RETURN_IF_ERROR(ReadBandwidth(r, &c));
  HWSIM_RETURN_IF_ERROR(ValidateConfig(c, file + ": "));
  *out = c;
  return Status::Ok();
}

Status ParseConfigFile(const std::string& path, AcceleratorConfig* config) {
  std::string text;
  HWSIM_RETURN_IF_ERROR(ReadFile(path, &text));
  return ParseConfigText(text, path, config);
}

std::string FormatConfig(const AcceleratorConfig& c) {
  std::ostringstream o;
  o << "[general]\nrun_name = " << c.run_name << "\n\n[architecture_presets]\n"
    << "ArrayHeight:    " << c.array_rows << "\nArrayWidth:     " << c.array_cols
    << "\nIfmapSramSzkB:  " << c.ifmap_sram_kb << "\nFilterSramSzkB: " << c.filter_sram_kb
    << "\nOfmapSramSzkB:  " << c.ofmap_sram_kb << "\nIfmapOffset:    " << c.ifmap_offset
    << "\nFilterOffset:   " << c.filter_offset << "\nOfmapOffset:    " << c.ofmap_offset;
  if (!c.bandwidths.empty()) {
    o << "\nBandwidth : ";
    for (size_t i = 0; i < c.bandwidths.size(); ++i) o << (i ? "," : "") << c.bandwidths[i];
  }
  o << "\nDataflow : " << DataflowName(c.dataflow) << "\nMemoryBanks:   1"
    << "\n# hwsim extension (latency in ms); SCALE-Sim ignores it.\nClockGHz: "
    << FormatDouble(c.clock_ghz) << "\n\n[run_presets]\nInterfaceBandwidth: "
    << (c.bandwidth_mode == BandwidthMode::kUser ? "USER" : "CALC") << "\n";
  return o.str();
}

std::vector<std::string> PresetNames() { return {"scalesim", "scalesim_lowmem", "eyeriss"}; }

Status Preset(const std::string& name, AcceleratorConfig* config) {
  // AMED (seed 003) Table 1.
  AcceleratorConfig c;
  c.run_name = name;
  c.bandwidths = {10};
  c.bandwidth_mode = BandwidthMode::kUser;
  if (name == "scalesim") {
    c.array_rows = c.array_cols = 32;
    c.ifmap_sram_kb = c.filter_sram_kb = c.ofmap_sram_kb = 64;
    c.dataflow = Dataflow::kOs;
    c.clock_ghz = 0.2;
  } else if (name == "scalesim_lowmem") {
    c.array_rows = c.array_cols = 32;
    c.ifmap_sram_kb = c.filter_sram_kb = c.ofmap_sram_kb = 4;
    c.dataflow = Dataflow::kOs;
    c.clock_ghz = 0.1;
  } else if (name == "eyeriss") {
    c.array_rows = 12;
    c.array_cols = 14;
    c.ifmap_sram_kb = c.filter_sram_kb = c.ofmap_sram_kb = 108;
    c.dataflow = Dataflow::kWs;
    c.clock_ghz = 0.2;
  } else {
    return Status::Error("unknown preset '" + name +
                         "' (known: scalesim, scalesim_lowmem, eyeriss)");
  }
  *config = c;
  return Status::Ok();
}

}  // namespace strata::hwsim
