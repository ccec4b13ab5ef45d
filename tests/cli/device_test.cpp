// --device: benchmarks and checkpoints record where they ran (CPU here; Debian's
// LibTorch has no CUDA, which tests/cli/bad_input_test.cpp checks is refused).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_expect.h"
#include "data/synth.h"
#include "run_command.h"
#include "temp_dir.h"
#include "util/atomic_file.h"

namespace lrpseg {
namespace {

nlohmann::json json_of(const test::CommandResult& r) {
  EXPECT_EQ(r.status, 0) << r.output;
  const size_t start = r.output.find('{');
  if (start == std::string::npos) return nlohmann::json::object();
  return nlohmann::json::parse(r.output.substr(start));
}

TEST(DeviceOption, BenchmarksSayWhereTheyRan) {
  const nlohmann::json lrp = json_of(test::run_lrpseg(
      "bench lrp --device cpu --width 2 --size 4x8x8 --repeat 1 --sweep 2 --threads 1 --json"));
  EXPECT_EQ(lrp.value("device", ""), "cpu");
  const nlohmann::json train = json_of(test::run_lrpseg(
      "bench train --device cpu --width 2 --size 4x16x16 --repeat 1 --threads 1 --json"));
  EXPECT_EQ(train.value("device", ""), "cpu");
  EXPECT_EQ(train.value("amp", true), false);
  const nlohmann::json attribution = json_of(
      test::run_lrpseg("bench attribution --device cpu --width 2 --size 4x16x16 --method gradient "
                       "--threads 1 --json"));
  EXPECT_EQ(attribution.value("device", ""), "cpu");
}

TEST(DeviceOption, TheCheckpointRecordsTheTrainingDevice) {
  test::TempDir dir;
  synthesize_isles({dir / "data", 2, 0, 1});
  const auto r = test::train_tiny(dir, " --device cpu");
  ASSERT_EQ(r.status, 0) << r.output;
  const nlohmann::json info = nlohmann::json::parse(read_text(dir / "m/model.json"));
  EXPECT_EQ(info.at("training").at("device"), "cpu");
  EXPECT_EQ(info.at("training").at("amp"), false);
}

}  // namespace
}  // namespace lrpseg
