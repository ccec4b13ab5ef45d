#include "report/html_sections.h"

#include <algorithm>
#include <map>

#include "report/assets.h"
#include "report/html_encode.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg {

namespace fs = std::filesystem;
using nlohmann::json;

std::string text_of(const json& j, const char* key, const std::string& fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::vector<json> ReportContext::entries(const json& parent, const char* key) const {
  auto it = parent.find(key);
  if (it == parent.end() || it->is_null()) return {};
  const std::string manifest_path = (dir / "run.json").string();
  if (!it->is_array()) throw Error(manifest_path + ": \"" + key + "\" must be an array");
  for (const auto& e : *it)
    if (!e.is_object()) throw Error(manifest_path + ": \"" + key + "\" entries must be objects");
  return it->get<std::vector<json>>();
}

std::vector<json> ReportContext::figures_in(const std::string& section) const {
  std::vector<json> out;
  for (const auto& f : entries(manifest, "figures"))
    if (text_of(f, "section") == section) out.push_back(f);
  return out;
}

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
  return fragment("figure", {{"src", image_data_uri(path)},
                             {"alt", html_escape(title.empty() ? path.filename().string() : title)},
                             {"number", std::to_string(++figures)},
                             {"title", html_escape(title)}});
}

std::string ReportContext::table(const HtmlTable& t) {
  return t.html("Table " + std::to_string(++tables) + ".");
}

HtmlSection configuration_section(ReportContext& run) {
  auto it = run.manifest.find("config");
  if (it == run.manifest.end() || it->is_null()) return {};
  std::string pretty = it->dump(2, ' ', false, json::error_handler_t::replace);
  return {"configuration", "Configuration",
          fragment("configuration", {{"json", html_escape(pretty)}})};
}

HtmlSection figure1_section(ReportContext& run) {
  auto figures = run.figures_in("figure1");
  if (figures.empty()) return {};
  std::string html = fragment("figure1-note");
  for (const auto& f : figures) html += run.figure(f, "Figure 1 panel");
  return {"figure1", "Relevance maps", html};
}

HtmlSection other_figures_section(ReportContext& run) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<json>> groups;
  for (const auto& f : run.entries(run.manifest, "figures")) {
    std::string section = text_of(f, "section");
    if (section == "training" || section == "figure1") continue;
    if (!groups.count(section)) order.push_back(section);
    groups[section].push_back(f);
  }
  if (order.empty()) return {};
  std::string html;
  for (const auto& section : order) {
    if (order.size() > 1 || !section.empty())
      html +=
          fragment("subheading", {{"text", html_escape(section.empty() ? "Unsorted" : section)}});
    for (const auto& f : groups[section]) html += run.figure(f, "figure");
  }
  return {"figures", "More figures", html};
}

}  // namespace lrpseg
