#pragma once
// A width-2 U-Net trained for one epoch at 4x16x16 on a synthetic dataset: a
// real checkpoint in about a second, for tests of the stages after training.
#include <string>

#include "data/synth.h"
#include "train/trainer.h"

namespace lrpseg::test {

// Synthesises `training` + `testing` cases into data_dir and trains on the
// training cases into model_dir; returns the options used.
inline TrainOptions train_tiny_model(const std::string& data_dir, const std::string& model_dir,
                                     int training, int testing, uint64_t seed) {
  synthesize_isles({data_dir, training, testing, seed});
  TrainOptions t;
  t.data_dir = data_dir;
  t.out_dir = model_dir;
  t.preprocess.size_dhw = {4, 16, 16};
  t.width = 2;
  t.epochs = 1;
  t.threads = 1;
  t.quiet = true;
  train(t);
  return t;
}

}  // namespace lrpseg::test
