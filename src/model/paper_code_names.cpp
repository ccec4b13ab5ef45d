#include "model/paper_code_names.h"

#include <array>
#include <regex>

namespace lrpseg {

std::optional<std::string> lrpseg_name_from_paper_code(const std::string& name) {
  // The paper code labels a block by its level: 1…4 down, then 3b, 2b, 1b up.
  static const std::array<const char*, 7> kLevels{"1", "2", "3", "4", "3b", "2b", "1b"};
  static const std::regex kBlock(R"(cblocks([1-7])\.(conv|bn3d)_([1-4]b?)_([01])\.(\w+))");
  static const std::regex kUp(R"(deconv([1-3])\.weight)");
  static const std::regex kHead(R"((convf|bn)\.(\w+))");
  std::smatch m;
  if (std::regex_match(name, m, kBlock)) {
    const int block = std::stoi(m[1]);
    if (m[3] != kLevels[block - 1]) return std::nullopt;  // a level that block does not have
    const std::string layer = m[2] == "conv" ? "conv" : "bn";
    return "b" + m[1].str() + "." + layer + std::to_string(std::stoi(m[4]) + 1) + "." + m[5].str();
  }
  if (std::regex_match(name, m, kUp)) return "up" + m[1].str() + ".weight";
  if (std::regex_match(name, m, kHead))
    return (m[1] == "convf" ? "head_conv." : "head_bn.") + m[2].str();
  return std::nullopt;
}

}  // namespace lrpseg
