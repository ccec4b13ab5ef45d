#include <gtest/gtest.h>

#include "study/experiment.h"
#include "study/pipeline.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg {
namespace {

using nlohmann::json;

std::string error_of(const json& j) {
  try {
    parse_experiment_config(j, "cfg.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

json minimal() { return {{"data", "isles"}, {"series", {{{"name", "A"}, {"size", "19x48x48"}}}}}; }

TEST(ExperimentConfig, ShippedConfigsParse) {
  for (const char* file : {"configs/paper.json", "configs/demo.json"}) {
    std::string path = std::string(LRPSEG_SOURCE_DIR) + "/" + file;
    ExperimentConfig c = read_experiment_config(path);
    EXPECT_FALSE(c.series.empty()) << file;
  }
  ExperimentConfig paper =
      read_experiment_config(std::string(LRPSEG_SOURCE_DIR) + "/configs/paper.json");
  ASSERT_EQ(paper.series.size(), 4u);
  EXPECT_EQ(paper.series[3].name, "X");
  EXPECT_EQ(paper.series[3].size_dhw, (std::array<int64_t, 3>{19, 192, 192}));
  EXPECT_EQ(paper.series[0].epochs, 80);
  EXPECT_EQ(paper.series[0].width, 32);
  EXPECT_EQ(paper.sweep_cases, "1,2,4,7,11,15,27,28,45");
}

TEST(ExperimentConfig, DefaultsAreThePapers) {
  ExperimentConfig c = parse_experiment_config(minimal(), "cfg.json");
  EXPECT_EQ(c.series[0].epochs, 80);
  EXPECT_EQ(c.series[0].width, 32);
  EXPECT_EQ(c.filters, "paper");
  EXPECT_EQ(c.figure_modality, "rCBF");
  EXPECT_DOUBLE_EQ(c.figure_pass, 0.4);
  EXPECT_DOUBLE_EQ(c.figure_clamp, 0.2);
  EXPECT_EQ(c.display, DisplayConvention::Radiological);
}

TEST(ExperimentConfig, DisplayConventionIsReadAndOthersNamed) {
  json j = minimal();
  j["display"] = "neurological";
  EXPECT_EQ(parse_experiment_config(j, "cfg.json").display, DisplayConvention::Neurological);
  j["display"] = "sideways";
  EXPECT_EQ(error_of(j).rfind("cfg.json: display 'sideways': expected radiological or", 0), 0u)
      << error_of(j);
}

// Found by fuzz_config: a number beyond double threw json::out_of_range, which
// read_experiment_config did not turn into an lrpseg::Error (an abort).
TEST(ExperimentConfig, ANumberBeyondDoubleIsInvalidJsonNotACrash) {
  const std::string path = testing::TempDir() + "/huge_number.json";
  write_text_atomically(path, "{\"threads\": 333e666}");
  try {
    read_experiment_config(path);
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ": invalid JSON (", 0), 0u) << e.what();
  }
}

// A float or an out-of-range number where a count belongs was cast unchecked
// (undefined for 1e30).
TEST(ExperimentConfig, CountsMustBeWholeNumbersInRange) {
  const std::vector<std::pair<std::string, json>> bad{
      {"epochs", 1e30}, {"epochs", 2.5}, {"epochs", int64_t{1} << 40}, {"seed", -1}};
  for (const auto& [key, value] : bad) {
    json j = minimal();
    j["series"][0][key] = value;
    EXPECT_EQ(
        error_of(j).rfind("cfg.json: series: '" + key + "' must be a whole number in range (", 0),
        0u)
        << error_of(j);
  }
  json j = minimal();
  j["series"][0]["epochs"] = 3;
  EXPECT_EQ(parse_experiment_config(j, "cfg.json").series[0].epochs, 3);
}

TEST(ExperimentConfig, UnknownKeysAreNamedAtEveryLevel) {
  json j = minimal();
  j["filter"] = "paper";  // "filters" misspelt
  EXPECT_EQ(error_of(j).rfind("cfg.json: unknown key 'filter' (known: title, out, data,", 0), 0u)
      << error_of(j);
  j = minimal();
  j["series"][0]["epoch"] = 3;
  EXPECT_EQ(error_of(j).rfind("cfg.json: series: unknown key 'epoch'", 0), 0u) << error_of(j);
  j = minimal();
  j["figure"] = {{"modality", "MTT"}, {"clip", 0.2}};
  EXPECT_EQ(error_of(j).rfind("cfg.json: figure: unknown key 'clip'", 0), 0u) << error_of(j);
  j = minimal();
  j["data"] = {{"synthesize", {{"cases", 4}, {"sed", 1}}}};
  EXPECT_EQ(error_of(j).rfind("cfg.json: data.synthesize: unknown key 'sed'", 0), 0u)
      << error_of(j);
}

TEST(ExperimentConfig, ErrorsNameTheFileAndTheKey) {
  json j = minimal();
  j.erase("data");
  EXPECT_NE(error_of(j).find("'data'"), std::string::npos);
  j = minimal();
  j["series"] = json::array();
  EXPECT_NE(error_of(j).find("'series'"), std::string::npos);
  j = minimal();
  j["series"][0]["size"] = "19x48";
  EXPECT_NE(error_of(j).find("size"), std::string::npos);
  j = minimal();
  j["series"][0]["epochs"] = "many";
  EXPECT_NE(error_of(j).find("'epochs'"), std::string::npos);
  j = minimal();
  j["filters"] = "pass:0.5-0.2";
  EXPECT_NE(error_of(j), "");
  j = minimal();
  j["sweep_cases"] = "4-";
  EXPECT_NE(error_of(j), "");
  EXPECT_EQ(error_of(j).rfind("cfg.json", 0), 0u);
}

TEST(ExperimentConfig, EvaluateBlockAndSynthEvidenceAreValidated) {
  json j = minimal();
  j["data"] = {{"synthesize", {{"cases", 4}, {"evidence", "MTT,Tmax,TTP"}}}};
  j["evaluate"] = {
      {"cases", "3-4"}, {"perturb_steps", 5}, {"randomisation_stages", {"head", "b1"}}};
  const ExperimentConfig c = parse_experiment_config(j, "cfg.json");
  EXPECT_EQ(c.synthesize_evidence, "MTT,Tmax,TTP");
  ASSERT_TRUE(c.evaluate.has_value());
  EXPECT_EQ(c.evaluate_cases, "3-4");
  j["data"]["synthesize"]["evidence"] = "MTT,FOO";
  EXPECT_NE(error_of(j).find("--evidence"), std::string::npos) << error_of(j);
  j = minimal();
  j["evaluate"] = {{"colour", "red"}};
  EXPECT_NE(error_of(j).find("'colour'"), std::string::npos) << error_of(j);
  j["evaluate"] = {{"randomisation_stages", {"b9"}}};
  EXPECT_NE(error_of(j).find("b9"), std::string::npos) << error_of(j);
  j["evaluate"] = {{"select", true}, {"objective", "beauty"}};
  EXPECT_NE(error_of(j).find("--objective"), std::string::npos) << error_of(j);
  EXPECT_EQ(error_of(j).rfind("cfg.json: evaluate", 0), 0u) << error_of(j);
}

TEST(ExperimentConfig, RobustnessSigmaTurnsOnTheSweepsRobustnessColumns) {
  json j = minimal();
  j["out"] = "run";
  EXPECT_FALSE(make_run("experiment", parse_experiment_config(j, "cfg.json"))
                   .sweep_options.robustness.has_value());
  j["robustness_sigma"] = 0.02;
  j["robustness_samples"] = 3;
  const lrpseg::Run run = make_run("experiment", parse_experiment_config(j, "cfg.json"));
  ASSERT_TRUE(run.sweep_options.robustness.has_value());
  EXPECT_EQ(run.sweep_options.robustness->sigmas, std::vector<double>{0.02});
  EXPECT_EQ(run.sweep_options.robustness->samples, 3);
  j["robustness_sigma"] = 1.5;
  EXPECT_NE(error_of(j).find("--robustness-sigma"), std::string::npos) << error_of(j);
  j["robustness_sigma"] = "0.01";
  EXPECT_NE(error_of(j).find("'robustness_sigma'"), std::string::npos) << error_of(j);
}

TEST(ExperimentConfig, CaseListsMayBeArraysOrText) {
  json j = minimal();
  j["sweep_cases"] = {1, 4, 27};
  j["val_cases"] = "40-43";
  ExperimentConfig c = parse_experiment_config(j, "cfg.json");
  EXPECT_EQ(c.sweep_cases, "1,4,27");
  EXPECT_EQ(c.val_cases, "40-43");
}

TEST(ExperimentConfig, MissingFileIsAnError) {
  EXPECT_THROW(read_experiment_config("/nonexistent/cfg.json"), Error);
}

}  // namespace
}  // namespace lrpseg
