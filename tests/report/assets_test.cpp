#include "report/assets.h"

#include <gtest/gtest.h>

#include "error_of.h"

namespace lrpseg {
namespace {

using test::error_of;

TEST(ReportAssets, TheTemplateStylesheetAndViewerAreEmbedded) {
  EXPECT_EQ(report_asset("page.html").substr(0, 15), "<!DOCTYPE html>");
  EXPECT_NE(report_asset("report.css").find(".viewer"), std::string_view::npos);
  EXPECT_NE(report_asset("viewer.js").find("function Viewer(root)"), std::string_view::npos);
  EXPECT_EQ(error_of([] { report_asset("missing.js"); }),
            "report asset 'missing.js': not embedded");
}

TEST(ReportAssets, FillTemplateReplacesEveryPlaceholderOnce) {
  EXPECT_EQ(fill_template("<t>{{a}}</t>{{b}}{{a}}", {{"a", "x{{b}}"}, {"b", "<y>"}}, "t.html"),
            "<t>x{{b}}</t><y>x{{b}}");
}

TEST(ReportAssets, FillTemplateNamesMissingUnusedAndUnclosedPlaceholders) {
  EXPECT_EQ(error_of([] {
              fill_template("{{a}}{{c}}", {{"a", ""}}, "t.html");
            }),
            "t.html: no value for placeholder {{c}}");
  EXPECT_EQ(error_of([] {
              fill_template("{{a}}", {{"a", ""}, {"b", ""}}, "t.html");
            }),
            "t.html: no placeholder {{b}}");
  EXPECT_EQ(error_of([] {
              fill_template("x {{a", {{"a", ""}}, "t.html");
            }),
            "t.html: unclosed {{ placeholder");
}

}  // namespace
}  // namespace lrpseg

namespace lrpseg {
namespace {

TEST(ReportFragments, FillNamedPiecesOfTheFragmentsFile) {
  EXPECT_EQ(fragment("cell-numeric", {{"class", "num best"}, {"text", "0.5"}}),
            "<td class=\"num best\">0.5</td>\n");
  EXPECT_EQ(fragment("no-results"), "<p class=\"note\">This run has no results to show yet.</p>\n");
  EXPECT_EQ(test::error_of([] { fragment("missing"); }),
            "report asset fragments.html: no fragment 'missing'");
  EXPECT_EQ(test::error_of([] { fragment("cell", {}); }),
            "report fragment cell: no value for placeholder {{text}}");
}

}  // namespace
}  // namespace lrpseg
