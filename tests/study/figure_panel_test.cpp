#include "study/figure_panel.h"

#include <gtest/gtest.h>

#include "data/preprocess.h"
#include "io/nifti.h"
#include "util/error.h"

namespace lrpseg {
namespace {

TEST(FigurePanel, SliceWithMostLesionIsChosenAndMiddleWhenEmpty) {
  auto mask = torch::zeros({5, 4, 4}, torch::kUInt8);
  mask[1][0][0] = 1;
  mask[3].fill_(1);
  EXPECT_EQ(slice_with_most_lesion(mask), 3);
  EXPECT_EQ(slice_with_most_lesion(torch::zeros({5, 4, 4}, torch::kUInt8)), 2);
}

TEST(FigurePanel, ModalityNamesMapToChannels) {
  EXPECT_EQ(modality_index("ADC", "--modality"), 0);
  EXPECT_EQ(modality_index("rCBF", "--modality"), 2);
  EXPECT_EQ(modality_index("TTP", "--modality"), 5);
  EXPECT_THROW(modality_index("T1", "--modality"), Error);
}

TEST(FigurePanel, DataTakesTheSliceAndTheVolumeMaximumOfTheChannel) {
  CaseExplanation c;
  c.volumes.name = "training_4";
  c.volumes.image = torch::rand({6, 3, 4, 5});
  c.volumes.label = torch::zeros({3, 4, 5}, torch::kUInt8);
  c.prediction = torch::ones({3, 4, 5}, torch::kUInt8);
  c.dice = 0.5;
  c.explanation.filters = {"raw", "pass:0-0.4"};
  // Network grid (3, 2, 5) resized to the case grid (3, 4, 5): rows doubled.
  c.explanation.relevance = torch::zeros({2, 6, 3, 2, 5});
  c.explanation.relevance[0][2][0][0][1] = -7.0;  // the channel's maximum lies on another slice
  c.explanation.relevance[0][2][1][1][3] = 3.0;   // case rows 2 and 3
  c.case_index = nearest_index_map({3, 2, 5}, {3, 4, 5});
  Figure1Data d = figure1_data(c, 2, 1, "A1");
  ASSERT_EQ(d.relevance.size(), 2u);
  EXPECT_DOUBLE_EQ(d.max_abs[0], 7.0);
  EXPECT_FLOAT_EQ(d.relevance[0][2][3].item<float>(), 3.0f);
  EXPECT_FLOAT_EQ(d.relevance[0][3][3].item<float>(), 3.0f);
  EXPECT_FLOAT_EQ(d.relevance[0][1][3].item<float>(), 0.0f);
  EXPECT_TRUE(torch::equal(d.modality_slice, c.volumes.image[2][1]));
  EXPECT_EQ(d.relevance_titles[1], "pass:0-0.4");
  EXPECT_DOUBLE_EQ(d.dice, 0.5);
  EXPECT_NE(d.title.find("rCBF"), std::string::npos);
  EXPECT_THROW(figure1_data(c, 2, 3, "A1"), Error);
  EXPECT_EQ(d.edge_labels[0], "");  // no affine: voxel order, unlabelled
  EXPECT_NE(d.title.find("slice 1, voxel order"), std::string::npos) << d.title;
}

// With an affine (RAS) the panel is shown radiologically: rows and columns reversed, labelled,
// and slice -1 is the one with most lesion.
TEST(FigurePanel, SlicesAreOrientedFromTheAffine) {
  CaseExplanation c;
  c.volumes.name = "training_4";
  c.volumes.geometry = make_nifti_header({3, 4, 5}, {1, 1, 1});
  c.volumes.image = torch::rand({6, 3, 4, 5});
  c.volumes.label = torch::zeros({3, 4, 5}, torch::kUInt8);
  c.volumes.label[2][0][0] = 1;  // the patient's left-posterior corner of slice 2
  c.prediction = c.volumes.label.clone();
  c.explanation.filters = {"raw"};
  c.explanation.relevance = torch::zeros({1, 6, 3, 4, 5});
  c.explanation.relevance[0][2][2][0][0] = 5.0;
  c.case_index = nearest_index_map({3, 4, 5}, {3, 4, 5});
  Figure1Data d = figure1_data(c, 2, -1, "A1", DisplayConvention::Radiological);
  EXPECT_NE(d.title.find("axial slice 2, radiological view"), std::string::npos) << d.title;
  EXPECT_EQ(d.edge_labels, (std::array<std::string, 4>{"R", "L", "A", "P"}));
  EXPECT_TRUE(torch::equal(d.modality_slice, c.volumes.image[2][2].flip({0, 1})));
  // Left-posterior: the image's bottom right in the radiological convention ...
  EXPECT_EQ(d.ground_truth[3][4].item<uint8_t>(), 1);
  EXPECT_FLOAT_EQ(d.relevance[0][3][4].item<float>(), 5.0f);
  // ... and its bottom left in the neurological one.
  Figure1Data n = figure1_data(c, 2, -1, "A1", DisplayConvention::Neurological);
  EXPECT_EQ(n.prediction[3][0].item<uint8_t>(), 1);
  EXPECT_EQ(n.edge_labels[0], "L");
}

}  // namespace
}  // namespace lrpseg
