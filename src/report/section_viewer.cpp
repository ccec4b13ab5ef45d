// The slice-viewer section: each case's viewer data (viewer_data.h) as a JSON
// block, the palette as another, and the viewer script (assets/viewer.js).
#include "report/assets.h"
#include "report/colormap.h"
#include "report/html_encode.h"
#include "report/html_sections.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg {

namespace {

using nlohmann::json;

json load_viewer_data(const std::filesystem::path& path) {
  json data;
  try {
    data = json::parse(read_text(path.string()));
  } catch (const json::exception& e) {
    throw Error(path.string() + ": viewer data is not valid JSON (" + e.what() + ")");
  }
  if (!data.is_object() || !data.contains("size_dhw") || !data.contains("input") ||
      !data.contains("relevance"))
    throw Error(path.string() + ": viewer data lacks size_dhw, input or relevance");
  return data;
}

// The colours the script draws with: the figures' diverging colormap as a
// 256-entry table and the outline colours of the legend.
json viewer_style() {
  json lut = json::array();
  for (const auto& c : diverging_lut(256)) lut.push_back({c[0], c[1], c[2]});
  return {{"colormap", lut},
          {"truth", {kTruthColour[0], kTruthColour[1], kTruthColour[2]}},
          {"prediction", {kPredictionColour[0], kPredictionColour[1], kPredictionColour[2]}}};
}

std::string json_block(const std::string& id, const json& value) {
  return fragment("json-block", {{"id", id}, {"json", json_for_script(value)}});
}

}  // namespace

HtmlSection viewer_section(ReportContext& run) {
  const auto viewers = run.entries(run.manifest, "viewer");
  if (viewers.empty()) return {};
  std::string blocks = json_block("viewer-style", viewer_style()), ids;
  for (size_t i = 0; i < viewers.size(); ++i) {
    const std::string id = "viewer-data-" + std::to_string(i);
    blocks +=
        json_block(id, load_viewer_data(run.file(text_of(viewers[i], "file"), "viewer data")));
    ids += (ids.empty() ? "" : " ") + id;
  }
  return {"viewer", "Slice viewer",
          fragment("viewer", {{"truth_colour", css_colour(kTruthColour)},
                              {"prediction_colour", css_colour(kPredictionColour)},
                              {"sources", ids},
                              {"data", blocks},
                              {"script", std::string(report_asset("viewer.js"))}})};
}

}  // namespace lrpseg
