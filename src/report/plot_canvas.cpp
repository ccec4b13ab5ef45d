#include "report/plot_canvas.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg::plot {

namespace fs = std::filesystem;

namespace {

// MathGL's text: a capital letter is this many pixels tall per unit of font size and pixel of
// the axes box's smaller side (measured on MathGL 8.0).
constexpr double kCapPerFontUnit = 0.0129;

void check_size(int width, int height) {
  if (width < 64 || height < 64 || width > 20000 || height > 20000) {
    throw Error("figure size " + std::to_string(width) + "x" + std::to_string(height) +
                " is out of range (64..20000 pixels)");
  }
}

}  // namespace

Canvas::Canvas(int width, int height)
    : width_((check_size(width, height), width)),
      height_(height),
      cap_px_(std::sqrt(double(width) * height) / 72),
      gr_(0, width, height) {
  gr_.Clf('w');
}

double Canvas::frame(double x1, double x2, double y1, double y2) {
  // MathGL draws the axes box inside an inplot shrunk by its plot factor 1.55 about the centre
  // (room for rotation) and places tick labels for that; asking for the grown rectangle puts
  // the box exactly where we want it.
  const double grow = 1.55, cx = (x1 + x2) / 2, cy = (y1 + y2) / 2;
  const double hw = (x2 - x1) / 2 * grow, hh = (y2 - y1) / 2 * grow;
  gr_.InPlot(cx - hw, cx + hw, cy - hh, cy + hh, false);
  double side_px = std::min((x2 - x1) * width_, (y2 - y1) * height_);
  double font_size = cap_px_ / (kCapPerFontUnit * std::max(side_px, 1.0));
  gr_.SetFontSize(font_size);
  return font_size;
}

void Canvas::legend(double x, double y) {
  // With 'A', MathGL places the legend in canvas coordinates (x = 1: at the right edge) and
  // sizes its text at 0.8 of the font size relative to the whole canvas.
  frame(0, 1, 0, 1);
  gr_.SetFontSize(cap_px_ * 1.55 / (kCapPerFontUnit * std::min(width_, height_)) / 0.8);
  gr_.Legend(x, y, "#A", "value 0.05");  // value: length of the sample line, x min(W, H)
}

double Canvas::legend_width_px(size_t longest_label) const {
  // MathGL's legend: 3% of the width as outer margin, the sample, 1% gap, then the text.
  return 0.04 * width_ + 0.05 * std::min(width_, height_) +
         (longest_label + 4) * kCharPerCap * cap_px_;
}

void Canvas::text(double x, double y, const std::wstring& text, const char* align, double scale) {
  frame(0, 1, 0, 1);
  gr_.SetRanges(0, 1, 0, 1);
  gr_.Putsw(mglPoint(x, y), text.c_str(), align, -scale);
}

void Canvas::save(const std::string& path_png) {
  save_png(path_png);
  save_svg(svg_path_for(path_png));
}

void Canvas::save_png(const std::string& path) { write(path, true); }

void Canvas::save_svg(const std::string& path) { write(path, false); }

void Canvas::write(const std::string& path, bool png) {
  require_output_directory(path);
  write_atomically(path, [&](const std::string& tmp) {
    if (png) {
      gr_.WritePNG(tmp.c_str(), "", false);
    } else {
      gr_.WriteSVG(tmp.c_str(), "");
    }
    std::error_code ec;
    if (!fs::is_regular_file(tmp, ec) || fs::file_size(tmp, ec) == 0) {
      throw Error(path + ": MathGL could not write the file");
    }
  });
}

namespace {

std::wstring decode_utf8(const std::string& s) {
  std::wstring out;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    int extra = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
    if (extra < 0 || i + extra >= s.size() + (extra == 0)) {
      out += L'?';  // invalid lead byte or truncated sequence
      ++i;
      continue;
    }
    wchar_t code = extra == 0 ? c : c & (0x3F >> extra);
    bool ok = true;
    for (int k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 2) ok = false;
      code = (code << 6) | (cc & 0x3F);
    }
    out += ok ? code : L'?';
    i += ok ? extra + 1 : 1;
  }
  return out;
}

}  // namespace

std::wstring markup(const std::string& utf8) { return decode_utf8(utf8); }

std::wstring literal(const std::string& utf8) {
  std::wstring out;
  for (wchar_t c : decode_utf8(utf8)) {
    if (c == L'\n' || c == L'\r' || c == L'\t') c = L' ';
    if (c == L'\\' || c == L'_' || c == L'^' || c == L'{' || c == L'}' || c == L'#') out += L'\\';
    out += c;
  }
  return out;
}

std::string series_colour(size_t i, bool light) {
  // Tableau 10: distinct in print and for the common colour-vision deficiencies.
  static const unsigned kPalette[] = {0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD,
                                      0x8C564B, 0xE377C2, 0x7F7F7F, 0xBCBD22, 0x17BECF};
  unsigned c = kPalette[i % (sizeof kPalette / sizeof kPalette[0])];
  unsigned r = c >> 16, g = (c >> 8) & 0xFF, b = c & 0xFF;
  if (light) r = (r + 255) / 2, g = (g + 255) / 2, b = (b + 255) / 2;
  char buf[16];
  std::snprintf(buf, sizeof buf, "{x%02X%02X%02X}", r, g, b);
  return buf;
}

std::string svg_path_for(const std::string& path_png) {
  return fs::path(path_png).replace_extension(".svg").string();
}

void draw_no_data(mglGraph& gr) {
  gr.SetRanges(0, 1, 0, 1);
  gr.Putsw(mglPoint(0.5, 0.5), L"no data", ":C", -2);
}

void require_output_directory(const std::string& path) {
  fs::path target(path);
  fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (target.filename().empty()) throw Error(path + ": not a file name");
  if (!fs::is_directory(dir)) throw Error(path + ": directory " + dir.string() + " does not exist");
}

PngSize read_png_size(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open file");
  unsigned char head[24] = {};
  in.read(reinterpret_cast<char*>(head), sizeof head);
  static const unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (in.gcount() < 24 || !std::equal(kSignature, kSignature + 8, head) ||
      std::string(reinterpret_cast<char*>(head + 12), 4) != "IHDR") {
    throw Error(path + ": not a PNG file");
  }
  auto be32 = [&](int at) {
    return static_cast<int>((head[at] << 24) | (head[at + 1] << 16) | (head[at + 2] << 8) |
                            head[at + 3]);
  };
  return {be32(16), be32(20)};
}

RgbImage read_png_rgb(const std::string& path) {
  PngSize size = read_png_size(path);
  mglGraph gr(0, size.width, size.height);
  gr.LoadBackground(path.c_str());
  RgbImage image;
  image.width = size.width;
  image.height = size.height;
  const unsigned char* rgb = gr.GetRGB();
  image.rgb.assign(rgb, rgb + 3 * static_cast<size_t>(size.width) * size.height);
  return image;
}

}  // namespace lrpseg::plot
