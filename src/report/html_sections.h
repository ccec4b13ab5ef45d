#pragma once
// The sections of the run report (html_report.h), each built from the run's
// manifest (RUN/run.json) and the files it names.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report/html_table.h"

namespace lrpseg {

// The run being reported, with the running numbers of its figures and tables.
struct ReportContext {
  std::filesystem::path dir;  // RUN
  nlohmann::json manifest;    // RUN/run.json
  int figures = 0;
  int tables = 0;

  // RUN/relative; throws lrpseg::Error naming `what`, the path and run.json when
  // it is not an existing file (the page references existing files only).
  std::filesystem::path file(const std::string& relative, const std::string& what) const;

  // <figure> with the image of a manifest figure entry {title, file} embedded as a
  // data: URI, numbered.
  std::string figure(const nlohmann::json& entry, const std::string& what);

  // The table, numbered "Table N." in its caption.
  std::string table(const HtmlTable& table);

  // The array `key` of `parent` (absent or null → empty); anything but an array
  // of objects throws, naming run.json.
  std::vector<nlohmann::json> entries(const nlohmann::json& parent, const char* key) const;
  // The manifest's figures whose "section" is `section`.
  std::vector<nlohmann::json> figures_in(const std::string& section) const;
};

// The string value of `key` (numbers and other values as JSON text), or
// `fallback` when absent or null.
std::string text_of(const nlohmann::json& object, const char* key,
                    const std::string& fallback = "");

// A section of the page; empty html → the section is left out.
struct HtmlSection {
  std::string id;
  std::string title;
  std::string html;
};

HtmlSection configuration_section(ReportContext& run);
HtmlSection training_section(ReportContext& run);
HtmlSection dice_section(ReportContext& run);
HtmlSection figure1_section(ReportContext& run);
HtmlSection sweep_section(ReportContext& run);
HtmlSection viewer_section(ReportContext& run);
HtmlSection evaluation_section(ReportContext& run);
// Figures whose section is none of the above, grouped by section name.
HtmlSection other_figures_section(ReportContext& run);

// "figures/a b.png" → "figures/a%20b.png": a relative URL for href.
std::string url_path(const std::string& relative);

// data:<mime>;base64,… of an image file; the MIME type follows the extension
// (png, jpg/jpeg, gif, svg, webp), anything else throws.
std::string image_data_uri(const std::filesystem::path& path);

}  // namespace lrpseg
