#include "model/unet.h"

#include <gtest/gtest.h>

namespace lrpseg {
namespace {

TEST(UNet, PaperWidthHasExactlyTheParameterCountOfTheDesign) {
  UNet net(UNetOptions{6, 2, 32});
  EXPECT_EQ(net->parameter_count(), 19077158);
}

TEST(UNet, OutputKeepsInputSizeForOddSizes) {
  torch::manual_seed(0);
  UNet net(UNetOptions{6, 2, 2});
  net->eval();
  for (auto size : std::vector<std::array<int64_t, 3>>{{19, 48, 48}, {5, 7, 9}, {1, 3, 2}}) {
    auto y = net->forward(torch::rand({1, 6, size[0], size[1], size[2]}));
    EXPECT_EQ(y.sizes(), (std::vector<int64_t>{1, 2, size[0], size[1], size[2]}));
    EXPECT_GE(y.min().item<float>(), 0.0f);  // post-ReLU output
  }
}

TEST(UNet, TracedForwardEqualsPlainForward) {
  torch::manual_seed(0);
  UNet net(UNetOptions{6, 2, 2});
  net->eval();
  torch::NoGradGuard no_grad;
  auto x = torch::rand({1, 6, 5, 9, 7});
  Trace trace;
  auto traced = net->forward(x, &trace);
  auto plain = net->forward(x);
  EXPECT_TRUE(torch::equal(traced, plain));
  EXPECT_TRUE(torch::equal(trace.output, plain));
  // 7 blocks × 6 layers, 3 pools, 3 up-convolutions, 3 crops, 3 concats, head conv/BN/ReLU.
  EXPECT_EQ(trace.steps.size(), 7u * 6 + 3 + 3 + 3 + 3 + 3);
}

TEST(UNet, TraceRecordsForksSplitPointsAndCropOffsets) {
  torch::manual_seed(0);
  UNet net(UNetOptions{6, 2, 2});
  net->eval();
  torch::NoGradGuard no_grad;
  Trace trace;
  net->forward(torch::rand({1, 6, 5, 9, 7}), &trace);

  // h1 (output of b1.act2) feeds pool1 and cat3.
  const TraceStep& act = trace.steps[trace.find("b1.act2")];
  std::vector<int> readers = trace.consumers(act.output);
  ASSERT_EQ(readers.size(), 2u);
  EXPECT_EQ(trace.steps[readers[0]].name, "pool1");
  EXPECT_EQ(trace.steps[readers[1]].name, "cat3");

  const TraceStep& cat3 = trace.steps[trace.find("cat3")];
  EXPECT_EQ(cat3.split_channels, (std::vector<int64_t>{4, 8}));  // skip h1 (2w) first, then up (4w)
  EXPECT_EQ(cat3.inputs[0], act.output);

  // Pooling 5x9x7 with ceil gives 3x5x4, upsampling 6x10x8, cropped back to 5x9x7.
  const TraceStep& crop3 = trace.steps[trace.find("crop3")];
  EXPECT_EQ(crop3.crop_from_dhw, (std::array<int64_t, 3>{6, 10, 8}));
  EXPECT_EQ(crop3.crop_offset_dhw, (std::array<int64_t, 3>{0, 0, 0}));
  const TraceStep& pool1 = trace.steps[trace.find("pool1")];
  EXPECT_EQ(pool1.pooled.sizes(), (std::vector<int64_t>{1, 4, 3, 5, 4}));
}

}  // namespace
}  // namespace lrpseg
