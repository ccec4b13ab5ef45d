#include "train/trainer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "data/synth.h"
#include "model/checkpoint.h"
#include "temp_dir.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;

class TrainerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new test::TempDir();
    synthesize_isles({data_->path().string(), 3, 0, 7});
  }
  static void TearDownTestSuite() { delete data_; }

  TrainOptions tiny(const std::string& out, int epochs) {
    TrainOptions o;
    o.data_dir = data_->path().string();
    o.out_dir = out;
    o.preprocess.size_dhw = {4, 16, 16};
    o.width = 2;
    o.epochs = epochs;
    o.cases = {1, 2};
    o.val_cases = {3};
    o.threads = 1;
    o.quiet = true;
    return o;
  }

  static test::TempDir* data_;
  test::TempDir out_;
};
test::TempDir* TrainerTest::data_ = nullptr;

// fuzz_parsers: an epoch of 2e33 in train_log.csv was cast to int (undefined).
TEST(TrainLog, EpochsMustBePositiveWholeNumbersInRange) {
  const std::string header = "epoch,seconds,train_loss,val_dice\n";
  EXPECT_EQ(parse_train_log_csv(header + "2,0.5,0.25,\n", "log").at(0).epoch, 2);
  for (const std::string epoch : {"2e33", "0", "1.5", "-3", "nan", ""}) {
    try {
      parse_train_log_csv(header + epoch + ",0.5,0.25,\n", "log");
      ADD_FAILURE() << epoch << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), "log:2: epoch must be a positive whole number") << epoch;
    }
  }
}

TEST_F(TrainerTest, WritesCheckpointAndOneLogRowPerEpoch) {
  TrainResult r = train(tiny(out_ / "m", 2));
  ASSERT_EQ(r.log.size(), 2u);
  EXPECT_GE(r.log[1].val_dice, 0.0);
  for (const char* f : {"model.pt", "model.json", "optimizer.pt", "train_log.csv"}) {
    EXPECT_TRUE(fs::exists(out_ / (std::string("m/") + f))) << f;
  }
  auto log = parse_train_log_csv(read_text(out_ / "m/train_log.csv"), "log");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1].epoch, 2);
  auto info = read_model_info(out_ / "m");
  EXPECT_EQ(info["epoch"], 2);
  EXPECT_EQ(info["training"]["size_dhw"], nlohmann::json({4, 16, 16}));
  EXPECT_EQ(info["architecture"]["width"], 2);
}

TEST_F(TrainerTest, ResumedRunEqualsAnUninterruptedOne) {
  train(tiny(out_ / "straight", 3));
  train(tiny(out_ / "resumed", 2));
  TrainOptions more = tiny(out_ / "resumed", 3);
  more.resume = true;
  TrainResult r = train(more);
  EXPECT_EQ(r.log.size(), 3u);
  auto a = load_checkpoint(out_ / "straight");
  auto b = load_checkpoint(out_ / "resumed");
  auto pb = b.net->named_parameters();
  for (const auto& p : a.net->named_parameters()) {
    EXPECT_TRUE(torch::allclose(p.value(), pb[p.key()], 1e-4, 1e-5)) << p.key();
  }
}

// optimizer.pt by parameter name: torch::save(optimizer) ordered Adam's state by
// tensor addresses, so two identical trainings wrote different bytes.
TEST_F(TrainerTest, IdenticalTrainingsWriteIdenticalCheckpointFiles) {
  train(tiny(out_ / "first", 2));
  train(tiny(out_ / "second", 2));
  for (const char* file : {"model.pt", "model.safetensors", "optimizer.pt"}) {
    EXPECT_EQ(read_text(out_ / (std::string("first/") + file)),
              read_text(out_ / (std::string("second/") + file)))
        << file;
  }
  const std::string optimizer = read_text(out_ / "first/optimizer.pt");
  EXPECT_NE(optimizer.find("b1.conv1.weight/exp_avg_sq"), std::string::npos);
}

TEST_F(TrainerTest, RefusesToOverwriteACheckpointWithoutResume) {
  train(tiny(out_ / "m", 1));
  EXPECT_THROW(train(tiny(out_ / "m", 1)), Error);
}

TEST_F(TrainerTest, ResumeWithAnotherWidthIsAnError) {
  train(tiny(out_ / "m", 1));
  TrainOptions o = tiny(out_ / "m", 2);
  o.resume = true;
  o.width = 4;
  try {
    train(o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--width"), std::string::npos) << e.what();
  }
}

TEST_F(TrainerTest, UnknownCaseIsAnError) {
  TrainOptions o = tiny(out_ / "m", 1);
  o.cases = {1, 99};
  EXPECT_THROW(train(o), Error);
  EXPECT_FALSE(fs::exists(out_ / "m/model.json"));
}

}  // namespace
}  // namespace lrpseg
