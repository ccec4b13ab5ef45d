#include "util/device.h"

#include <gtest/gtest.h>
#include <torch/cuda.h>

#include "util/error.h"
#include "util/torch_compat.h"

namespace lrpseg {
namespace {

// The message of what f throws as E, or "" when it throws nothing.
template <typename E, typename F>
std::string thrown(F f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}

TEST(Device, CpuIsTheCpu) {
  EXPECT_TRUE(parse_device("cpu").is_cpu());
  EXPECT_EQ(device_name(parse_device("cpu")), "cpu");
}

TEST(Device, OtherNamesAreRefusedNamingTheOption) {
  for (const std::string bad : {"gpu", "CUDA", "cuda:", "cuda:x", "cuda:-1", "cuda:1234", ""}) {
    const std::string message = thrown<UsageError>([&] { parse_device(bad, "--device"); });
    EXPECT_EQ(message.rfind("--device '" + bad + "': expected cpu, cuda or cuda:N", 0), 0u)
        << bad << ": " << message;
  }
  // From a config file: an Error (exit 1) naming the file and key, not a usage error.
  const std::string message = thrown<Error>([] { parse_device("tpu", "run.json: device"); });
  EXPECT_EQ(message.rfind("run.json: device 'tpu'", 0), 0u) << message;
  try {
    parse_device("tpu", "run.json: device");
  } catch (const Error& e) {
    EXPECT_EQ(dynamic_cast<const UsageError*>(&e), nullptr);
  }
}

TEST(Device, CudaWithoutACudaLibTorchSaysSo) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "this LibTorch has a GPU";
  for (const std::string name : {"cuda", "cuda:0", "cuda:3"}) {
    const std::string message = thrown<UsageError>([&] { parse_device(name); });
    EXPECT_NE(message.find("--device '" + name + "': this LibTorch has no CUDA"), std::string::npos)
        << message;
  }
}

TEST(Device, AmpIsForCudaOnly) {
  const std::string message = thrown<UsageError>([] { check_amp(true, torch::kCPU); });
  EXPECT_EQ(message.rfind("--amp:", 0), 0u) << message;
  EXPECT_NO_THROW(check_amp(false, torch::kCPU));
  EXPECT_NO_THROW(check_amp(true, torch::Device(torch::kCUDA, 0)));
}

TEST(Device, AutocastScopeTurnsCudaAutocastOnAndRestoresIt) {
  ASSERT_FALSE(cuda_autocast_enabled());
  {
    const BFloat16Autocast off(false);
    EXPECT_FALSE(cuda_autocast_enabled());
  }
  {
    const BFloat16Autocast on(true);
    EXPECT_TRUE(cuda_autocast_enabled());
    {
      const BFloat16Autocast nested(true);
      EXPECT_TRUE(cuda_autocast_enabled());
    }
    EXPECT_TRUE(cuda_autocast_enabled());
  }
  EXPECT_FALSE(cuda_autocast_enabled());
}

TEST(TorchCompat, OptimizerStateKeyFindsWhatAdamStored) {
  torch::manual_seed(0);
  torch::nn::Linear layer(3, 2);
  torch::optim::Adam adam(layer->parameters(), torch::optim::AdamOptions(0.1));
  layer->forward(torch::rand({4, 3})).sum().backward();
  adam.step();
  ASSERT_EQ(adam.state().size(), layer->parameters().size());
  for (const auto& p : layer->parameters())
    EXPECT_EQ(adam.state().count(optimizer_state_key(adam, p)), 1u);
  // Another tensor of the same shape has no state.
  const torch::Tensor other = torch::zeros_like(layer->parameters().front());
  EXPECT_EQ(adam.state().count(optimizer_state_key(adam, other)), 0u);
}

struct StoreOptionsWithLibuv {
  bool useLibUV = true;
};
struct StoreOptionsWithoutLibuv {
  int port = 0;
};

TEST(TorchCompat, LibuvStoreIsTurnedOffOnlyWhereTheOptionsHaveTheSwitch) {
  StoreOptionsWithLibuv with;
  EXPECT_TRUE(disable_libuv_store(with));
  EXPECT_FALSE(with.useLibUV);
  EXPECT_FALSE(disable_libuv_store(with));  // already off: nothing to retry
  StoreOptionsWithoutLibuv without;
  EXPECT_FALSE(disable_libuv_store(without));
}

}  // namespace
}  // namespace lrpseg
