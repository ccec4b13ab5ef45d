#include "report/html_report.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <regex>

#include "report/assets.h"
#include "report/colormap.h"
#include "report/html_encode.h"
#include "report/viewer_data.h"
#include "temp_dir.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A valid 1×1 RGB PNG.
const unsigned char kPng[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00,
    0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78,
    0x9c, 0x63, 0x38, 0xa0, 0xa0, 0x00, 0x00, 0x02, 0xa4, 0x01, 0x01, 0xe3, 0x4c, 0xa7,
    0x2d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

void write_file(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  write_text_atomically(path.string(), bytes);
}

// Each figure gets different bytes (a trailing marker after IEND), so the test
// can tell which file an embedded image came from.
std::string png_bytes(char marker) {
  return std::string(reinterpret_cast<const char*>(kPng), sizeof kPng) + marker;
}

CaseExplanation tiny_explanation() {
  torch::manual_seed(5);
  CaseExplanation c;
  c.volumes.name = "training_1";
  c.volumes.geometry = make_nifti_header({3, 6, 6}, {1, 1, 1});  // RAS
  c.input = torch::rand({6, 3, 6, 6});
  c.explanation.filters = {"raw", "pass:0-0.2"};
  c.explanation.relevance = torch::randn({2, 6, 3, 6, 6});
  c.explanation.max_abs_per_channel = c.explanation.relevance.abs().amax({2, 3, 4});
  c.volumes.label = torch::zeros({3, 6, 6}, torch::kUInt8);
  c.volumes.label[1].slice(0, 2, 4).slice(1, 2, 4).fill_(1);
  c.prediction = c.volumes.label.clone();
  c.dice = 1.0;
  return c;
}

// A run directory as `lrpseg demo` writes it: two models, figures, a sweep and
// a viewer entry.
json make_run(const fs::path& run) {
  write_file(run / "figures/training.png", png_bytes('t'));
  write_file(run / "figures/figure1_A1_training_1.png", png_bytes('f'));
  write_file(run / "sweep/figures/gt_inclusivity_pass.png", png_bytes('s'));
  write_file(run / "models/A1/model.json", "{}");
  write_file(run / "models/A1/train_log.csv",
             "epoch,seconds,train_loss,val_dice\n1,30,0.5,0.2\n2,36,0.31234,0.4567\n");
  write_file(run / "models/B1/train_log.csv", "epoch,seconds,train_loss,val_dice\n1,12,0.7,\n");
  write_file(run / "segmentations/A1/dice.csv",
             "case,dice,true_voxels,predicted_voxels\ntraining_1,0.8123,100,90\n"
             "training_2,0.6543,50,60\n");
  write_file(run / "segmentations/B1/dice.csv",
             "case,dice,true_voxels,predicted_voxels\ntraining_1,0.3012,100,40\n");
  write_file(run / "sweep/summary.md",
             "# Sweep\n\n| filter | A |\n|---|---:|\n| raw | 0.41 |\n| pass:0-0.2 | **0.63** |\n");
  write_file(run / "sweep/summary.csv",
             "metric,filter,series,mean,defined,undefined\ngt_inclusivity,raw,A,0.41,3,0\n"
             "gt_inclusivity,pass:0-0.2,A,0.63,2,1\n");
  write_file(run / "sweep/sweep.csv", "case,model,filter,channel,metric,value\n");
  fs::create_directories(run / "viewer");
  write_viewer_data(tiny_explanation(), "A1", DisplayConvention::Radiological,
                    (run / "viewer/A1_training_1.json").string());
  json manifest = {
      {"kind", "demo"},
      {"title", "lrpseg demo"},
      {"created", "2026-11-22T04:00:00Z"},
      {"config", {{"epochs", 2}, {"note", "<b>not markup</b>"}}},
      {"models",
       {{{"name", "A1"},
         {"series", "A"},
         {"dir", "models/A1"},
         {"minutes", 1.3},
         {"mean_dice", 0.7333},
         {"dice_csv", "segmentations/A1/dice.csv"}},
        {{"name", "B1"},
         {"series", "B"},
         {"dir", "models/B1"},
         {"minutes", 0.2},
         {"mean_dice", 0.3012},
         {"dice_csv", "segmentations/B1/dice.csv"}}}},
      {"figures",
       {{{"section", "training"}, {"title", "Training curves"}, {"file", "figures/training.png"}},
        {{"section", "figure1"},
         {"title", "Case training_1, rCBF, slice 1 (A1)"},
         {"file", "figures/figure1_A1_training_1.png"}}}},
      {"sweep",
       {{"summary_md", "sweep/summary.md"},
        {"summary_csv", "sweep/summary.csv"},
        {"csv", "sweep/sweep.csv"},
        {"figures",
         {{{"title", "Ground-truth inclusivity, pass filters"},
           {"file", "sweep/figures/gt_inclusivity_pass.png"}}}}}},
      {"viewer",
       {{{"case", "training_1"}, {"model", "A1"}, {"file", "viewer/A1_training_1.json"}}}}};
  write_file(run / "run.json", manifest.dump(2));
  return manifest;
}

std::string report_of(const fs::path& run) { return read_text(write_report(run.string())); }

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(HtmlReport, WritesReportHtmlIntoTheRunDirectory) {
  test::TempDir dir;
  make_run(dir.path());
  std::string path = write_report(dir.path().string());
  EXPECT_EQ(fs::path(path), dir.path() / "report.html");
  EXPECT_TRUE(fs::is_regular_file(path));
  std::string html = read_text(path);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_TRUE(contains(html, "<title>lrpseg demo</title>"));
  EXPECT_TRUE(contains(html, "2026-11-22T04:00:00Z"));
}

TEST(HtmlReport, ShowsDiceTablesAndLastEpochOfTraining) {
  test::TempDir dir;
  make_run(dir.path());
  std::string html = report_of(dir.path());
  EXPECT_TRUE(contains(html, ">0.733</td>"));  // mean Dice of A1
  EXPECT_TRUE(contains(html, ">0.301</td>"));  // of B1
  EXPECT_TRUE(contains(html, ">0.812</td>"));  // per case
  EXPECT_TRUE(contains(html, ">0.654</td>"));
  EXPECT_TRUE(contains(html, "<td class=\"num best\">0.733</td>"));
  EXPECT_TRUE(contains(html, ">0.3123</td>"));  // A1's last train loss
  EXPECT_TRUE(contains(html, ">0.457</td>"));   // and validation Dice
  EXPECT_TRUE(contains(html, ">1.1</td>"));     // 66 s of training
}

TEST(HtmlReport, EmbedsEveryFigureAsDataUriOfTheFileBytes) {
  test::TempDir dir;
  make_run(dir.path());
  std::string html = report_of(dir.path());
  for (char marker : {'t', 'f', 's'})
    EXPECT_TRUE(
        contains(html, "src=\"data:image/png;base64," + base64_encode(png_bytes(marker)) + "\""))
        << marker;
  EXPECT_TRUE(contains(html, "Case training_1, rCBF, slice 1 (A1)"));
}

TEST(HtmlReport, RendersTheSweepSummaryWithBestInBoldAndLinksItsCsv) {
  test::TempDir dir;
  make_run(dir.path());
  std::string html = report_of(dir.path());
  EXPECT_TRUE(contains(html, "<th class=\"num\">gt_inclusivity A</th>"));
  EXPECT_TRUE(contains(html, "<td class=\"num\">0.4100</td>"));
  EXPECT_TRUE(contains(html, "<td class=\"num best\">0.6300 (1 undefined)</td>"));
  EXPECT_TRUE(contains(html, "href=\"sweep/sweep.csv\""));
}

TEST(HtmlReport, MalformedSummaryCsvThrowsNamingFileAndLine) {
  test::TempDir dir;
  make_run(dir.path());
  const fs::path summary = dir.path() / "sweep/summary.csv";
  write_file(summary, "metric,filter,series,mean,defined,undefined\ngt_inclusivity,raw,A,x,3,0\n");
  try {
    write_report(dir.path().string());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(summary.string() + ":2: mean 'x' is not a number"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(fs::exists(dir.path() / "report.html"));
}

// The JSON of the <script type="application/json"> element `id`.
json json_block(const std::string& html, const std::string& id) {
  const std::string open = "<script type=\"application/json\" id=\"" + id + "\">";
  size_t begin = html.find(open);
  if (begin == std::string::npos) return nullptr;
  begin += open.size();
  return json::parse(html.substr(begin, html.find("</script>", begin) - begin));
}

TEST(HtmlReport, EmbedsTheViewerJsonAndItsScript) {
  test::TempDir dir;
  make_run(dir.path());
  std::string html = report_of(dir.path());
  EXPECT_EQ(json_block(html, "viewer-data-0"),
            json::parse(read_text((dir.path() / "viewer/A1_training_1.json").string())));
  EXPECT_TRUE(contains(html, "data-sources=\"viewer-data-0\""));
  EXPECT_TRUE(contains(html, std::string(report_asset("report.css"))));
  EXPECT_TRUE(contains(html, "<script>\n" + std::string(report_asset("viewer.js")) + "</script>"));
}

TEST(HtmlReport, ViewerAndLegendUseTheFiguresColormapAndOutlineColours) {
  test::TempDir dir;
  make_run(dir.path());
  std::string html = report_of(dir.path());
  const json style = json_block(html, "viewer-style");
  ASSERT_TRUE(style.is_object());
  const auto lut = diverging_lut(256);
  ASSERT_EQ(style["colormap"].size(), lut.size());
  for (size_t i = 0; i < lut.size(); i += 51)
    EXPECT_EQ(style["colormap"][i], json({lut[i][0], lut[i][1], lut[i][2]})) << i;
  EXPECT_EQ(style["truth"], json({kTruthColour[0], kTruthColour[1], kTruthColour[2]}));
  EXPECT_TRUE(contains(html, "color:" + css_colour(kTruthColour) + ";"));
  EXPECT_TRUE(contains(html, "color:" + css_colour(kPredictionColour) + ";"));
}

// Injected at the top of <head> for the browser test: records page errors and
// console.error, then after load moves the slice slider and switches modality
// and filter, and writes what changed into <pre id="browser-test-result">.
const char* const kBrowserHarness = R"JS(<script>
window.__errors = [];
window.addEventListener('error', function (e) { window.__errors.push(String(e.message)); });
(function () {
  var original = console.error;
  console.error = function () {
    window.__errors.push(Array.prototype.join.call(arguments, ' '));
    original.apply(console, arguments);
  };
})();
window.addEventListener('load', function () {
  var out = {};
  try {
    var canvases = document.querySelectorAll('.viewer canvas');
    var snap = function () {
      return Array.prototype.map.call(canvases, function (c) { return c.toDataURL(); }).join('|');
    };
    var change = function (control, value, type) {
      control.value = value;
      control.dispatchEvent(new Event(type));
    };
    out.canvases = canvases.length;
    var start = snap();
    var slice = document.querySelector('.viewer input[aria-label="slice"]');
    change(slice, String(+slice.value === 0 ? 1 : 0), 'input');
    var sliced = snap();
    out.slider = sliced !== start;
    change(document.querySelector('.viewer select[aria-label="modality"]'), '3', 'change');
    var switched = snap();
    out.modality = switched !== sliced;
    change(document.querySelector('.viewer select[aria-label="filter"]'), '1', 'change');
    out.filter = snap() !== switched;
    // The top left pixel of a panel is the voxel at the patient's right-anterior.
    var panel = document.querySelector('.viewer canvas.slice');
    var rect = panel.getBoundingClientRect();
    panel.dispatchEvent(new MouseEvent('mousemove', {clientX: rect.left + 1, clientY: rect.top + 1}));
    out.readout = document.querySelector('.viewer .readout').textContent;
    out.caption = panel.parentNode.querySelector('figcaption').textContent;
  } catch (e) {
    window.__errors.push('harness: ' + e.message);
  }
  out.errors = window.__errors;
  var pre = document.createElement('pre');
  pre.id = 'browser-test-result';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>)JS";

// The first of chromium / chromium-browser on PATH, or "".
std::string find_chromium() {
  for (const char* name : {"chromium", "chromium-browser"}) {
    const std::string command = std::string("command -v ") + name + " >/dev/null 2>&1";
    if (std::system(command.c_str()) == 0) return name;
  }
  return "";
}

std::string run_and_read(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  pclose(pipe);
  return output;
}

TEST(HtmlReport, ViewerRespondsToItsControlsInAHeadlessBrowser) {
  const std::string chromium = find_chromium();
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (apt install chromium)";
  test::TempDir dir;
  make_run(dir.path());
  std::string html = report_of(dir.path());
  html.insert(html.find("<head>") + 6, kBrowserHarness);
  const fs::path page = dir.path() / "browser_test.html";
  write_file(page, html);
  const std::string dom = run_and_read(
      chromium + " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --user-data-dir=" +
      (dir.path() / "profile").string() + " --virtual-time-budget=10000 --dump-dom 'file://" +
      page.string() + "' 2>/dev/null");
  // A browser that cannot start here (e.g. a container without its needs) is not
  // a defect of the viewer; a page without the harness's result is.
  if (dom.find("<html") == std::string::npos) GTEST_SKIP() << chromium << " rendered no page here";
  const std::string open = "<pre id=\"browser-test-result\">";
  const size_t begin = dom.find(open);
  ASSERT_NE(begin, std::string::npos) << "no result in the page; DOM:\n" << dom.substr(0, 2000);
  const size_t end = dom.find("</pre>", begin);
  std::string text = dom.substr(begin + open.size(), end - begin - open.size());
  for (const auto& [entity, ch] : std::vector<std::pair<std::string, std::string>>{
           {"&quot;", "\""}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}}) {
    for (size_t at; (at = text.find(entity)) != std::string::npos;)
      text.replace(at, entity.size(), ch);
  }
  const json result = json::parse(text);
  EXPECT_EQ(result["errors"], json::array()) << result.dump();
  EXPECT_GE(result["canvases"].get<int>(), 5) << result.dump();  // five panels and a colour bar
  EXPECT_TRUE(result["slider"].get<bool>()) << result.dump();
  EXPECT_TRUE(result["modality"].get<bool>()) << result.dump();
  EXPECT_TRUE(result["filter"].get<bool>()) << result.dump();
  // RAS shown radiologically: display row 0, column 0 is y = 5, x = 5 of the 6 x 6 grid.
  EXPECT_TRUE(contains(result["readout"].get<std::string>(), "y 5, x 5")) << result.dump();
  EXPECT_TRUE(contains(result["caption"].get<std::string>(), "radiological, R on the left"))
      << result.dump();
}

TEST(HtmlReport, NeedsNoNetwork) {
  test::TempDir dir;
  make_run(dir.path());
  std::string html = report_of(dir.path());
  for (const char* remote : {"src=\"http", "href=\"http", "src=\"//", "href=\"//", "url(http",
                             "url(//", "@import", "fetch("})
    EXPECT_FALSE(contains(html, remote)) << remote;
}

TEST(HtmlReport, EveryRelativeLinkPointsToAnExistingFile) {
  test::TempDir dir;
  make_run(dir.path());
  std::string html = report_of(dir.path());
  std::regex link("(src|href)=\"([^\"]*)\"");
  int relative = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), link); it != std::sregex_iterator();
       ++it) {
    std::string target = (*it)[2];
    if (target.rfind("data:", 0) == 0 || target.rfind("#", 0) == 0) continue;
    ++relative;
    EXPECT_TRUE(fs::is_regular_file(dir.path() / target)) << target;
  }
  EXPECT_GT(relative, 0);
}

