#include "model/predict.h"

#include "data/preprocess.h"

namespace lrpseg {

torch::Tensor predict_mask(UNet& net, const torch::Tensor& image,
                           const std::array<int64_t, 3>& case_size_dhw) {
  torch::NoGradGuard no_grad;
  bool was_training = net->is_training();
  net->eval();
  auto output = net->forward(image.unsqueeze(0).to(device_of(net)));
  if (was_training) net->train();
  auto mask = output.argmax(1).squeeze(0).to(torch::kUInt8).cpu();
  return resize_label(mask, case_size_dhw);
}

}  // namespace lrpseg
