#include "study/sweep_figures.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "report/plots.h"

namespace lrpseg {

namespace fs = std::filesystem;

namespace {

// raw belongs to both families, as the paper's tables list it first in each.
bool in_family(const std::string& filter, const std::string& family) {
  return filter == "raw" || filter.rfind(family + ":", 0) == 0;
}

template <typename F>
std::vector<std::string> distinct(const std::vector<SweepRow>& rows, F field) {
  std::vector<std::string> out;
  for (const auto& r : rows) {
    const std::string& v = field(r);
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  }
  return out;
}

const std::map<std::string, std::string> kMetricTitles = {
    {"gt_inclusivity", "Ground-truth inclusivity D(LRP, OT)"},
    {"input_inclusivity", "Input inclusivity D(LRP, x)"},
    {"mean_signal", "Mean normalised signal"},
    {"area_signal", "Area of the normalised signal"}};

}  // namespace

std::vector<nlohmann::json> write_sweep_figures(const std::vector<SweepRow>& rows,
                                                const std::string& run_dir,
                                                const std::string& sub_dir) {
  fs::create_directories(fs::path(run_dir) / sub_dir);
  const auto filters =
      distinct(rows, [](const SweepRow& r) -> const std::string& { return r.filter; });
  const auto series =
      distinct(rows, [](const SweepRow& r) -> const std::string& { return r.series; });
  std::vector<nlohmann::json> entries;
  for (const std::string family : {"pass", "clamp"}) {
    std::vector<std::string> categories;
    for (const auto& f : filters) {
      if (in_family(f, family)) categories.push_back(f);
    }
    if (categories.size() < 2) continue;
    auto index_of = [&](const std::string& f) {
      return static_cast<size_t>(std::find(categories.begin(), categories.end(), f) -
                                 categories.begin());
    };
    // Fig. 3 C/D: one box per (filter, series); points are channels × cases × models.
    for (const std::string metric : {"gt_inclusivity", "input_inclusivity"}) {
      std::vector<BoxSeries> boxes;
      for (const auto& s : series) {
        BoxSeries b{"series " + s, std::vector<std::vector<double>>(categories.size())};
        for (const auto& r : rows) {
          if (r.metric == metric && r.series == s && r.value && in_family(r.filter, family)) {
            b.values[index_of(r.filter)].push_back(*r.value);
          }
        }
        boxes.push_back(std::move(b));
      }
      const std::string file = sub_dir + "/" + metric + "_" + family + ".png";
      const std::string title = kMetricTitles.at(metric) + ", " + family + " filters";
      plot_boxes(categories, boxes, title, "D", true, (fs::path(run_dir) / file).string());
      entries.push_back({{"title", title}, {"file", file}});
    }
    // Fig. 5 D1 (mean) and D2 (area): every channel, case and model as a point.
    for (const std::string metric : {"mean_signal", "area_signal"}) {
      std::vector<std::vector<double>> values(categories.size());
      for (const auto& r : rows) {
        if (r.metric == metric && r.value && in_family(r.filter, family)) {
          values[index_of(r.filter)].push_back(*r.value);
        }
      }
      const std::string file = sub_dir + "/" + metric + "_" + family + ".png";
      const std::string title = kMetricTitles.at(metric) + ", " + family + " filters";
      plot_scatter_box(categories, values, title,
                       metric == "mean_signal" ? "mean of R_c / max|R|" : "sum of R_c / max|R|",
                       (fs::path(run_dir) / file).string());
      entries.push_back({{"title", title}, {"file", file}});
    }
  }
  return entries;
}

}  // namespace lrpseg
