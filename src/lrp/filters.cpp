#include "lrp/filters.h"

#include <cstdlib>
#include <sstream>

#include "util/error.h"
#include "util/text.h"

namespace lrpseg {

namespace {

void check_bounds(const std::string& what, double a1, double a2) {
  if (!(a1 >= 0.0 && a2 <= 1.0)) {
    throw Error("filter '" + what + "': bounds must lie in [0, 1]");
  }
  if (!(a1 < a2)) throw Error("filter '" + what + "': needs a1 < a2");
}

// Parses a whole string as a number; false when anything is left over.
// One sample, in place.
void filter_sample_(torch::Tensor sample, const Filter& filter) {
  if (filter.kind == Filter::Kind::Raw) return;
  const double m = sample.abs().max().item<double>();
  if (m == 0.0) return;  // all zero stays zero (the reference code divided by 0 here)
  if (filter.kind == Filter::Kind::Pass) {
    // The band test is on R' = R/m itself, so the bounds are inclusive exactly as stated.
    torch::Tensor normalised = sample.abs().div_(m);
    torch::Tensor outside = normalised.lt(filter.low).logical_or_(normalised.gt(filter.high));
    sample.masked_fill_(outside, 0.0);
  } else {
    // m·sign(R')·clamp(|R'|, a1, a2) = sign(R)·clamp(|R|, a1·m, a2·m); sign(0) = 0
    // keeps exact zeros, and values inside the band are returned bit for bit.
    torch::Tensor clamped = sample.abs().clamp_(filter.low * m, filter.high * m);
    sample.copy_(clamped.mul_(sample.sign()));
  }
}

}  // namespace

Filter Filter::pass(double a1, double a2) {
  Filter f{Kind::Pass, a1, a2};
  check_bounds(to_string(f), a1, a2);
  return f;
}

Filter Filter::clamp(double a1, double a2) {
  Filter f{Kind::Clamp, a1, a2};
  check_bounds(to_string(f), a1, a2);
  return f;
}

std::string to_string(const Filter& filter) {
  if (filter.kind == Filter::Kind::Raw) return "raw";
  std::ostringstream s;
  s << (filter.kind == Filter::Kind::Pass ? "pass:" : "clamp:") << filter.low << "-" << filter.high;
  return s.str();
}

Filter parse_filter(const std::string& raw_spec) {
  const std::string spec = trim(raw_spec);
  if (spec == "raw") return Filter::raw();
  const auto colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  if (colon == std::string::npos || (kind != "pass" && kind != "clamp")) {
    throw Error("filter '" + spec + "': expected raw, pass:a1-a2 or clamp:a1-a2");
  }
  const std::string range = spec.substr(colon + 1);
  const auto dash = range.find('-');
  const std::optional<double> a1 = dash == std::string::npos ? 0.0
                                                             : parse_double(range.substr(0, dash)),
                              a2 = parse_double(dash == std::string::npos ? range
                                                                          : range.substr(dash + 1));
  if (!a1 || !a2)
    throw Error("filter '" + spec + "': expected " + kind + ":a1-a2 or " + kind + ":a2");
  return kind == "pass" ? Filter::pass(*a1, *a2) : Filter::clamp(*a1, *a2);
}

std::vector<Filter> parse_filters(const std::string& specs) {
  std::vector<Filter> filters;
  std::stringstream stream(specs);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (trim(item) == "paper") {
      for (const Filter& f : paper_filters()) filters.push_back(f);
    } else {
      filters.push_back(parse_filter(item));
    }
  }
  if (filters.empty()) throw Error("filters '" + specs + "': no filter given");
  return filters;
}

std::vector<Filter> paper_filters() {
  std::vector<Filter> filters{Filter::raw()};
  for (double a2 : {0.05, 0.1, 0.2, 0.4, 0.6}) filters.push_back(Filter::pass(0.0, a2));
  for (double a1 : {0.05, 0.1, 0.2, 0.4, 0.6}) filters.push_back(Filter::pass(a1, 1.0));
  for (double a2 : {0.05, 0.1, 0.2, 0.4, 0.6}) filters.push_back(Filter::clamp(0.0, a2));
  return filters;
}

torch::Tensor apply_filter(const torch::Tensor& r, const Filter& filter) {
  torch::Tensor out = r.clone();
  for (int64_t k = 0; k < out.size(0); ++k) filter_sample_(out[k], filter);
  return out;
}

void apply_filters_(torch::Tensor& r, const std::vector<Filter>& filters) {
  if (r.size(0) != static_cast<int64_t>(filters.size())) {
    throw Error("filters: " + std::to_string(filters.size()) + " filters for a batch of " +
                std::to_string(r.size(0)));
  }
  for (int64_t k = 0; k < r.size(0); ++k) filter_sample_(r[k], filters[k]);
}

}  // namespace lrpseg
