#include "report/html_sections.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "report/html_csv.h"
#include "report/html_encode.h"
#include "report/html_markdown.h"
#include "report/viewer_script.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const char* const kDash = "\u2014";

std::string text_of(const json& j, const char* key, const std::string& fallback = "") {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// NaN when absent, null or negative (the run's "not measured" is −1).
double measure_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() && it->get<double>() >= 0 ? it->get<double>() : kNaN;
}

double parse_number(const std::string& text) {
  if (text.empty()) return kNaN;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  return end && *end == '\0' ? v : kNaN;
}

std::string fixed(double v, int digits) {
  if (!std::isfinite(v)) return kDash;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string num_cell(const std::string& text, bool best = false) {
  std::string cls = text == kDash ? "num missing" : best ? "num best" : "num";
  return "<td class=\"" + cls + "\">" + html_escape(text) + "</td>";
}

std::string text_cell(const std::string& text) { return "<td>" + html_escape(text) + "</td>"; }

std::string header_row(const std::vector<std::pair<std::string, bool>>& columns) {
  std::string html = "<thead><tr>";
  for (const auto& [name, numeric] : columns)
    html += std::string(numeric ? "<th class=\"num\">" : "<th>") + html_escape(name) + "</th>";
  return html + "</tr></thead>\n";
}

// The manifest's array `key` (absent → empty); anything but an array of objects throws.
std::vector<json> entries(const ReportContext& run, const json& parent, const char* key) {
  auto it = parent.find(key);
  if (it == parent.end() || it->is_null()) return {};
  if (!it->is_array())
    throw Error((run.dir / "run.json").string() + ": \"" + key + "\" must be an array");
  for (const auto& e : *it)
    if (!e.is_object())
      throw Error((run.dir / "run.json").string() + ": \"" + key + "\" entries must be objects");
  return it->get<std::vector<json>>();
}

std::vector<json> figures_of(const ReportContext& run, const std::string& section) {
  std::vector<json> out;
  for (const auto& f : entries(run, run.manifest, "figures"))
    if (text_of(f, "section") == section) out.push_back(f);
  return out;
}

std::string human_size(uintmax_t bytes) {
  char buf[32];
  if (bytes < 1024) return std::to_string(bytes) + " B";
  if (bytes < 1024 * 1024)
    std::snprintf(buf, sizeof buf, "%.1f KiB", bytes / 1024.0);
  else
    std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / (1024.0 * 1024.0));
  return buf;
}

std::string table_wrap(const std::string& table) {
  return "<div class=\"table-wrap\">\n" + table + "</div>\n";
}

}  // namespace

std::string url_path(const std::string& relative) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : relative) {
    if (std::isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~' || ch == '/') {
      out += char(ch);
    } else {
      out += '%';
      out += hex[ch >> 4];
      out += hex[ch & 15];
    }
  }
  return out;
}

std::string image_data_uri(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  static const std::map<std::string, std::string> mime = {
      {".png", "image/png"}, {".jpg", "image/jpeg"},    {".jpeg", "image/jpeg"},
      {".gif", "image/gif"}, {".svg", "image/svg+xml"}, {".webp", "image/webp"}};
  auto it = mime.find(ext);
  if (it == mime.end())
    throw Error(path.string() + ": not an image the report can embed (png, jpg, gif, svg, webp)");
  return "data:" + it->second + ";base64," + base64_encode(read_text(path.string()));
}

fs::path ReportContext::file(const std::string& relative, const std::string& what) const {
  std::string manifest_path = (dir / "run.json").string();
  if (relative.empty()) throw Error(manifest_path + ": " + what + " names no file");
  fs::path path = dir / relative;
  if (!fs::is_regular_file(path))
    throw Error(path.string() + ": " + what + " named in " + manifest_path + " does not exist");
  return path;
}

std::string ReportContext::figure(const json& entry, const std::string& what) {
  std::string title = text_of(entry, "title");
  fs::path path = file(text_of(entry, "file"), what);
  std::string html = "<figure>\n<img src=\"" + image_data_uri(path) + "\" alt=\"" +
                     html_escape(title.empty() ? path.filename().string() : title) + "\">\n";
  html += "<figcaption><b>Figure " + std::to_string(++figures) + ".</b> " + html_escape(title) +
          "</figcaption>\n</figure>\n";
  return html;
}

