#include "report/html_encode.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace lrpseg
