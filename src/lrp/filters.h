#pragma once
// The paper's amplitude filters (Tjoa et al. §2, Fig. 4; DESIGN.md §3). A filter
// acts on the relevance of one sample: m = max|R| (m = 0: unchanged), R' = R/m,
// then raw / pass / clamp on R', and F(R) = m·R'.
#include <torch/torch.h>

#include <string>
#include <vector>

namespace lrpseg {

struct Filter {
  enum class Kind { Raw, Pass, Clamp };
  Kind kind = Kind::Raw;
  double low = 0.0;   // a1
  double high = 1.0;  // a2

  static Filter raw() { return {}; }
  // Keeps R' where |R'| ∈ [a1, a2] (inclusive), zero elsewhere.
  static Filter pass(double a1, double a2);
  // Clamps |R'| into [a1, a2] keeping the sign; exact zeros stay zero.
  static Filter clamp(double a1, double a2);

  bool operator==(const Filter& other) const {
    return kind == other.kind && low == other.low && high == other.high;
  }
  bool operator!=(const Filter& other) const { return !(*this == other); }
};

// "raw", "pass:0-0.2", "clamp:0.05-1"; parse_filter(to_string(f)) == f.
std::string to_string(const Filter& filter);

// "raw", "pass:a1-a2", "clamp:a1-a2", or the short forms "pass:a2" / "clamp:a2"
// meaning [0, a2]. Throws lrpseg::Error for malformed specs, a1 ≥ a2 or bounds
// outside [0, 1].
Filter parse_filter(const std::string& spec);

// Comma-separated specs; "paper" expands to paper_filters().
std::vector<Filter> parse_filters(const std::string& specs);

// The paper's 16-setting sweep, in the DESIGN order: raw; pass 0-0.05 … 0-0.6,
// 0.05-1 … 0.6-1; clamp 0-0.05 … 0-0.6.
std::vector<Filter> paper_filters();

// Applies `filter` to every sample (dim 0) of r, each normalised by its own max|R|.
torch::Tensor apply_filter(const torch::Tensor& r, const Filter& filter);

// Applies filters[k] to sample k of r, in place (r.size(0) == filters.size()).
void apply_filters_(torch::Tensor& r, const std::vector<Filter>& filters);

}  // namespace lrpseg