std::string ReportContext::table_caption(const std::string& text) {
  return "<caption><b>Table " + std::to_string(++tables) + ".</b> " + html_escape(text) +
         "</caption>\n";
}

HtmlSection configuration_section(ReportContext& run) {
  auto it = run.manifest.find("config");
  if (it == run.manifest.end() || it->is_null()) return {};
  std::string pretty = it->dump(2, ' ', false, json::error_handler_t::replace);
  return {"configuration", "Configuration",
          "<p class=\"note\">Every setting of this run, as recorded in run.json.</p>\n"
          "<details>\n<summary>Show the configuration (JSON)</summary>\n<pre>" +
              html_escape(pretty) + "</pre>\n</details>\n"};
}

HtmlSection training_section(ReportContext& run) {
  std::string html;
  for (const auto& f : figures_of(run, "training")) html += run.figure(f, "training figure");

  std::string rows, logs;
  for (const auto& m : entries(run, run.manifest, "models")) {
    std::string dir = text_of(m, "dir");
    if (dir.empty() || !fs::is_regular_file(run.dir / dir / "train_log.csv")) continue;
    fs::path log_path =
        run.file(dir + "/train_log.csv", "training log of model " + text_of(m, "name"));
    CsvTable log = read_csv(log_path.string());
    int epoch = log.column("epoch"), seconds = log.column("seconds"),
        loss = log.column("train_loss"), val = log.column("val_dice");
    if (epoch < 0 || seconds < 0 || loss < 0)
      throw Error(log_path.string() + ": expected columns epoch,seconds,train_loss,val_dice");
    if (log.rows.empty()) continue;
    double total_seconds = 0, best = kNaN;
    std::string best_epoch;
    for (const auto& r : log.rows) {
      double s = parse_number(r[seconds]);
      if (std::isfinite(s)) total_seconds += s;
      double v = val >= 0 ? parse_number(r[val]) : kNaN;
      if (std::isfinite(v) && !(v <= best)) {
        best = v;
        best_epoch = r[epoch];
      }
    }
    const auto& last = log.rows.back();
    rows += "<tr>" + text_cell(text_of(m, "name")) + text_cell(text_of(m, "series")) +
            num_cell(last[epoch]) + num_cell(fixed(total_seconds / 60, 1)) +
            num_cell(fixed(parse_number(last[loss]), 4)) +
            num_cell(fixed(val >= 0 ? parse_number(last[val]) : kNaN, 3)) +
            num_cell(std::isfinite(best) ? fixed(best, 3) + " (" + best_epoch + ")" : kDash) +
            "</tr>\n";

    std::string table =
        "<table class=\"data\">\n" +
        header_row({{"Epoch", true}, {"Seconds", true}, {"Train loss", true}, {"Val Dice", true}}) +
        "<tbody>\n";
    for (const auto& r : log.rows)
      table += "<tr>" + num_cell(r[epoch]) + num_cell(fixed(parse_number(r[seconds]), 1)) +
               num_cell(fixed(parse_number(r[loss]), 4)) +
               num_cell(fixed(val >= 0 ? parse_number(r[val]) : kNaN, 3)) + "</tr>\n";
    logs += "<details>\n<summary>Per-epoch log of " + html_escape(text_of(m, "name")) + " (" +
            std::to_string(log.rows.size()) + " epochs)</summary>\n" +
            table_wrap(table + "</tbody>\n</table>\n") + "</details>\n";
  }
  if (!rows.empty()) {
    html += table_wrap(
        "<table class=\"data\">\n" +
        run.table_caption("Training of each model at its last epoch (from train_log.csv); "
                          "best validation Dice with its epoch.") +
        header_row({{"Model", false},
                    {"Series", false},
                    {"Epochs", true},
                    {"Time (min)", true},
                    {"Train loss", true},
                    {"Val Dice", true},
                    {"Best val Dice", true}}) +
        "<tbody>\n" + rows + "</tbody>\n</table>\n");
    html += logs;
  }
  return {"training", "Training", html};
}

