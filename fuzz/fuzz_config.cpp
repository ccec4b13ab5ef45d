// The experiment config reader (`lrpseg experiment CONFIG`, the demo's config)
// on arbitrary file bytes: each input must be accepted or refused with
// lrpseg::Error naming the file and key.
#include <string>

#include "fuzz_input.h"
#include "study/experiment.h"
#include "util/error.h"

using namespace lrpseg;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = fuzz::write_input("experiment.json", data, size);
  try {
    (void)read_experiment_config(path);
  } catch (const Error&) {
  }
  return 0;
}