TEST(HtmlReport, MissingFigureThrowsErrorNamingItAndWritesNothing) {
  test::TempDir dir;
  make_run(dir.path());
  fs::remove(dir.path() / "figures/figure1_A1_training_1.png");
  try {
    write_report(dir.path().string());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_TRUE(contains(e.what(), "figure1_A1_training_1.png")) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir.path() / "report.html"));
}

TEST(HtmlReport, MissingViewerDataOrDiceCsvThrows) {
  test::TempDir dir;
  make_run(dir.path());
  fs::rename(dir.path() / "viewer/A1_training_1.json", dir.path() / "moved.json");
  EXPECT_THROW(write_report(dir.path().string()), Error);
  fs::rename(dir.path() / "moved.json", dir.path() / "viewer/A1_training_1.json");
  fs::remove(dir.path() / "segmentations/B1/dice.csv");
  EXPECT_THROW(write_report(dir.path().string()), Error);
}

TEST(HtmlReport, AbsentSectionsAreLeftOut) {
  test::TempDir dir;
  write_file(dir.path() / "run.json", R"({"kind": "sweep", "title": "only a title"})");
  std::string html = report_of(dir.path());
  EXPECT_TRUE(contains(html, "<h1>only a title</h1>"));
  for (const char* id : {"configuration", "training", "dice", "figure1", "sweep", "viewer"})
    EXPECT_FALSE(contains(html, std::string("<section id=\"") + id + "\"")) << id;
  EXPECT_FALSE(contains(html, "<script"));
}

TEST(HtmlReport, EscapesTextFromTheManifest) {
  test::TempDir dir;
  json manifest = make_run(dir.path());
  manifest["title"] = "<script>alert(1)</script>";
  write_file(dir.path() / "run.json", manifest.dump());
  std::string html = report_of(dir.path());
  EXPECT_FALSE(contains(html, "<script>alert(1)"));
  EXPECT_TRUE(contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_TRUE(contains(html, "&lt;b&gt;not markup&lt;/b&gt;"));  // inside the configuration
}

TEST(HtmlReport, RunDirectoryWithoutManifestThrows) {
  test::TempDir dir;
  EXPECT_THROW(write_report(dir.path().string()), Error);
  write_file(dir.path() / "run.json", "{not json");
  EXPECT_THROW(write_report(dir.path().string()), Error);
}

}  // namespace
}  // namespace lrpseg
