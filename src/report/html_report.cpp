#include "report/html_report.h"

#include <filesystem>

#include "report/assets.h"
#include "report/html_encode.h"
#include "report/html_sections.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

ReportContext load_run(const std::string& run_dir) {
  fs::path manifest_path = fs::path(run_dir) / "run.json";
  if (!fs::is_regular_file(manifest_path))
    throw Error(manifest_path.string() + ": no run manifest (is " + run_dir + " a run directory?)");
  ReportContext run;
  run.dir = run_dir;
  try {
    run.manifest = json::parse(read_text(manifest_path.string()));
  } catch (const json::exception& e) {
    throw Error(manifest_path.string() + ": not valid JSON (" + e.what() + ")");
  }
  if (!run.manifest.is_object()) throw Error(manifest_path.string() + ": must be a JSON object");
  return run;
}

}  // namespace

std::string render_report(const std::string& run_dir) {
  ReportContext run = load_run(run_dir);
  const json& m = run.manifest;
  std::string title = text_of(m, "title", "lrpseg report");

  // Sections in reading order; each numbers its own figures and tables.
  std::vector<HtmlSection> sections;
  for (auto make : {configuration_section, training_section, dice_section, figure1_section,
                    sweep_section, evaluation_section, viewer_section, other_figures_section}) {
    HtmlSection s = make(run);
    if (!s.html.empty()) sections.push_back(std::move(s));
  }

  std::string meta;
  for (const auto& [key, label] : std::vector<std::pair<const char*, const char*>>{
           {"kind", "run: "}, {"created", "created "}}) {
    std::string value = text_of(m, key);
    if (!value.empty()) meta += fragment("meta-item", {{"text", html_escape(label + value)}});
  }

  std::string contents, items;
  for (const auto& s : sections)
    items += fragment("contents-item", {{"id", s.id}, {"title", html_escape(s.title)}});
  if (sections.size() > 1) contents = fragment("contents", {{"items", items}});
  std::string body;
  if (sections.empty()) body = fragment("no-results");
  for (const auto& s : sections)
    body += fragment("section", {{"id", s.id}, {"title", html_escape(s.title)}, {"body", s.html}});
  return fill_template(report_asset("page.html"),
                       {{"title", html_escape(title)},
                        {"stylesheet", std::string(report_asset("report.css"))},
                        {"meta", meta},
                        {"contents", contents},
                        {"sections", body}},
                       "report asset page.html");
}

std::string write_report(const std::string& run_dir) {
  std::string html = render_report(run_dir);
  std::string path = (fs::path(run_dir) / "report.html").string();
  write_text_atomically(path, html);
  return path;
}

}  // namespace lrpseg
