#include "metrics/dice.h"

#include "util/error.h"

namespace lrpseg {

double dice_score(const torch::Tensor& prediction, const torch::Tensor& truth) {
  if (prediction.sizes() != truth.sizes()) {
    throw Error("dice: prediction " + c10::str(prediction.sizes()) + " and ground truth " +
                c10::str(truth.sizes()) + " differ in shape");
  }
  auto p = prediction.to(torch::kBool);
  auto g = truth.to(torch::kBool);
  double overlap = (p & g).sum().item<double>();
  double total = p.sum().item<double>() + g.sum().item<double>();
  return total == 0 ? 1.0 : 2.0 * overlap / total;
}

}  // namespace lrpseg
