#include "report/html_report.h"

#include <filesystem>

#include "report/html_encode.h"
#include "report/html_sections.h"
#include "report/html_style.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string text_of(const json& j, const char* key, const std::string& fallback = "") {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  return it->is_string() ? it->get<std::string>() : it->dump();
}

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
                    sweep_section, viewer_section, other_figures_section}) {
    HtmlSection s = make(run);
    if (!s.html.empty()) sections.push_back(std::move(s));
  }

  std::string meta;
  for (const auto& [key, label] : std::vector<std::pair<const char*, const char*>>{
           {"kind", "run: "}, {"created", "created "}}) {
    std::string value = text_of(m, key);
    if (!value.empty()) meta += "<span>" + html_escape(label + value) + "</span>";
  }

  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"generator\" content=\"lrpseg\">\n<title>" +
      html_escape(title) + "</title>\n<style>" + report_stylesheet() +
      "</style>\n</head>\n<body>\n<main>\n<header class=\"title\">\n<h1>" + html_escape(title) +
      "</h1>\n<p class=\"meta\">" + meta + "</p>\n";
  if (sections.size() > 1) {
    html += "<nav class=\"toc\" aria-label=\"Contents\"><ol>";
    for (const auto& s : sections)
      html += "<li><a href=\"#" + s.id + "\">" + html_escape(s.title) + "</a></li>";
    html += "</ol></nav>\n";
  }
  html += "</header>\n";
  if (sections.empty()) html += "<p class=\"note\">This run has no results to show yet.</p>\n";
  for (const auto& s : sections)
    html += "<section id=\"" + s.id + "\">\n<h2>" + html_escape(s.title) + "</h2>\n" + s.html +
            "</section>\n";
  html +=
      "<footer>Written by <code>lrpseg report</code> from run.json; self-contained: images, "
      "styles, the viewer and its data are embedded in this page.</footer>\n"
      "</main>\n</body>\n</html>\n";
  return html;
}

std::string write_report(const std::string& run_dir) {
  std::string html = render_report(run_dir);
  std::string path = (fs::path(run_dir) / "report.html").string();
  write_text_atomically(path, html);
  return path;
}

}  // namespace lrpseg
