#include <gtest/gtest.h>
#include <torch/torch.h>

// Tests run in parallel under ctest -j2; one intra-op thread each keeps the
// machine's two cores busy without oversubscription.
int main(int argc, char** argv) {
  torch::set_num_threads(1);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