namespace {

struct DiceModel {
  json entry;
  CsvTable cases;  // dice.csv; empty header without one
  double mean = kNaN;
};

// Mean ± SD of the finite values; "—" when none.
std::string mean_sd(const std::vector<double>& values) {
  std::vector<double> v;
  for (double x : values)
    if (std::isfinite(x)) v.push_back(x);
  if (v.empty()) return kDash;
  double mean = 0, var = 0;
  for (double x : v) mean += x / double(v.size());
  for (double x : v) var += (x - mean) * (x - mean);
  if (v.size() < 2) return fixed(mean, 3);
  return fixed(mean, 3) + " \u00b1 " + fixed(std::sqrt(var / double(v.size() - 1)), 3);
}

std::string per_case_table(ReportContext& run, const std::vector<DiceModel>& models) {
  std::vector<const DiceModel*> with_cases;
  for (const auto& m : models)
    if (!m.cases.header.empty()) with_cases.push_back(&m);
  if (with_cases.empty()) return "";
  std::string table = "<table class=\"data\">\n";
  size_t case_count = 0;
  if (with_cases.size() == 1) {
    const CsvTable& t = with_cases[0]->cases;
    int name = t.column("case"), dice = t.column("dice"), truth = t.column("true_voxels"),
        predicted = t.column("predicted_voxels");
    table +=
        header_row(
            {{"Case", false}, {"Dice", true}, {"True voxels", true}, {"Predicted voxels", true}}) +
        "<tbody>\n";
    for (const auto& r : t.rows) {
      table += "<tr>" + text_cell(r[name]) + num_cell(fixed(parse_number(r[dice]), 3)) +
               num_cell(truth >= 0 ? r[truth] : kDash) +
               num_cell(predicted >= 0 ? r[predicted] : kDash) + "</tr>\n";
    }
    case_count = t.rows.size();
  } else {
    // Cases × models, in the order cases first appear.
    std::vector<std::string> cases;
    std::vector<std::map<std::string, double>> dice(with_cases.size());
    for (size_t i = 0; i < with_cases.size(); ++i) {
      const CsvTable& t = with_cases[i]->cases;
      int name = t.column("case"), d = t.column("dice");
      for (const auto& r : t.rows) {
        if (std::find(cases.begin(), cases.end(), r[name]) == cases.end()) cases.push_back(r[name]);
        dice[i][r[name]] = parse_number(r[d]);
      }
    }
    std::vector<std::pair<std::string, bool>> columns = {{"Case", false}};
    for (const auto* m : with_cases) columns.push_back({text_of(m->entry, "name"), true});
    table += header_row(columns) + "<tbody>\n";
    for (const auto& c : cases) {
      table += "<tr>" + text_cell(c);
      for (const auto& d : dice) {
        auto it = d.find(c);
        table += num_cell(it == d.end() ? kDash : fixed(it->second, 3));
      }
      table += "</tr>\n";
    }
    case_count = cases.size();
  }
  table += "</tbody>\n</table>\n";
  std::string caption = run.table_caption("Dice per case (from each model's dice.csv).");
  table.insert(table.find('\n') + 1, caption);
  return "<details>\n<summary>Dice per case (" + std::to_string(case_count) +
         " cases)</summary>\n" + table_wrap(table) + "</details>\n";
}

}  // namespace

