#include "lrp/precision_check.h"

#include <cmath>

#include "util/error.h"

namespace lrpseg {

double pearson_correlation(const torch::Tensor& a_in, const torch::Tensor& b_in) {
  const torch::Tensor a = a_in.reshape({-1}).to(torch::kDouble);
  const torch::Tensor b = b_in.reshape({-1}).to(torch::kDouble);
  const torch::Tensor da = a - a.mean(), db = b - b.mean();
  const double saa = (da * da).sum().item<double>(), sbb = (db * db).sum().item<double>();
  if (saa == 0.0 || sbb == 0.0) return torch::equal(a, b) ? 1.0 : 0.0;
  return (da * db).sum().item<double>() / std::sqrt(saa * sbb);
}

torch::Tensor average_ranks(const torch::Tensor& values) {
  const torch::Tensor flat = values.reshape({-1}).to(torch::kDouble).contiguous();
  const int64_t n = flat.numel();
  const auto sorted = flat.sort();
  const torch::Tensor order = std::get<1>(sorted).contiguous();
  const torch::Tensor sorted_values = std::get<0>(sorted).contiguous();
  const double* v = sorted_values.data_ptr<double>();
  const int64_t* index = order.data_ptr<int64_t>();
  torch::Tensor ranks = torch::empty({n}, torch::kDouble);
  double* rank = ranks.data_ptr<double>();
  for (int64_t start = 0; start < n;) {
    int64_t end = start + 1;
    while (end < n && v[end] == v[start]) ++end;
    const double average = 0.5 * static_cast<double>(start + 1 + end);  // mean of start+1 … end
    for (int64_t i = start; i < end; ++i) rank[index[i]] = average;
    start = end;
  }
  return ranks;
}

double spearman_correlation(const torch::Tensor& a, const torch::Tensor& b) {
  return pearson_correlation(average_ranks(a), average_ranks(b));
}

std::vector<RelevanceAgreement> compare_relevance(const torch::Tensor& a,
                                                  const torch::Tensor& reference) {
  if (a.sizes() != reference.sizes()) {
    throw Error("precision check: the two relevance tensors differ in shape");
  }
  std::vector<RelevanceAgreement> result;
  for (int64_t k = 0; k < a.size(0); ++k) {
    const torch::Tensor x = a[k].to(torch::kDouble), ref = reference[k].to(torch::kDouble);
    RelevanceAgreement g;
    g.pearson = pearson_correlation(x, ref);
    g.spearman = spearman_correlation(x, ref);
    const double scale = ref.abs().max().item<double>();
    const double error = (x - ref).abs().max().item<double>();
    g.max_relative_error = scale > 0 ? error / scale : (error > 0 ? INFINITY : 0.0);
    result.push_back(g);
  }
  return result;
}

}  // namespace lrpseg
