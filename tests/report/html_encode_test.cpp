#include "report/html_encode.h"

#include <gtest/gtest.h>

#include "report/html_csv.h"
#include "util/error.h"

namespace lrpseg {
namespace {

TEST(HtmlEncode, Base64MatchesRfc4648Vectors) {
  const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), plain);
  }
}

TEST(HtmlEncode, Base64RoundTripsEveryByte) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += char(i);
  EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
  EXPECT_THROW(base64_decode("ab$d"), Error);
}

TEST(HtmlEncode, EscapesMarkupCharacters) {
  EXPECT_EQ(html_escape("<a href=\"x\">Tom & 'Jerry'</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
}

TEST(HtmlEncode, JsonForScriptCannotCloseTheScriptAndParsesBack) {
  nlohmann::json j = {{"text", "</script><!-- x"}};
  std::string text = json_for_script(j);
  EXPECT_EQ(text.find('<'), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(text), j);
}

TEST(HtmlCsv, ParsesQuotedFieldsAndPadsShortRows) {
  CsvTable t = parse_csv("a,b,c\r\n1,\"x,\"\"y\"\"\",3\n\n4,5\n", "t.csv");
  ASSERT_EQ(t.header, (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0][1], "x,\"y\"");
  EXPECT_EQ(t.rows[1], (std::vector<std::string>{"4", "5", ""}));
  EXPECT_EQ(t.column("c"), 2);
  EXPECT_EQ(t.column("d"), -1);
  EXPECT_THROW(parse_csv("", "empty.csv"), Error);
}

}  // namespace
}  // namespace lrpseg