HtmlSection dice_section(ReportContext& run) {
  std::vector<DiceModel> models;
  for (const auto& m : entries(run, run.manifest, "models")) {
    DiceModel d{m, {}, measure_of(m, "mean_dice")};
    std::string csv = text_of(m, "dice_csv");
    if (!csv.empty()) {
      fs::path path = run.file(csv, "Dice table of model " + text_of(m, "name"));
      d.cases = read_csv(path.string());
      if (d.cases.column("case") < 0 || d.cases.column("dice") < 0)
        throw Error(path.string() + ": expected columns case,dice,true_voxels,predicted_voxels");
      if (!std::isfinite(d.mean) && !d.cases.rows.empty()) {
        double sum = 0;
        int n = 0;
        for (const auto& r : d.cases.rows) {
          double v = parse_number(r[d.cases.column("dice")]);
          if (std::isfinite(v)) sum += v, ++n;
        }
        if (n) d.mean = sum / n;
      }
    }
    models.push_back(std::move(d));
  }
  if (models.empty()) return {};

  double best = kNaN;
  for (const auto& m : models)
    if (std::isfinite(m.mean) && !(m.mean <= best)) best = m.mean;
  std::string rows;
  std::map<std::string, std::vector<double>> series_dice, series_minutes;
  std::vector<std::string> series_order;
  for (const auto& m : models) {
    std::string series = text_of(m.entry, "series");
    rows += "<tr>" + text_cell(text_of(m.entry, "name")) + text_cell(series) +
            num_cell(fixed(measure_of(m.entry, "minutes"), 1)) +
            num_cell(fixed(m.mean, 3), m.mean == best) +
            num_cell(m.cases.header.empty() ? kDash : std::to_string(m.cases.rows.size())) +
            "</tr>\n";
    if (!series_dice.count(series)) series_order.push_back(series);
    series_dice[series].push_back(m.mean);
    series_minutes[series].push_back(measure_of(m.entry, "minutes"));
  }
  std::string html = table_wrap(
      "<table class=\"data\">\n" +
      run.table_caption("Segmentation Dice of each model (as the paper's Table Annex 1): "
                        "training time and mean Dice over the evaluated cases; best in bold.") +
      header_row({{"Model", false},
                  {"Series", false},
                  {"Training (min)", true},
                  {"Mean Dice", true},
                  {"Cases", true}}) +
      "<tbody>\n" + rows + "</tbody>\n</table>\n");

  bool repeated = std::any_of(series_dice.begin(), series_dice.end(),
                              [](const auto& s) { return s.second.size() > 1; });
  if (repeated) {
    std::string series_rows;
    for (const auto& s : series_order)
      series_rows += "<tr>" + text_cell(s.empty() ? kDash : s) +
                     num_cell(std::to_string(series_dice[s].size())) +
                     num_cell(mean_sd(series_minutes[s])) + num_cell(mean_sd(series_dice[s])) +
                     "</tr>\n";
    html += table_wrap(
        "<table class=\"data\">\n" +
        run.table_caption("Per series: mean \u00b1 SD over its models.") +
        header_row(
            {{"Series", false}, {"Models", true}, {"Training (min)", true}, {"Mean Dice", true}}) +
        "<tbody>\n" + series_rows + "</tbody>\n</table>\n");
  }
  html += per_case_table(run, models);
  return {"dice", "Segmentation", html};
}

HtmlSection figure1_section(ReportContext& run) {
  auto figures = figures_of(run, "figure1");
  if (figures.empty()) return {};
  std::string html =
      "<p class=\"note\">As Fig. 1 of the paper: raw, pass-filtered and clamp-filtered relevance "
      "of one modality on a diverging colormap over [\u22121, 1] (each normalised by its "
      "max|R<sub>c</sub>|, printed), the same over the modality slice, ground truth, prediction "
      "and the slice.</p>\n";
  for (const auto& f : figures) html += run.figure(f, "Figure 1 panel");
  return {"figure1", "Relevance maps", html};
}

namespace {

std::string csv_html_table(const CsvTable& t) {
  std::vector<std::pair<std::string, bool>> columns;
  for (size_t c = 0; c < t.header.size(); ++c) {
    bool numeric = !t.rows.empty() && std::all_of(t.rows.begin(), t.rows.end(), [&](const auto& r) {
      return r[c].empty() || std::isfinite(parse_number(r[c]));
    });
    columns.push_back({t.header[c], numeric});
  }
  std::string html = "<table class=\"data\">\n" + header_row(columns) + "<tbody>\n";
  for (const auto& r : t.rows) {
    html += "<tr>";
    for (size_t c = 0; c < r.size(); ++c)
      html += columns[c].second ? num_cell(r[c].empty() ? kDash : r[c]) : text_cell(r[c]);
    html += "</tr>\n";
  }
  return html + "</tbody>\n</table>\n";
}

}  // namespace

