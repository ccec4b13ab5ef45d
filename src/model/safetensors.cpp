#include "model/safetensors.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>

#include "util/error.h"

namespace lrpseg {

namespace {

using nlohmann::json;

const char* dtype_name(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat:
      return "F32";
    case torch::kDouble:
      return "F64";
    case torch::kLong:
      return "I64";
    default:
      throw Error("model.safetensors: unsupported tensor type " + std::string(c10::toString(t)));
  }
}

std::optional<torch::ScalarType> dtype_of_name(const std::string& name) {
  if (name == "F32") return torch::kFloat;
  if (name == "F64") return torch::kDouble;
  if (name == "I64") return torch::kLong;
  return std::nullopt;
}

}  // namespace

std::string safetensors_bytes(const NamedTensors& tensors,
                              const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::string data;
  for (const auto& [name, tensor] : tensors) {
    const torch::Tensor t = tensor.detach().cpu().contiguous();
    const size_t begin = data.size();
    data.append(static_cast<const char*>(t.data_ptr()), t.numel() * t.element_size());
    header[name] = {{"dtype", dtype_name(t.scalar_type())},
                    {"shape", t.sizes().vec()},
                    {"data_offsets", {begin, data.size()}}};
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the data starts 8-byte aligned
  std::string out(8, '\0');
  const uint64_t n = text.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + text + data;
}

NamedTensors parse_safetensors(const std::string& bytes, const std::string& source) {
  if (bytes.size() < 8) throw Error(source + ": not a safetensors file (shorter than 8 bytes)");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  if (n > bytes.size() - 8 || n > 100'000'000)
    throw Error(source + ": not a safetensors file (header length " + std::to_string(n) +
                " exceeds the file)");
  json header;
  try {
    header = json::parse(bytes.substr(8, n));
  } catch (const json::exception& e) {
    throw Error(source + ": safetensors header is not JSON (" + e.what() + ")");
  }
  if (!header.is_object()) throw Error(source + ": safetensors header is not a JSON object");
  const size_t data_start = 8 + n, data_size = bytes.size() - data_start;
  struct Entry {
    std::string name;
    torch::ScalarType dtype;
    std::vector<int64_t> shape;
    uint64_t begin, end;
  };
  std::vector<Entry> entries;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") continue;
    const std::string where = source + ": tensor '" + name + "'";
    try {
      const auto dtype = dtype_of_name(info.at("dtype").get<std::string>());
      if (!dtype) throw Error(where + ": unsupported dtype " + info.at("dtype").dump());
      Entry e{name, *dtype, info.at("shape").get<std::vector<int64_t>>(),
              info.at("data_offsets").at(0).get<uint64_t>(),
              info.at("data_offsets").at(1).get<uint64_t>()};
      if (info.at("data_offsets").size() != 2) throw Error(where + ": data_offsets needs 2 values");
      uint64_t expected = c10::elementSize(e.dtype);
      for (int64_t d : e.shape) {
        if (d < 0 || (d > 0 && expected > std::numeric_limits<uint64_t>::max() / d))
          throw Error(where + ": invalid shape");
        expected *= static_cast<uint64_t>(d);
      }
      if (e.begin > e.end || e.end > data_size)
        throw Error(where + ": byte range outside the data");
      if (e.end - e.begin != expected)
        throw Error(where + ": byte range does not match its shape and dtype");
      entries.push_back(std::move(e));
    } catch (const json::exception& ex) {
      throw Error(where + ": malformed entry (" + ex.what() + ")");
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
  uint64_t covered = 0;
  NamedTensors out;
  for (const Entry& e : entries) {
    if (e.begin != covered)
      throw Error(source + ": tensor '" + e.name + "' leaves a gap or overlaps in the data");
    covered = e.end;
    torch::Tensor t = torch::empty(e.shape, torch::TensorOptions().dtype(e.dtype));
    if (e.end > e.begin)  // an empty tensor has no data pointer to copy to
      std::memcpy(t.data_ptr(), bytes.data() + data_start + e.begin, e.end - e.begin);
    out.emplace_back(e.name, t);
  }
  if (covered != data_size) throw Error(source + ": data beyond the last tensor");
  return out;
}

}  // namespace lrpseg
