#include "report/viewer_data.h"

#include <gtest/gtest.h>

#include <cstring>

#include "data/preprocess.h"
#include "io/nifti.h"
#include "report/html_encode.h"
#include "temp_dir.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg {
namespace {

using nlohmann::json;

// A case explained with two filters at network size (3, 4, 5) from a case grid
// (3, 8, 10); relevance channel 1 of filter 0 is all zero.
CaseExplanation small_explanation() {
  torch::manual_seed(3);
  CaseExplanation c;
  c.volumes.name = "training_1";
  c.input = torch::rand({6, 3, 4, 5});
  c.explanation.filters = {"raw", "pass:0-0.2"};
  c.explanation.relevance = torch::randn({2, 6, 3, 4, 5});
  c.explanation.relevance[0][1].zero_();
  c.explanation.relevance[1][2][0][0][0] = 0.0;
  c.explanation.max_abs_per_channel = c.explanation.relevance.abs().amax({2, 3, 4});
  c.volumes.label = torch::rand({3, 8, 10}).gt(0.6).to(torch::kUInt8);
  c.prediction = torch::rand({3, 8, 10}).gt(0.5).to(torch::kUInt8);
  c.dice = 0.25;
  return c;
}

torch::Tensor decode_volume(const json& b64) {
  std::string bytes = base64_decode(b64.get<std::string>());
  auto t = torch::empty({int64_t(bytes.size())}, torch::kUInt8);
  std::memcpy(t.data_ptr<uint8_t>(), bytes.data(), bytes.size());
  return t;
}

TEST(ViewerData, RecordsSizesNamesAndDice) {
  json j = viewer_data(small_explanation(), "A1");
  EXPECT_EQ(j["case"], "training_1");
  EXPECT_EQ(j["model"], "A1");
  EXPECT_EQ(j["size_dhw"], json::array({3, 4, 5}));
  EXPECT_EQ(j["modalities"], json::array({"ADC", "MTT", "rCBF", "rCBV", "Tmax", "TTP"}));
  EXPECT_EQ(j["filters"], json::array({"raw", "pass:0-0.2"}));
  EXPECT_DOUBLE_EQ(j["dice"].get<double>(), 0.25);
  ASSERT_EQ(j["input"].size(), 6u);
  ASSERT_EQ(j["relevance"].size(), 2u);
  ASSERT_EQ(j["max_abs"].size(), 2u);
  for (int k = 0; k < 2; ++k) {
    ASSERT_EQ(j["relevance"][k].size(), 6u);
    ASSERT_EQ(j["max_abs"][k].size(), 6u);
  }
}

TEST(ViewerData, InputDecodesWithinOneQuantisationStep) {
  auto c = small_explanation();
  json j = viewer_data(c, "A1");
  for (int m = 0; m < 6; ++m) {
    auto bytes = decode_volume(j["input"][m]);
    ASSERT_EQ(bytes.numel(), 3 * 4 * 5);
    auto decoded = bytes.to(torch::kFloat).div(255).reshape({3, 4, 5});
    EXPECT_LE((decoded - c.input[m]).abs().max().item<float>(), 0.5f / 255 + 1e-6f) << m;
  }
}

TEST(ViewerData, RelevanceDecodesOverMaxAbsWith127AsZero) {
  auto c = small_explanation();
  json j = viewer_data(c, "A1");
  const auto& r = c.explanation.relevance;
  for (int k = 0; k < 2; ++k) {
    for (int m = 0; m < 6; ++m) {
      double max_abs = j["max_abs"][k][m].get<double>();
      EXPECT_NEAR(max_abs, c.explanation.max_abs_per_channel[k][m].item<double>(), 1e-6);
      auto bytes = decode_volume(j["relevance"][k][m]);
      ASSERT_EQ(bytes.numel(), 3 * 4 * 5);
      EXPECT_LE(bytes.max().item<uint8_t>(), 254);
      auto decoded = bytes.to(torch::kDouble).sub(127).div(127).reshape({3, 4, 5});
      auto expected = max_abs > 0 ? r[k][m].to(torch::kDouble) / max_abs
                                  : torch::zeros({3, 4, 5}, torch::kDouble);
      EXPECT_LE((decoded - expected).abs().max().item<double>(), 0.5 / 127 + 1e-9) << k << m;
    }
  }
  // The all-zero channel keeps max 0 and decodes to 127 everywhere; an exact 0 is 127.
  EXPECT_EQ(j["max_abs"][0][1].get<double>(), 0.0);
  EXPECT_TRUE(decode_volume(j["relevance"][0][1]).eq(127).all().item<bool>());
  EXPECT_EQ(decode_volume(j["relevance"][1][2])[0].item<uint8_t>(), 127);
  // The largest |R| of a channel reaches the ends of the scale.
  auto ends = decode_volume(j["relevance"][1][0]);
  EXPECT_TRUE(ends.eq(0).any().item<bool>() || ends.eq(254).any().item<bool>());
}

TEST(ViewerData, LabelAndPredictionAreResizedToNetworkSizeWithNearest) {
  auto c = small_explanation();
  json j = viewer_data(c, "A1");
  auto label = decode_volume(j["label"]).reshape({3, 4, 5});
  auto prediction = decode_volume(j["prediction"]).reshape({3, 4, 5});
  EXPECT_TRUE(label.equal(resize_label(c.volumes.label, {3, 4, 5})));
  EXPECT_TRUE(prediction.equal(resize_label(c.prediction, {3, 4, 5})));
}

TEST(ViewerData, CaseWithoutGroundTruthHasNullLabelAndDice) {
  auto c = small_explanation();
  c.volumes.label = torch::Tensor();
  c.dice = -1;
  json j = viewer_data(c, "A1");
  EXPECT_TRUE(j["label"].is_null());
  EXPECT_TRUE(j["dice"].is_null());
  EXPECT_TRUE(j["prediction"].is_string());
}

TEST(ViewerData, RelevanceOfAnotherSizeThanTheInputThrows) {
  auto c = small_explanation();
  c.explanation.relevance = torch::zeros({2, 6, 3, 4, 4});
  EXPECT_THROW(viewer_data(c, "A1"), Error);
}

TEST(ViewerData, WritesTheSameJsonToAFile) {
  test::TempDir dir;
  auto c = small_explanation();
  write_viewer_data(c, "A1", DisplayConvention::Neurological, dir / "viewer.json");
  EXPECT_EQ(json::parse(read_text(dir / "viewer.json")),
            viewer_data(c, "A1", DisplayConvention::Neurological));
}

// A case with an affine (the scaled identity: RAS) is shown radiologically with
// rows and columns reversed; every volume moves alike and the JSON says how.
TEST(ViewerData, VolumesFollowTheAffineInTheChosenConvention) {
  auto c = small_explanation();
  c.volumes.geometry = make_nifti_header({3, 8, 10}, {1, 1, 1});
  json j = viewer_data(c, "A1", DisplayConvention::Radiological);
  const json& d = j["display"];
  EXPECT_EQ(d["convention"], "radiological");
  EXPECT_EQ(d["file_axes"], "RAS");
  EXPECT_EQ(d["left"], "R");
  EXPECT_EQ(d["right"], "L");
  EXPECT_EQ(d["top"], "A");
  EXPECT_EQ(d["bottom"], "P");
  EXPECT_EQ(d["axis"], json::array({0, 1, 2}));
  EXPECT_EQ(d["flip"], json::array({false, true, true}));
  EXPECT_EQ(d["grid_dhw"], json::array({3, 4, 5}));
  EXPECT_EQ(j["size_dhw"], json::array({3, 4, 5}));
  auto input = decode_volume(j["input"][2]).to(torch::kFloat).div(255).reshape({3, 4, 5});
  EXPECT_LE((input - c.input[2].flip({1, 2})).abs().max().item<float>(), 0.5f / 255 + 1e-6f);
  auto label = decode_volume(j["label"]).reshape({3, 4, 5});
  EXPECT_TRUE(label.equal(resize_label(c.volumes.label, {3, 4, 5}).flip({1, 2})));
  const double max_abs = j["max_abs"][1][4].get<double>();
  auto relevance =
      decode_volume(j["relevance"][1][4]).to(torch::kDouble).sub(127).div(127).reshape({3, 4, 5});
  auto expected = c.explanation.relevance[1][4].to(torch::kDouble).flip({1, 2}) / max_abs;
  EXPECT_LE((relevance - expected).abs().max().item<double>(), 0.5 / 127 + 1e-9);

  json n = viewer_data(c, "A1", DisplayConvention::Neurological);
  EXPECT_EQ(n["display"]["flip"], json::array({false, true, false}));
  EXPECT_EQ(n["display"]["left"], "L");
}

TEST(ViewerData, WithoutAnAffineVolumesKeepTheVoxelOrderUnlabelled) {
  json j = viewer_data(small_explanation(), "A1");
  EXPECT_EQ(j["display"]["convention"], "voxel order");
  EXPECT_EQ(j["display"]["left"], "");
  EXPECT_EQ(j["display"]["flip"], json::array({false, false, false}));
}

}  // namespace
}  // namespace lrpseg
