#include <gtest/gtest.h>

#include <cmath>

#include "evaluation/evaluate.h"
#include "temp_dir.h"
#include "util/atomic_file.h"

namespace lrpseg {
namespace {

TEST(EvaluationTable, SummaryAveragesDefinedValuesAndCountsTheRest) {
  const std::vector<EvaluationRow> rows{
      {"c1", "A1", "lrp", "raw", "mass_accuracy", 0.2},
      {"c2", "A1", "lrp", "raw", "mass_accuracy", 0.6},
      {"c3", "A1", "lrp", "raw", "mass_accuracy", std::nullopt},
      {"c1", "A1", "gradient", "-", "mass_accuracy", std::nullopt},
      {"c1", "A1", "lrp", "raw", "abpc", 0.1},
  };
  const auto s = summarise(rows);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].metric, "mass_accuracy");
  EXPECT_DOUBLE_EQ(s[0].mean, 0.4);
  EXPECT_DOUBLE_EQ(s[0].sd, std::sqrt(0.08));
  EXPECT_EQ(s[0].n, 2);
  EXPECT_EQ(s[0].undefined, 1);
  EXPECT_EQ(s[1].method, "gradient");
  EXPECT_EQ(s[1].n, 0);
  EXPECT_EQ(s[1].undefined, 1);
  EXPECT_EQ(s[2].metric, "abpc");

  test::TempDir dir;
  const std::string path = dir / "evaluation_summary.csv";
  write_text_atomically(path, evaluation_summary_csv(s));
  const auto back = read_evaluation_summary(path);
  ASSERT_EQ(back.size(), s.size());
  EXPECT_DOUBLE_EQ(back[0].mean, s[0].mean);
  EXPECT_DOUBLE_EQ(back[0].sd, s[0].sd);
  EXPECT_EQ(back[1].undefined, 1);
  EXPECT_EQ(back[1].n, 0);

  const std::string md = evaluation_summary_markdown(s);
  EXPECT_NE(md.find("| A1 | lrp | raw | 0.400 ± 0.283 (1 undefined) | 0.100 ± 0.000 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("undefined (1)"), std::string::npos);
  EXPECT_NE(evaluation_csv(rows).find("c3,A1,lrp,raw,mass_accuracy,\n"), std::string::npos);
}

TEST(EvaluationTable, BaselinesAreMethodsAndEverythingElseIsAnLrpFilter) {
  EXPECT_EQ(method_and_filter("integrated-gradients"),
            (std::pair<std::string, std::string>{"integrated-gradients", "-"}));
  EXPECT_EQ(method_and_filter("clamp:0-0.05"),
            (std::pair<std::string, std::string>{"lrp", "clamp:0-0.05"}));
}

TEST(EvaluationTable, FamiliesParseAndBadNamesAreNamed) {
  EXPECT_EQ(parse_evaluation_families("all"), evaluation_families());
  EXPECT_EQ(parse_evaluation_families("sanity,localisation"),
            (std::vector<std::string>{"sanity", "localisation"}));
  try {
    parse_evaluation_families("localisation,beauty");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--metrics"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("beauty"), std::string::npos);
  }
}

}  // namespace
}  // namespace lrpseg
