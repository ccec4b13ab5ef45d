// model.safetensors against the format's specification: the bytes by hand, a
// round trip, an independent reader in Python's standard library, and every
// malformed input refused with the file named.
#include "model/safetensors.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>

#include "error_of.h"
#include "model/checkpoint.h"
#include "temp_dir.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace lrpseg {
namespace {

TEST(Safetensors, BytesFollowTheSpecification) {
  const std::string bytes = safetensors_bytes(
      {{"w", torch::tensor({1.0f, 2.0f})}, {"n", torch::tensor(int64_t{7})}}, {{"format", "pt"}});
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  EXPECT_EQ((8 + n) % 8, 0u);  // data 8-byte aligned
  const auto header = nlohmann::json::parse(bytes.substr(8, n));
  EXPECT_EQ(header["__metadata__"]["format"], "pt");
  EXPECT_EQ(header["w"]["dtype"], "F32");
  EXPECT_EQ(header["w"]["shape"], nlohmann::json::array({2}));
  EXPECT_EQ(header["w"]["data_offsets"], nlohmann::json::array({0, 8}));
  EXPECT_EQ(header["n"]["dtype"], "I64");
  EXPECT_EQ(header["n"]["shape"], nlohmann::json::array());
  EXPECT_EQ(header["n"]["data_offsets"], nlohmann::json::array({8, 16}));
  EXPECT_EQ(bytes.size(), 8 + n + 16);
  float second;
  std::memcpy(&second, bytes.data() + 8 + n + 4, 4);
  EXPECT_EQ(second, 2.0f);
}

TEST(Safetensors, RoundTripKeepsNamesTypesShapesAndValues) {
  torch::manual_seed(2);
  const NamedTensors tensors = {{"a", torch::randn({2, 3, 1, 1, 1})},
                                {"b", torch::randn({4}, torch::kDouble)},
                                {"c", torch::tensor(int64_t{-3})},
                                {"d", torch::zeros({0})}};
  const NamedTensors back = parse_safetensors(safetensors_bytes(tensors), "m.safetensors");
  ASSERT_EQ(back.size(), tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    EXPECT_EQ(back[i].first, tensors[i].first);
    EXPECT_EQ(back[i].second.scalar_type(), tensors[i].second.scalar_type());
    EXPECT_TRUE(torch::equal(back[i].second, tensors[i].second));
  }
}

TEST(Safetensors, MalformedFilesNameTheFileAndTheProblem) {
  const std::string good = safetensors_bytes({{"w", torch::ones({2})}});
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(good[i]);
  auto with_header = [](const std::string& text, const std::string& data) {
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((text.size() >> (8 * i)) & 0xff);
    return out + text + data;
  };
  const std::string eight(8, '\0');
  auto error = [](const std::string& bytes) {
    return test::error_of([&] { parse_safetensors(bytes, "m.safetensors"); });
  };
  EXPECT_NE(error("abc").find("m.safetensors: not a safetensors file"), std::string::npos);
  EXPECT_NE(error(good.substr(0, 8 + n - 1)).find("exceeds the file"), std::string::npos);
  EXPECT_NE(error(good.substr(0, good.size() - 1)).find("outside the data"), std::string::npos);
  EXPECT_NE(
      error(with_header("{\"w\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", "ab"))
          .find("unsupported dtype"),
      std::string::npos);
  EXPECT_NE(
      error(with_header("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", eight))
          .find("does not match its shape"),
      std::string::npos);
  EXPECT_NE(
      error(with_header("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight))
          .find("gap"),
      std::string::npos);
  EXPECT_NE(
      error(with_header("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", eight))
          .find("beyond the last tensor"),
      std::string::npos);
  EXPECT_NE(error(with_header("[1]", "")).find("not a JSON object"), std::string::npos);
  EXPECT_NE(error(with_header("{\"w\":{\"shape\":[1]}}", "")).find("tensor 'w'"),
            std::string::npos);
}

TEST(Safetensors, CheckpointIsReadableByAnIndependentReaderAndLoadsBack) {
  if (std::system("python3 -c 'import json, struct' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "python3 not available";
  }
  test::TempDir dir;
  torch::manual_seed(5);
  UNet net(UNetOptions{6, 2, 2});
  save_safetensors(dir / "model.safetensors", net);
  const std::string out = dir / "out.txt";
  const std::string cmd = "python3 " LRPSEG_SOURCE_DIR "/tests/model/read_safetensors.py " +
                          (dir / "model.safetensors") + " b1.conv1.weight > " + out;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::istringstream in(read_text(out));
  size_t count;
  std::string dtype, shape, format;
  double sum;
  in >> count >> dtype >> shape >> sum >> format;
  EXPECT_EQ(count, net->named_parameters().size() + net->named_buffers().size());
  EXPECT_EQ(dtype, "F32");
  EXPECT_EQ(shape, "2,6,3,3,3");
  EXPECT_EQ(format, "pt");
  EXPECT_NEAR(sum, net->named_parameters()["b1.conv1.weight"].sum().item<double>(), 1e-4);

  UNet back(UNetOptions{6, 2, 2});
  load_weights(dir / "model.safetensors", back);
  for (const auto& p : net->named_parameters())
    EXPECT_TRUE(torch::equal(p.value(), back->named_parameters()[p.key()])) << p.key();
  for (const auto& b : net->named_buffers())
    EXPECT_TRUE(torch::equal(b.value(), back->named_buffers()[b.key()])) << b.key();
}

}  // namespace
}  // namespace lrpseg
