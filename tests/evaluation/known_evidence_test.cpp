#include "evaluation/known_evidence.h"

#include <gtest/gtest.h>

namespace lrpseg {
namespace {

TEST(KnownEvidence, SharesOfHandMadeRelevance) {
  // Three channels, two voxels; evidence in channel 1 only; OT is voxel 0.
  const torch::Tensor r = torch::tensor({1.0, -1.0, 2.0, 2.0, -4.0, 0.0}).view({3, 1, 1, 2});
  const torch::Tensor ot = torch::tensor({1, 0}, torch::kUInt8).view({1, 1, 2});
  const EvidenceShares s = evidence_shares(r, {1}, ot);
  EXPECT_DOUBLE_EQ(*s.abs_share, 4.0 / 10.0);      // |R|: 2, 4, 4
  EXPECT_DOUBLE_EQ(*s.positive_share, 4.0 / 5.0);  // R⁺: 1, 4, 0
  EXPECT_DOUBLE_EQ(*s.ot_share, 2.0 / 10.0);       // channel 1 inside OT: |2|
  const EvidenceShares all = evidence_shares(r, {0, 1, 2}, ot);
  EXPECT_DOUBLE_EQ(*all.abs_share, 1.0);
}

TEST(KnownEvidence, UndefinedWithoutRelevanceOrOT) {
  const EvidenceShares s = evidence_shares(torch::zeros({2, 1, 1, 2}), {0}, torch::Tensor());
  EXPECT_FALSE(s.abs_share || s.positive_share || s.ot_share);
}

}  // namespace
}  // namespace lrpseg