HtmlSection sweep_section(ReportContext& run) {
  auto it = run.manifest.find("sweep");
  if (it == run.manifest.end() || !it->is_object()) return {};
  const json& sweep = *it;
  std::string html;
  std::string md = text_of(sweep, "summary_md"), summary_csv = text_of(sweep, "summary_csv");
  if (!md.empty()) {
    fs::path path = run.file(md, "sweep summary");
    html += markdown_html(read_text(path.string()), 2);
  } else if (!summary_csv.empty()) {
    html += table_wrap(csv_html_table(read_csv(run.file(summary_csv, "sweep summary").string())));
  }
  for (const auto& f : entries(run, sweep, "figures")) html += run.figure(f, "sweep figure");

  std::string links;
  for (const auto& [key, label] : std::vector<std::pair<const char*, const char*>>{
           {"csv", "every case, model, filter, channel and metric"},
           {"summary_csv", "the summary table"},
           {"summary_md", "the summary table, Markdown"}}) {
    std::string relative = text_of(sweep, key);
    if (relative.empty()) continue;
    fs::path path = run.file(relative, std::string("sweep ") + key);
    links += "<li><a href=\"" + html_escape(url_path(relative)) + "\">" + html_escape(relative) +
             "</a> \u2014 " + label + " (" + human_size(fs::file_size(path)) + ")</li>\n";
  }
  if (!links.empty())
    html += "<p>Data files, beside this page in the run directory:</p>\n<ul class=\"files\">\n" +
            links + "</ul>\n";
  if (html.empty()) return {};
  return {"sweep", "Filter sweep", html};
}

HtmlSection viewer_section(ReportContext& run) {
  auto viewers = entries(run, run.manifest, "viewer");
  if (viewers.empty()) return {};
  std::string blocks;
  std::vector<std::string> ids;
  for (size_t i = 0; i < viewers.size(); ++i) {
    fs::path path = run.file(text_of(viewers[i], "file"), "viewer data");
    json data;
    try {
      data = json::parse(read_text(path.string()));
    } catch (const json::exception& e) {
      throw Error(path.string() + ": viewer data is not valid JSON (" + e.what() + ")");
    }
    if (!data.is_object() || !data.contains("size_dhw") || !data.contains("input") ||
        !data.contains("relevance"))
      throw Error(path.string() + ": viewer data lacks size_dhw, input or relevance");
    ids.push_back("viewer-data-" + std::to_string(i));
    blocks += "<script type=\"application/json\" id=\"" + ids.back() + "\">" +
              json_for_script(data) + "</script>\n";
  }
  std::string html =
      "<p class=\"note\">The network input of a case at network size with the relevance of each "
      "filter setting, normalised per modality by max|R<sub>c</sub>| to [\u22121, 1] (blue "
      "negative, red positive). Outlines: <span style=\"color:#00a844;font-weight:600\">ground "
      "truth</span>, "
      "<span style=\"color:#e08600;font-weight:600\">prediction</span>. The slider starts at the "
      "slice with the "
      "most lesion; hover a panel to read a voxel.</p>\n" +
      viewer_container_html(ids) + blocks + "<script>" + viewer_script() + "</script>\n";
  return {"viewer", "Slice viewer", html};
}

HtmlSection other_figures_section(ReportContext& run) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<json>> groups;
  for (const auto& f : entries(run, run.manifest, "figures")) {
    std::string section = text_of(f, "section");
    if (section == "training" || section == "figure1") continue;
    if (!groups.count(section)) order.push_back(section);
    groups[section].push_back(f);
  }
  if (order.empty()) return {};
  std::string html;
  for (const auto& section : order) {
    if (order.size() > 1 || !section.empty())
      html += "<h3>" + html_escape(section.empty() ? "Unsorted" : section) + "</h3>\n";
    for (const auto& f : groups[section]) html += run.figure(f, "figure");
  }
  return {"figures", "More figures", html};
}

}  // namespace lrpseg
