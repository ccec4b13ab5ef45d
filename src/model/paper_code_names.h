#pragma once
// Tensor names of the paper's own PyTorch code (Tjoa et al.'s UNet3D: blocks
// cblocks1-7 of conv_LEVEL_I / bn3d_LEVEL_I, up-convolutions deconv1-3, head
// convf + bn), mapped to lrpseg's (b1-b7, up1-up3, head_conv, head_bn). The
// architectures are the same layer for layer.
#include <optional>
#include <string>

namespace lrpseg {

// lrpseg's name for a paper-code state-dict name, or nullopt when the name is
// not one of the paper code's (then it is reported as an extra tensor).
std::optional<std::string> lrpseg_name_from_paper_code(const std::string& name);

}  // namespace lrpseg
