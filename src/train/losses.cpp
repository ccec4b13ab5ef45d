#include "train/losses.h"

#include "util/error.h"

namespace lrpseg {

Loss parse_loss(const std::string& text, const std::string& option) {
  if (text == "ce") return Loss::CrossEntropy;
  if (text == "dice") return Loss::Dice;
  if (text == "ce+dice") return Loss::CrossEntropyDice;
  throw_option_error(option, ": unknown loss '" + text + "' (expected ce, dice or ce+dice)");
}

std::string to_string(Loss loss) {
  switch (loss) {
    case Loss::CrossEntropy:
      return "ce";
    case Loss::Dice:
      return "dice";
    case Loss::CrossEntropyDice:
      return "ce+dice";
  }
  return "?";
}

namespace {

torch::Tensor soft_dice_loss(const torch::Tensor& output, const torch::Tensor& label) {
  constexpr double kSmooth = 1.0;
  auto lesion = torch::softmax(output, 1).select(1, 1);
  auto truth = label.to(torch::kFloat);
  auto overlap = (lesion * truth).sum();
  return 1.0 - (2.0 * overlap + kSmooth) / (lesion.sum() + truth.sum() + kSmooth);
}

}  // namespace

torch::Tensor segmentation_loss(const torch::Tensor& output, const torch::Tensor& label,
                                Loss loss) {
  switch (loss) {
    case Loss::CrossEntropy:
      return torch::nn::functional::cross_entropy(output, label);
    case Loss::Dice:
      return soft_dice_loss(output, label);
    case Loss::CrossEntropyDice:
      return torch::nn::functional::cross_entropy(output, label) + soft_dice_loss(output, label);
  }
  throw Error("unknown loss");
}

}  // namespace lrpseg
