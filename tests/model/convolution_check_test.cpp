// The float32-against-float64 check of convolution kernels: it passes LibTorch's
// kernels on every U-Net geometry, finds planted wrong ones, and its verifier turns
// the kernel library off (one warning) or refuses, as the header says.
#include "model/convolution_check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "error_of.h"
#include "model/unet.h"
#include "util/torch_compat.h"

namespace lrpseg {
namespace {

// Leaves oneDNN as the test found it.
struct MkldnnRestorer {
  bool enabled = at::globalContext().userEnabledMkldnn();
  ~MkldnnRestorer() { at::globalContext().setUserEnabledMkldnn(enabled); }
};

ConvolutionGeometry concat_block() {  // the width-8 U-Net's b6.conv1: 16 + 8 channels in
  return geometry_of(torch::zeros({8, 24, 3, 3, 3}), torch::zeros({8}), {1, 1, 1}, {1, 1, 1},
                     {0, 0, 0}, false);
}

TEST(ConvolutionCheck, GeometryNamesChannelsKernelAndLayout) {
  const ConvolutionGeometry conv = concat_block();
  EXPECT_EQ(conv.in_channels, 24);
  EXPECT_EQ(conv.out_channels, 8);
  EXPECT_EQ(conv.describe(), "24→8-channel 3x3x3 convolution (stride 1, padding 1, bias)");
  const ConvolutionGeometry up = geometry_of(torch::zeros({16, 8, 2, 2, 2}), torch::Tensor(),
                                             {2, 2, 2}, {0, 0, 0}, {1, 0, 1}, true);
  EXPECT_EQ(up.in_channels, 16);
  EXPECT_EQ(up.out_channels, 8);
  EXPECT_EQ(up.describe(),
            "16→8-channel 2x2x2 transposed convolution (stride 2, padding 0, output padding "
            "1x0x1, no bias)");
}

TEST(ConvolutionCheck, CheckedKernelsAgreeWithFloat64OnEveryUNetGeometry) {
  UNet net(UNetOptions{6, 2, 8});
  int checked = 0;
  for (const auto& module : net->modules(/*include_self=*/false)) {
    ConvolutionGeometry g;
    if (const auto* conv = module->as<torch::nn::Conv3d>()) {
      const auto& o = conv->options;
      g = geometry_of(conv->weight, conv->bias,
                      {(*o.stride())[0], (*o.stride())[1], (*o.stride())[2]}, {1, 1, 1}, {0, 0, 0},
                      false);
      if (conv->weight.size(2) == 1) g.padding = {0, 0, 0};
    } else if (const auto* up = module->as<torch::nn::ConvTranspose3d>()) {
      g = geometry_of(up->weight, up->bias, {2, 2, 2}, {0, 0, 0}, {0, 0, 0}, true);
    } else {
      continue;
    }
    // What lrpseg guarantees: after the process's check (which turns off a wrong
    // oneDNN, as Debian 13's LibTorch 2.6 needs), the kernels agree with float64.
    process_convolution_verifier().verify(g, torch::kCPU);
    const ConvolutionError error =
        measure_float_convolution(g, torch::kCPU, lrpseg_float_kernels());
    EXPECT_LT(error.relative, 1e-5) << g.describe() << ": " << error.worst;
    ++checked;
  }
  EXPECT_EQ(checked, 7 * 2 + 3 + 1);  // seven blocks of two, three up-convolutions, the head
}

TEST(ConvolutionCheck, PlantedWrongKernelsAreFoundAndNamed) {
  const ConvolutionGeometry g = concat_block();
  process_convolution_verifier().verify(g, torch::kCPU);  // kernels to plant into
  FloatConvolutionKernels kernels = lrpseg_float_kernels();
  const auto right_forward = kernels.forward;
  kernels.forward = [&](const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b,
                        const ConvolutionGeometry& geometry) {
    return right_forward(x, w, b, geometry) * 1.05;
  };
  ConvolutionError error = measure_float_convolution(g, torch::kCPU, kernels);
  EXPECT_EQ(error.worst, "forward");
  EXPECT_NEAR(error.relative, 0.05, 1e-4);

  kernels = lrpseg_float_kernels();
  const auto right_adjoint = kernels.adjoint;
  kernels.adjoint = [&](const torch::Tensor& s, const torch::Tensor& w,
                        const ConvolutionGeometry& geometry, Dims3 input_dhw) {
    torch::Tensor gx = right_adjoint(s, w, geometry, input_dhw);
    gx[1].zero_();  // the second sample of the batch left out
    return gx;
  };
  error = measure_float_convolution(g, torch::kCPU, kernels);
  EXPECT_EQ(error.worst, "adjoint");
  EXPECT_GT(error.relative, 0.3);
}

TEST(ConvolutionCheck, AutocastDoesNotTurnTheCheckIntoBFloat16) {
  struct CpuAutocast {  // as --amp does on CUDA; LibTorch's CPU autocast is bfloat16 too
    CpuAutocast() { set_cpu_autocast(true); }
    ~CpuAutocast() { set_cpu_autocast(false); }
  } autocast;
  // Without oneDNN lrpseg's forward calls torch::conv3d, which autocast casts (as on CUDA).
  MkldnnRestorer restore;
  at::globalContext().setUserEnabledMkldnn(false);
  const torch::Tensor x = torch::rand({1, 24, 2, 3, 3}), w = torch::rand({8, 24, 3, 3, 3});
  // Else this test would not test anything.
  ASSERT_EQ(torch::conv3d(x, w, {}, 1, 1).scalar_type(), torch::kBFloat16);
  const ConvolutionError error =
      measure_float_convolution(concat_block(), torch::kCPU, lrpseg_float_kernels());
  EXPECT_LT(error.relative, 1e-5) << error.worst;
}

TEST(ConvolutionCheck, CheckingLeavesTheRandomStreamAlone) {
  torch::manual_seed(3);
  const torch::Tensor expected = torch::rand({4});
  torch::manual_seed(3);
  measure_float_convolution(concat_block(), torch::kCPU, lrpseg_float_kernels());
  EXPECT_TRUE(torch::equal(torch::rand({4}), expected));
}

TEST(ConvolutionVerifier, WrongOneDnnKernelsTurnOneDnnOffWithOneWarning) {
  MkldnnRestorer restore;
  at::globalContext().setUserEnabledMkldnn(true);
  int measured = 0;
  ConvolutionVerifier verifier([&](const ConvolutionGeometry& g, torch::Device) {
    ++measured;
    // Wrong only while oneDNN runs, and only for 24 input channels.
    const bool wrong = at::globalContext().userEnabledMkldnn() && g.in_channels == 24;
    return ConvolutionError{wrong ? 0.4 : 1e-7, "forward"};
  });
  const ConvolutionGeometry other = geometry_of(torch::zeros({8, 16, 3, 3, 3}), torch::Tensor(),
                                                {1, 1, 1}, {1, 1, 1}, {0, 0, 0}, false);
  verifier.verify(other, torch::kCPU);
  EXPECT_EQ(measured, 1);
  testing::internal::CaptureStderr();
  verifier.verify(concat_block(), torch::kCPU);
  const std::string warning = testing::internal::GetCapturedStderr();
  EXPECT_FALSE(at::globalContext().userEnabledMkldnn());
  EXPECT_EQ(measured, 3);  // with oneDNN, then again without
  EXPECT_NE(warning.find("lrpseg: warning: float32 forward of a 24→8-channel 3x3x3 convolution"),
            std::string::npos)
      << warning;
  EXPECT_NE(warning.find("oneDNN is off for this run"), std::string::npos) << warning;
  EXPECT_EQ(std::count(warning.begin(), warning.end(), '\n'), 1);

  verifier.verify(concat_block(), torch::kCPU);  // checked once per geometry
  EXPECT_EQ(measured, 3);
  verifier.verify(other, torch::kCPU);  // passed on oneDNN: checked again without it
  EXPECT_EQ(measured, 4);
}

TEST(ConvolutionVerifier, ConvolutionsInsideACheckAreCoveredByIt) {
  std::vector<int64_t> measured;  // input channels of each geometry measured
  ConvolutionVerifier* self = nullptr;
  ConvolutionVerifier verifier([&](const ConvolutionGeometry& g, torch::Device device) {
    measured.push_back(g.in_channels);
    // The adjoint runs another geometry's convolution while this one is measured.
    ConvolutionGeometry adjoint = g;
    std::swap(adjoint.in_channels, adjoint.out_channels);
    self->verify(adjoint, device);
    return ConvolutionError{1e-7, "forward"};
  });
  self = &verifier;
  verifier.verify(concat_block(), torch::kCPU);
  EXPECT_EQ(measured, std::vector<int64_t>{24});
  ConvolutionGeometry flipped = concat_block();
  std::swap(flipped.in_channels, flipped.out_channels);
  verifier.verify(flipped, torch::kCPU);  // used on its own later: checked then
  EXPECT_EQ(measured, (std::vector<int64_t>{24, 8}));
}

TEST(ConvolutionVerifier, AGeometryWrongEvenWithoutTheLibraryIsAnError) {
  MkldnnRestorer restore;
  at::globalContext().setUserEnabledMkldnn(true);
  ConvolutionVerifier verifier([](const ConvolutionGeometry&, torch::Device) {
    return ConvolutionError{0.3, "input gradient"};
  });
  testing::internal::CaptureStderr();
  const std::string message = test::error_of([&] { verifier.verify(concat_block(), torch::kCPU); });
  testing::internal::GetCapturedStderr();
  EXPECT_NE(message.find("float32 input gradient of a 24→8-channel 3x3x3 convolution"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("even without oneDNN"), std::string::npos) << message;
  EXPECT_NE(message.find("this LibTorch computes float32 convolutions wrongly"), std::string::npos)
      << message;
  // Still refused on its next use: a caller that catches the Error gets no wrong result.
  const std::string again = test::error_of([&] { verifier.verify(concat_block(), torch::kCPU); });
  EXPECT_NE(again.find("float32 input gradient of a 24→8-channel"), std::string::npos) << again;
  EXPECT_EQ(again.find("even without"), std::string::npos) << again;  // oneDNN was off already
}

}  // namespace
}  // namespace lrpseg
