// Small text helpers shared by hwsim's parsers (config, topology, precision plans, reports).
#ifndef STRATA_HWSIM_TEXT_UTIL_H_
#define STRATA_HWSIM_TEXT_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "hwsim/status.h"

namespace strata::hwsim {

std::string Trim(const std::string& s);
std::string ToLower(std::string s);
// Splits on `sep`, keeping empty fields ("a,,b," -> {"a", "", "b", ""}).
std::vector<std::string> Split(const std::string& s, char sep);
// Parses a whole (trimmed) decimal integer; false on anything else.
bool ParseInt(const std::string& s, int64_t* out);
bool ParseDouble(const std::string& s, double* out);
// Reads a whole file; the error names the path.
Status ReadFile(const std::string& path, std::string* contents);
// Writes `contents` to `path` atomically (temporary file in the same directory + rename).
Status WriteFileAtomic(const std::string& path, const std::string& contents);
// "file:line: " prefix for messages.
std::string Where(const std::string& file, int line);

}  // namespace strata::hwsim

#endif  // STRATA_HWSIM_TEXT_UTIL_H_
