#pragma once
// How far relevance computed in one precision is from the same computation in
// another (float32 against float64): the paper's z+ on LeakyReLU activations
// cancels, so float32 relevance can differ from the exact value well beyond
// rounding of the result. Figures per filter setting (sample of a batch).
#include <torch/torch.h>

#include <vector>

namespace lrpseg {

struct RelevanceAgreement {
  double pearson = 0;             // correlation over all voxels and channels
  double spearman = 0;            // rank correlation (ties get their average rank)
  double max_relative_error = 0;  // max |a − reference| / max |reference| (0 when both are 0)
};

// a and reference: (K, …); one entry per sample k. A constant map has
// correlation 1 with an identical map and 0 otherwise.
std::vector<RelevanceAgreement> compare_relevance(const torch::Tensor& a,
                                                  const torch::Tensor& reference);

// Pearson correlation of two equally sized tensors, in float64.
double pearson_correlation(const torch::Tensor& a, const torch::Tensor& b);
// Spearman rank correlation, ties ranked by their average rank.
double spearman_correlation(const torch::Tensor& a, const torch::Tensor& b);
// Ranks 1…n of the flattened tensor (float64), equal values share their average rank.
torch::Tensor average_ranks(const torch::Tensor& values);

}  // namespace lrpseg
